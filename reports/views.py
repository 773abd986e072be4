"""The residents' side: no login, published facts only, no personal data."""

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from fundmgr import receipts
from fundmgr.capital import capital
from fundmgr.models import Community, Income, Role, Tier
from fundmgr.selectors import communities_for, roles_in
from fundmgr.services import has_role
from ledger.models import Entry

from . import published, selectors, services
from .auditor import FORMATS, integrity_check, request_statement
from .disclosure import month_of
from .models import IntegrityCheck, Period, PeriodState, Query, RedFlag, StatementFile
from .screening import flag_close, screen_community
from .statements import KINDS, StatementError


def home(request):
    if request.user.is_authenticated and request.user.memberships.exists():
        return redirect("officer:dashboard")
    # The latest published month of every community in one query, not one per community.
    latest = {}
    for period in Period.objects.filter(state=PeriodState.PUBLISHED).order_by("month"):
        latest[period.community_id] = period
    rows = [{"community": c, "latest": latest.get(c.pk)}
            for c in Community.objects.order_by("subdistrict", "code")]
    return render(request, "home.html", {"rows": rows})


def receipt_lookup(request):
    code = receipts.normalise(request.GET.get("code", ""))
    if code:
        return redirect("public-receipt", code=code)
    return render(request, "public/receipt_lookup.html",
                  {"query": request.GET.get("code", ""), "invalid": "code" in request.GET},
                  status=400 if "code" in request.GET else 200)


@cache_control(max_age=60, public=True)
def public_receipt(request, code: str):
    normalised = receipts.normalise(code)
    income = None
    if normalised:
        income = (Income.objects.select_related("community__book", "community__hub",
                                                "package__provider", "entry")
                  .filter(receipt_code=normalised).first())
    if income is None:
        return render(request, "public/receipt_unknown.html", {"code": code[:40]}, status=404)
    record = selectors.receipt_public(income)
    return render(request, "public/receipt.html", {
        "income": income, "record": record, "payer": record["payer"],
        "capital": capital(income.amount.amount),
    })


def _flow(totals: dict) -> list[dict]:
    """Bars of the 70/25/5 flow for the SVG chart: widths from the amounts themselves."""
    parts = [("provider", totals["provider"]), ("hub", totals["hub"]), ("fund", totals["fund"])]
    whole = sum(Decimal(v) for _k, v in parts) or Decimal(1)
    bars, x = [], Decimal(0)
    for key, value in parts:
        width = Decimal(value) * 100 / whole
        bars.append({"key": key, "amount": value, "percent": f"{width:.1f}",
                     "x": f"{x:.2f}", "width": f"{width:.2f}"})
        x += width
    return bars


def community_page(request, code: str):
    community = get_object_or_404(Community.objects.select_related("hub", "fund"), code=code)
    published = list(selectors.published_periods(community))
    latest = selectors.document(published[0].disclosure) if published else None
    history = []
    for p in reversed(published):
        doc = selectors.document(p.disclosure)
        opening = Decimal(doc["balances"]["opening"]["fund"])
        closing = Decimal(doc["balances"]["closing"]["fund"])
        inflow = Decimal(doc["totals"]["fund"])
        history.append({"month": p.label, "fund": f"{closing:.2f}", "opening": f"{opening:.2f}",
                        "inflow": f"{inflow:.2f}",
                        # Whatever moved the balance besides the 5 % shares: disbursements.
                        "outflow": f"{opening + inflow - closing:.2f}"})
    peak = max((Decimal(h["fund"]) for h in history), default=Decimal(0)) or Decimal(1)
    for i, h in enumerate(history):
        h["x"] = 20 + i * 40
        h["height"] = f"{Decimal(h['fund']) * 120 / peak:.1f}"
        h["y"] = f"{140 - Decimal(h['fund']) * 120 / peak:.1f}"
    heads = selectors.signed_heads(community)
    for before, after in zip(heads, heads[1:], strict=False):
        check = selectors.consistency_between(community, before["tree_size"],
                                              after["tree_size"])
        after["consistent"] = bool(check and check["verified"])
        after["previous_size"] = before["tree_size"]
    return render(request, "public/community.html", {
        "heads": heads,
        "community": community, "published": published, "latest": latest,
        "latest_period": published[0] if published else None,
        "flow": _flow(latest["totals"]) if latest else [], "history": history,
        "chart_width": 40 + 40 * len(history), "public": selectors.community_public(community),
    })


