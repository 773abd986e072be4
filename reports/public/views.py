"""The residents' side: no login, published facts only, no personal data."""

import hashlib
import time
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from fundmgr.access import landing_url
from fundmgr.lib import receipts
from fundmgr.lib.capital import capital
from fundmgr.lib.clientaddr import client_address
from fundmgr.lib.dates import parse_month
from fundmgr.lib.dates import today as local_today
from fundmgr.models import Community, Income, SplitPolicy, Tier

from .. import selectors, services
from ..checking import selectors as checking
from ..checking.models import ConcernKind
from ..checking.services import concern_ask, receipt_looked_up
from ..models import Period, PeriodState
from ..supervision import services as supervision
from . import cache

HOME_PER_PAGE = 60  # communities on one page of the home page


def _moved(request, query: str, number: int, canonical: bool, known: set[str]) -> str | None:
    """Where a list's request must go instead, or None: one URL per list and page - page
    1 without ?page=, the search (and filters, `query`) in one spelling and order."""
    spelled = urlencode([(k, v) for k, values in request.GET.lists() for v in values])
    target = "&".join(x for x in (query, f"page={number}" if number > 1 else "") if x)
    if not canonical or set(request.GET) - known or spelled != target:
        return request.path + (f"?{target}" if target else "")
    return None


def _home_token() -> str:
    """What the home page shows changes when a community, a publication or a split
    policy is added: three indexed aggregates, whatever the number of communities or
    months (a rename shows within the minute of the key)."""
    communities = Community.objects.aggregate(n=Count("pk"), last=Max("pk"))
    published = Period.objects.filter(state=PeriodState.PUBLISHED).aggregate(
        n=Count("pk"), last=Max("published_at")
    )
    policies = SplitPolicy.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return hashlib.sha256(
        repr((communities, published, policies, local_today())).encode()
    ).hexdigest()[:24]


def home(request):
    if request.user.is_authenticated and request.user.memberships.exists():
        return redirect(landing_url(request.user))  # each role's own workspace
    number, canonical = _page_number(request)
    if number is None:
        raise Http404(_("There is no such page."))
    q = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX]
    moved = _moved(request, urlencode({"q": q}) if q else "", number, canonical, {"page", "q"})
    if moved:
        return redirect(moved, permanent=True)

    def make():
        communities = Community.objects.order_by("subdistrict", "code")
        if q:
            communities = communities.filter(
                Q(name__icontains=q) | Q(code__icontains=q) | Q(subdistrict__icontains=q)
            )
        paginator = Paginator(communities, HOME_PER_PAGE)
        try:
            page = paginator.page(number)
        except InvalidPage as exc:
            if number > 1:
                raise Http404(_("There is no such page.")) from exc
            page = Paginator([], HOME_PER_PAGE).page(1)
        shown = list(page.object_list)
        ids = [c.pk for c in shown]
        # The page's communities only: their latest published month and the split in
        # force today, one query each, however many communities and months there are.
        latest = dict(
            Period.objects.filter(community_id__in=ids, state=PeriodState.PUBLISHED)
            .values("community_id")
            .annotate(last=Max("month"))
            .values_list("community_id", "last")
        )
        policies = {}
        for policy in SplitPolicy.objects.filter(
            community_id__in=ids, effective_from__lte=local_today()
        ).order_by("effective_from"):
            policies[policy.community_id] = policy
        page.object_list = [
            {
                "community": c,
                "latest": latest[c.pk].strftime("%Y-%m") if c.pk in latest else None,
                "policy": policies.get(c.pk),
            }
            for c in shown
        ]
        return render(
            request,
            "home.html",
            {
                "page": page,
                "q": q,
                "page_query": f"{urlencode({'q': q})}&" if q else "",
                "page_links": paginator.get_elided_page_range(
                    page.number, on_each_side=2, on_ends=1
                )
                if paginator.num_pages > 1
                else [],
            },
        )

    if q or request.user.is_authenticated:
        return make()  # a search is rendered fresh and never makes a cache entry
    # The in-process copy keeps no timeout: the minute in the key lets a renamed
    # community show within PUBLISHED_LOOKUP_SECONDS on every worker.
    minute = int(time.time() // selectors.PUBLISHED_LOOKUP_SECONDS)
    return cache.response(
        f"home:v1:{request.LANGUAGE_CODE}:{number}:{_home_token()}:{minute}",
        make,
        request,
        timeout=selectors.PUBLISHED_LOOKUP_SECONDS,
    )


def receipt_lookup(request):
    code = receipts.normalise(request.GET.get("code", ""))
    if code:
        # With its dashes, as printed on the slip: a code not found is shown as typed.
        return redirect("public-receipt", code=receipts.display(code))
    return render(
        request,
        "public/receipt_lookup.html",
        {"query": request.GET.get("code", ""), "invalid": "code" in request.GET},
        status=400 if "code" in request.GET else 200,
    )


@cache_control(max_age=60, public=True)
def public_receipt(request, code: str):
    normalised = receipts.normalise(code)
    income = None
    if normalised:
        income = (
            Income.objects.select_related(
                "community__book", "community__hub", "package__provider", "entry"
            )
            .filter(receipt_code=normalised)
            .first()
        )
    if income is None:
        return render(
            request,
            "public/receipt_unknown.html",
            {
                "code": code[:40],
                # What was typed stays in the box, and the page says what is wrong.
                "query": code[:40],
                "shape_ok": normalised is not None,
                "ask": _ask_links(ConcernKind.MISSING, code[:40]) if normalised else [],
            },
            status=404,
        )
    record = selectors.receipt_public(income)
    ask_url = ""
    if record["published"]:
        receipt_looked_up(income=income, month=record["period"])
        if not record["agreement"]["agree"]:
            ask_url = _ask_url(
                income.community.code, record["period"], ConcernKind.MISMATCH, code[:40]
            )
    return render(
        request,
        "public/receipt.html",
        {
            "income": income,
            "record": record,
            "payer": record["payer"],
            "capital": capital(income.amount.amount),
            "ask_url": ask_url,
        },
    )


def _ask_url(community_code: str, month: str, kind: str, receipt: str) -> str:
    query = urlencode({"concern": kind, "receipt": receipt})
    return f"{reverse('public-query', args=[community_code, month])}?{query}#ask"


ASK_LINKS = 20


def _ask_links(kind: str, receipt: str) -> list[dict]:
    """The months whose disclosure window is open, where a question can be asked now."""
    open_now = (
        Period.objects.filter(state=PeriodState.PUBLISHED, disclosure__window_ends_at__gte=now())
        .select_related("community")
        .order_by("community__code", "-month")[:ASK_LINKS]
    )
    return [
        {
            "community": p.community.name,
            "month": p.label,
            "url": _ask_url(p.community.code, p.label, kind, receipt),
        }
        for p in open_now
    ]


def _flow(totals: dict) -> list[dict]:
    """Bars of the 70/25/5 flow for the SVG chart: widths from the amounts themselves."""
    parts = [("provider", totals["provider"]), ("hub", totals["hub"]), ("fund", totals["fund"])]
    whole = sum(Decimal(v) for _k, v in parts) or Decimal(1)
    bars, x = [], Decimal(0)
    for key, value in parts:
        width = Decimal(value) * 100 / whole
        bars.append(
            {
                "key": key,
                "amount": value,
                "percent": f"{width:.1f}",
                "x": f"{x:.2f}",
                "width": f"{width:.2f}",
            }
        )
        x += width
    return bars


def community_page(request, code: str):
    community = get_object_or_404(Community.objects.select_related("hub", "fund"), code=code)
    published = list(selectors.published_periods(community))
    latest = selectors.document(published[0].disclosure) if published else None
    history = []
    for p in reversed(published):
        doc = selectors.document(p.disclosure)
        # In: the 5 % shares, unrestricted gifts, the markets' takings; out: what the
        # balances then require (a gift showed as a negative outflow here).
        fund = selectors.fund_of(doc)
        history.append(
            {
                "month": p.label,
                "fund": f"{fund['balance']:.2f}",
                "opening": f"{fund['balance'] - fund['in'] + fund['out']:.2f}",
                "inflow": f"{fund['in']:.2f}",
                "outflow": f"{fund['out']:.2f}",
            }
        )
    peak = max((Decimal(h["fund"]) for h in history), default=Decimal(0)) or Decimal(1)
    for h in history:  # bar lengths in % of the largest balance; the numbers are printed
        h["percent"] = f"{max(Decimal(h['fund']), Decimal(0)) * 100 / peak:.1f}"
    heads = selectors.signed_heads(community)
    pairs = list(zip(heads, heads[1:], strict=False))
    checks = selectors.consistencies(
        community, [(b["tree_size"], a["tree_size"]) for b, a in pairs], heads=heads
    )
    for (before, after), check in zip(pairs, checks, strict=True):
        after["consistent"] = bool(check and check["verified"])
        after["previous_size"] = before["tree_size"]
    return render(
        request,
        "public/community.html",
        {
            "heads": heads,
            "community": community,
            "published": published,
            "latest": latest,
            "latest_period": published[0] if published else None,
            "flow": _flow(latest["totals"]) if latest else [],
            "history": history,
            "peak": f"{peak:.2f}",
            "public": selectors.community_public(community),
            **_spaces(community),
        },
    )


def _spaces(community: Community) -> dict:
    from fundmgr.spaces.models import RENT_NOT_SPLIT

    from .spaces import meters

    return {"space_meters": meters(community), "why_not_split": RENT_NOT_SPLIT}


PAYMENTS_PER_PAGE = 100


def _pristine(request) -> bool:
    """A visitor with no session, no pending message and no query but ?page= sees
    exactly the page every such visitor sees: nothing per visitor is on it (no CSRF
    token: the questions form is on its own page)."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and set(request.GET) <= {"page"}
    )


def _month(request, code: str, month: str):
    first = parse_month(month)
    period = selectors.published_period(code, first) if first is not None else None
    if period is None:
        community = get_object_or_404(Community, code=code)
        return None, render(
            request,
            "public/month_unknown.html",
            {"community": community, "month": month[:20]},
            status=404,
        )
    return period, None


def _page_number(request) -> tuple[int | None, bool]:
    """?page= as (page, canonical): absent is page 1; a plain ASCII positive integer with
    no leading zero is itself and canonical; another spelling of a positive integer
    (`0001`, `+1`, ` 1`, `١`) is that page, not canonical; anything else is no page.
    Every spelling was rendered and cached on its own (300 spellings of page 1 made 300
    cache entries, and the cache's culling then evicted proofs)."""
    raw = request.GET.get("page")
    if raw is None:
        return 1, True
    if len(raw) > 12:
        return None, False
    try:
        number = int(raw.strip())
    except ValueError:
        return None, False
    if number < 1:
        return None, False
    return number, raw == str(number) and number > 1


SEARCH_MAX = 40


def _month_filters(request) -> tuple[dict | None, str]:
    """?q= (receipt code, package, provider) and ?tier= of the month page, normalised:
    (filters, canonical query string), or (None, "") for a tier that is none. The page
    cache is keyed by the bare URL and ?page= only (_pristine), so a search is rendered
    fresh and never makes a cache entry; its canonical spelling keeps URLs one per list."""
    q = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX]
    tier = request.GET.get("tier", "").strip()
    if tier and tier not in Tier.values:
        return None, ""
    filters = {"q": q, "tier": tier}
    return filters, urlencode([(k, v) for k, v in filters.items() if v])


def _matches(income: dict, filters: dict, providers: dict) -> bool:
    if filters["tier"] and income["tier"] != filters["tier"]:
        return False
    q = filters["q"]
    if not q:
        return True
    code = receipts.normalise(q)
    if code and receipts.normalise(income["receipt"]) == code:
        return True
    needle = q.casefold()
    bare = needle.replace("-", "").replace(" ", "")
    haystack = (
        income.get("package_name", ""),
        income.get("package", ""),
        income.get("provider", ""),
        providers.get(income.get("provider"), ""),
    )
    return (len(bare) >= 4 and bare in income["receipt"].replace("-", "").casefold()) or any(
        needle in str(h).casefold() for h in haystack
    )


def _in_date_order(incomes: list[dict]) -> list[dict]:
    """Payments by the day they were paid, then by their entry in the books (issue 14:
    10-08 was listed after 10-31)."""
    return sorted(incomes, key=lambda i: (i.get("paid_on") or i["date"], i.get("entry", 0)))


def month_page(request, code: str, month: str):
    period, missing = _month(request, code, month)
    if missing:
        return missing
    number, canonical = _page_number(request)
    if number is None:
        raise Http404(_("This month has no such page of payments."))
    filters, query = _month_filters(request)
    if filters is None:
        raise Http404(_("There is no such tier."))
    moved = _moved(request, query, number, canonical, {"page", "q", "tier"})
    if moved:
        return redirect(moved, permanent=True)
    community, disclosure = period.community, period.disclosure
    window_open = disclosure.window_open()
    checks = checking.month_checks(period)

    def make():
        doc = selectors.document(disclosure)
        providers = {r["code"]: r["name"] for r in doc["by_provider"]}
        incomes = [
            {**i, "provider_name": providers.get(i.get("provider"), i.get("provider", ""))}
            for i in _in_date_order(doc["incomes"])
            if _matches(i, filters, providers)
        ]
        try:
            payments = Paginator(incomes, PAYMENTS_PER_PAGE).page(number)
        except InvalidPage as exc:
            if number == 1:
                payments = Paginator([], PAYMENTS_PER_PAGE).page(1)
            else:
                raise Http404(_("This month has no such page of payments.")) from exc
        extras = selectors.month_extras(period, doc)
        corrections = extras["corrections"]
        payments.object_list = [
            {**i, "correction": corrections.get(i["receipt"])} for i in payments.object_list
        ]
        return render(
            request,
            "public/month.html",
            {
                "community": community,
                "period": period,
                "doc": doc,
                "d": disclosure,
                "extras": extras,
                "payments": payments,
                "filters": filters,
                "filtered": bool(query),
                "page_query": f"{query}&" if query else "",
                "tier_choices": Tier.choices,
                "window_open": window_open,
                "checks": checks,
                "flow": _flow(doc["totals"]),
                "page_links": payments.paginator.get_elided_page_range(
                    payments.number, on_each_side=2, on_ends=1
                ),
                "tiers": [(Tier(t).label, doc["by_tier"][t]) for t in Tier.values],
                "cosign": supervision.status(disclosure),
            },
        )

    if not _pristine(request):
        return make()
    # Fixed by the document, the language, the page, the community's name (renames
    # show within selectors.PUBLISHED_LOOKUP_SECONDS) and whether questions are open.
    # ... and by the months published after it, which may reverse its incomes, and by
    # how many receipts residents have checked and questions they raised.
    latest = selectors.latest_published_month(community)
    return cache.response(
        f"month-page:v2:{disclosure.digest}:{request.LANGUAGE_CODE}:"
        f"{number}:{community.name}:{window_open}:{latest}:"
        f"{checks['checked']}:{checks['questions']}:"
        f"{supervision.state_token(disclosure)}",
        make,
        request,
        timeout=cache.SUPERSEDED_AFTER,
    )


def _client_key(request) -> str:
    """Rate limits count per client address (behind a trusted proxy, the address it
    forwarded: fundmgr.lib.clientaddr), stored only as a keyed hash."""
    address = client_address(request)
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:24]