PAYMENTS_PER_PAGE = 100


def _pristine(request) -> bool:
    """A visitor with no session, no pending message and no query but ?page= sees
    exactly the page every such visitor sees: nothing per visitor is on it (no CSRF
    token: the questions form is on its own page)."""
    return (settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES and set(request.GET) <= {"page"})


def _month(request, code: str, month: str):
    first = month_of(month)
    period = selectors.published_period(code, first) if first is not None else None
    if period is None:
        community = get_object_or_404(Community, code=code)
        return None, render(request, "public/month_unknown.html",
                            {"community": community, "month": month[:20]}, status=404)
    return period, None


def month_page(request, code: str, month: str):
    period, missing = _month(request, code, month)
    if missing:
        return missing
    community, disclosure = period.community, period.disclosure
    window_open = disclosure.window_open()

    def make():
        doc = selectors.document(disclosure)
        try:
            payments = Paginator(doc["incomes"], PAYMENTS_PER_PAGE).page(
                request.GET.get("page", 1))
        except InvalidPage as exc:
            raise Http404(_("This month has no such page of payments.")) from exc
        return render(request, "public/month.html", {
            "community": community, "period": period, "doc": doc, "d": disclosure,
            "payments": payments, "window_open": window_open, "flow": _flow(doc["totals"]),
            "page_links": payments.paginator.get_elided_page_range(
                payments.number, on_each_side=2, on_ends=1),
            "tiers": [(Tier(t).label, doc["by_tier"][t]) for t in Tier.values],
        })

    if not _pristine(request):
        return make()
    # Fixed by the document, the language, the page, the community's name (renames
    # show within selectors.PUBLISHED_LOOKUP_SECONDS) and whether questions are open.
    return published.response(
        f"month-page:{disclosure.digest}:{request.LANGUAGE_CODE}:"
        f"{request.GET.get('page', '')}:{community.name}:{window_open}", make, request)


def _client_key(request) -> str:
    """Rate limits count per client address, stored only as a keyed hash."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:24]


def month_queries(request, code: str, month: str):
    """Questions residents asked about a published month and the officers' answers, with
    the form to ask one while the disclosure window is open."""
    period, missing = _month(request, code, month)
    if missing:
        return missing
    if request.method == "POST":
        return _ask(request, period)
    return _queries_page(request, period)


def _queries_page(request, period, status: int = 200, draft: str = ""):
    return render(request, "public/month_queries.html", {
        "community": period.community, "period": period, "d": period.disclosure,
        "queries": period.queries.order_by("asked_at"), "draft": draft,
        "window_open": period.disclosure.window_open(),
    }, status=status)


def _ask(request, period):
    if request.POST.get("website"):  # a field people never see: only robots fill it
        return HttpResponseBadRequest("")
    try:
        services.query_ask(period=period, question=request.POST.get("question", ""),
                           contact=request.POST.get("contact", ""),
                           client_key=_client_key(request))
    except PermissionError as exc:
        messages.error(request, str(exc))
        return _queries_page(request, period, status=429)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _queries_page(request, period, status=400,
                             draft=request.POST.get("question", "")[:1000])
    messages.success(request, _("Your query was received. The answer will be published "
                                "here."))
    return redirect("public-query", code=period.community.code, month=period.label)


@login_required
def officer_queries(request):

    scope = communities_for(request.user, Role.OFFICER, Role.REVIEWER)
    queries = (Query.objects.filter(period__community__in=scope)
               .select_related("period__community").order_by("answered_at", "-asked_at")[:200])
    return render(request, "officer/queries.html", {"queries": queries})


@require_POST
@login_required
def answer_query(request, pk: int):

    scope = communities_for(request.user, Role.OFFICER, Role.REVIEWER)
    query = get_object_or_404(Query.objects.select_related("period__community"), pk=pk,
                              period__community__in=scope)
    try:
        services.query_answer(query=query, user=request.user,
                              answer=request.POST.get("answer", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(request, _("Answer published."))
    return redirect("officer-queries")


@login_required
def officer_periods(request):
    """Each community's months: request a close (officer), confirm it (another person, a
    reviewer), publish (officer)."""
    today = timezone.localdate()
    rows = []
    for community in communities_for(request.user):
        first_entry = (Entry.objects.filter(book_id=community.book_id).order_by("date")
                       .values_list("date", flat=True).first())
        periods = {p.month: p for p in community.periods.all()}
        months, month = [], (first_entry or today).replace(day=1)
        while month <= today:
            months.append(periods.get(month) or Period(community=community, month=month))
            month = (month + dt.timedelta(days=32)).replace(day=1)
        rows.append({"community": community, "roles": roles_in(request.user, community),
                     "months": list(reversed(months)), "today": today,
                     "officer": Role.OFFICER, "reviewer": Role.REVIEWER})
    return render(request, "officer/periods.html", {"rows": rows, "today": today})


@require_POST
@login_required
def officer_period_action(request, code: str, month: str, action: str):

    community = get_object_or_404(communities_for(request.user), code=code)
    first = month_of(month)
    if first is None or action not in {"request", "confirm", "publish"}:
        raise Http404
    try:
        if action == "request":
            services.period_request_close(community=community, month=first, officer=request.user)
            messages.success(request, _("Close requested: a reviewer must confirm it."))
        elif action == "confirm":
            services.period_confirm_close(community=community, month=first,
                                          reviewer=request.user)
            messages.success(request, _("%(month)s is closed.") % {"month": month})
        else:

            if not has_role(request.user, community, Role.OFFICER):
                raise PermissionError(_("Only the community's finance officers publish."))
            services.period_publish(community=community, month=first,
                                    actor=request.user.get_username())
            messages.success(request, _("%(month)s is published.") % {"month": month})
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("officer-periods")


def _auditable(user):

    return communities_for(user)  # any role reads statements of its own communities


@login_required
def auditor_home(request):

    rows = []
    for community in _auditable(request.user).select_related("book"):
        checks = IntegrityCheck.objects.filter(community=community)
        rows.append({"community": community,
                     "open_flags": community.red_flags.filter(closed_at__isnull=True).count(),
                     "last": checks.first(),
                     "nightly": checks.filter(ran_by="nightly").first(),
                     "periods": community.periods.order_by("-month")[:24]})
    return render(request, "auditor/home.html", {"rows": rows})


@require_POST
@login_required
def auditor_verify(request, code: str):

    community = get_object_or_404(_auditable(request.user), code=code)
    check = integrity_check(community, request.user.get_username())
    if check.ok:
        messages.success(request, _("%(name)s: %(n)d entries, chain and balances intact.")
                         % {"name": community.name, "n": check.entries})
    else:
        messages.error(request, _("%(name)s: BROKEN - %(problem)s")
                       % {"name": community.name, "problem": check.problems.splitlines()[0]})
    return redirect("auditor-home")


@login_required
def auditor_statements(request, code: str):

    community = get_object_or_404(_auditable(request.user), code=code)
    parties = [("hub", community.hub.name), ("fund", community.fund.name)] + [
        (a.code.split(".", 1)[1], a.name.split("—", 1)[-1])
        for a in community.book.accounts.filter(code__startswith="2202.").order_by("code")]
    record = None
    if "month" in request.GET:
        month = month_of(request.GET.get("month", ""))
        kind = request.GET.get("kind", "period")
        fmt = request.GET.get("format", "pdf")
        party = request.GET.get("party", "") if kind == "party" else ""
        if month is None or kind not in KINDS or fmt not in FORMATS:
            messages.error(request, _("Choose a month, a kind and a format."))
        else:
            try:
                record = request_statement(community=community, month=month, kind=kind,
                                           party=party, fmt=fmt, user=request.user)
            except StatementError as exc:
                messages.error(request, str(exc))
            else:
                if record.state == "failed":
                    messages.error(request, record.error)
                elif record.state == "done":
                    return redirect("auditor-statement-file", pk=record.pk)
    return render(request, "auditor/statements.html", {
        "community": community, "parties": parties, "record": record, "kinds": KINDS,
        "months": [p.label for p in community.periods.order_by("-month")],
    })


@login_required
def auditor_statement_file(request, pk: int):


    record = get_object_or_404(StatementFile, pk=pk, community__in=_auditable(request.user))
    if request.GET.get("status"):
        return JsonResponse({"state": record.state, "error": record.error})
    if record.state != "done":
        return render(request, "auditor/statement_wait.html", {"record": record})
    mime, _renderer = FORMATS[record.fmt]
    name = f"{record.community.code}-{record.month:%Y-%m}-{record.kind}"
    if record.party:
        name += f"-{record.party}"
    return FileResponse(record.file.open("rb"), as_attachment=True,
                        filename=f"{name}.{record.fmt}", content_type=mime)


@login_required
def auditor_flags(request, code: str):

    from django.db.models import BooleanField, Case, ExpressionWrapper, Q, Value, When
    from django.utils.translation import gettext

    from .redflags import RULE_LABELS, SEVERITY_ORDER

    community = get_object_or_404(_auditable(request.user), code=code)
    # Open before closed, then high before low, then the strongest first.
    severity = Case(*(When(severity=k, then=Value(v)) for k, v in SEVERITY_ORDER.items()),
                    default=Value(9))
    flags = (RedFlag.objects.filter(community=community)
             .annotate(severity_rank=severity, is_closed=ExpressionWrapper(
                 Q(closed_at__isnull=False), output_field=BooleanField()))
             .order_by("is_closed", "severity_rank", "-strength", "-updated_at", "-pk")
             .prefetch_related("evidence_items", "events"))
    state = request.GET.get("state", "open")
    if state == "open":
        flags = flags.filter(closed_at__isnull=True)
    elif state == "closed":
        flags = flags.filter(closed_at__isnull=False)
    if request.GET.get("rule"):
        flags = flags.filter(rule=request.GET["rule"])
    if request.GET.get("severity") in {"high", "medium", "low"}:
        flags = flags.filter(severity=request.GET["severity"])
    rules = [(r, gettext(RULE_LABELS.get(r, r))) for r in sorted(
        RedFlag.objects.filter(community=community).values_list("rule", flat=True).distinct())]
    return render(request, "auditor/flags.html", {
        "community": community, "flags": flags[:300], "rules": rules, "filters": request.GET,
        "state": state, "is_auditor": has_role(request.user, community, Role.AUDITOR),
    })


@require_POST
@login_required
def auditor_screen(request, code: str):

    community = get_object_or_404(_auditable(request.user), code=code)
    raised = screen_community(community)
    messages.success(request, _("Screening done: %(n)d new flags.") % {"n": len(raised)})
    return redirect("auditor-flags", code=community.code)


@require_POST
@login_required
def auditor_flag_close(request, code: str, pk: int):

    community = get_object_or_404(_auditable(request.user), code=code)
    flag = get_object_or_404(RedFlag, pk=pk, community=community)
    try:
        flag_close(flag=flag, user=request.user, note=request.POST.get("note", ""))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Flag closed."))
    return redirect("auditor-flags", code=community.code)