def month_queries(request, code: str, month: str):
    """Questions residents asked about a published month and the officers' answers, with
    the form to ask one while the disclosure window is open."""
    period, missing = _month(request, code, month)
    if missing:
        return missing
    if request.method == "POST":
        return _ask(request, period)
    concern = _concern(request.GET)
    return _queries_page(request, period, draft=_concern_draft(period, *concern), concern=concern)


def _concern(data) -> tuple[str, str]:
    """(kind, receipt) of a question that comes from a receipt look-up gone wrong."""
    kind = data.get("concern", "")
    if kind not in ConcernKind.values:
        return "", ""
    raw = data.get("receipt", "")[:40]
    normalised = receipts.normalise(raw)
    return kind, receipts.display(normalised) if normalised else raw


def _concern_draft(period, kind: str, receipt: str) -> str:
    if kind == ConcernKind.MISSING:
        return _(
            "My receipt code %(code)s is not found on this site, though I paid. Please "
            "have the auditors check that my payment was recorded."
        ) % {"code": receipt}
    if kind == ConcernKind.MISMATCH:
        return _(
            "My receipt %(code)s does not agree with the published accounts of "
            "%(month)s. Please have the auditors check it."
        ) % {"code": receipt, "month": period.label}
    return ""


def _queries_page(
    request, period, status: int = 200, draft: str = "", concern=("", ""), contact: str = ""
):
    return render(
        request,
        "public/month_queries.html",
        {
            "community": period.community,
            "period": period,
            "d": period.disclosure,
            "queries": period.queries.order_by("asked_at").prefetch_related("answer_versions"),
            "draft": draft,
            "contact": contact,
            "concern": concern,
            "window_open": period.disclosure.window_open(),
        },
        status=status,
    )


def _ask(request, period):
    if request.POST.get("website"):  # a field people never see: only robots fill it
        return HttpResponseBadRequest("")
    concern = _concern(request.POST)
    ask = dict(
        period=period,
        question=request.POST.get("question", ""),
        contact=request.POST.get("contact", ""),
        client_key=_client_key(request),
    )
    try:
        if concern[0]:  # routed to the auditors, counted on the month page
            concern_ask(**ask, kind=concern[0], receipt=concern[1])
        else:
            services.query_ask(**ask)
    except PermissionError as exc:
        messages.error(request, str(exc))
        # What was typed stays in the form (issue 14: "提交过于频繁" emptied it).
        return _queries_page(
            request,
            period,
            status=429,
            draft=request.POST.get("question", "")[:1000],
            concern=concern,
            contact=request.POST.get("contact", "")[:100],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _queries_page(
            request,
            period,
            status=400,
            draft=request.POST.get("question", "")[:1000],
            concern=concern,
            contact=request.POST.get("contact", "")[:100],
        )
    messages.success(request, _("Your query was received. The answer will be published here."))
    return redirect("public-query", code=period.community.code, month=period.label)
