"""The auditor area (/auditor/, namespace `auditor:`): read-only for any role in the
community. Ledger integrity (verify now, and the nightly run), statements in PDF, CSV
and XLSX, and the red flags with their closing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, ExpressionWrapper, Q, Value, When
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fundmgr.access import communities_for, has_role
from fundmgr.chart import PROVIDER_ACCOUNT_PREFIX, party_name, provider_code_of
from fundmgr.lib.dates import parse_month
from fundmgr.models import Role

from .. import services
from ..checking.models import Concern
from ..models import IntegrityCheck, RedFlag, StatementFile
from ..redflags.rules import RULE_LABELS, SEVERITY_ORDER
from ..redflags.screening import community_screen
from .formats import FORMATS
from .statements import KINDS, StatementError

# The statements offered, in the order of the form.
STATEMENT_KINDS = [
    ("period", gettext_lazy("Period statement (published month)")),
    ("party", gettext_lazy("Party statement")),
    ("trial-balance", gettext_lazy("Trial balance at month end")),
    ("journal", gettext_lazy("Journal vouchers")),
    ("audit-trail", gettext_lazy("Audit trail")),
]
STATE_LABELS = {
    "queued": gettext_lazy("Waiting for its turn"),
    "running": gettext_lazy("Being drawn"),
    "done": gettext_lazy("Ready"),
    "failed": gettext_lazy("Failed"),
}


def _auditable(user):
    return communities_for(user)  # any role reads statements of its own communities


@login_required
def auditor_home(request):
    rows = []
    for community in _auditable(request.user).select_related("book"):
        checks = IntegrityCheck.objects.filter(community=community)
        rows.append(
            {
                "community": community,
                "open_flags": community.red_flags.filter(closed_at__isnull=True).count(),
                "concerns": Concern.objects.filter(query__period__community=community).count(),
                "last": checks.first(),
                "nightly": checks.filter(ran_by="nightly").first(),
                "periods": community.periods.order_by("-month")[:24],
            }
        )
    return render(request, "auditor/home.html", {"rows": rows})


@require_POST
@login_required
def auditor_verify(request, code: str):
    community = get_object_or_404(_auditable(request.user), code=code)
    check = services.integrity_verify(community, request.user.get_username())
    if check.ok:
        messages.success(
            request,
            _("%(name)s: %(n)d entries; chain, balances and every signed monthly root intact.")
            % {"name": community.name, "n": check.entries},
        )
    else:
        messages.error(
            request,
            _("%(name)s: BROKEN - %(problem)s")
            % {"name": community.name, "problem": check.problems.splitlines()[0]},
        )
    return redirect("auditor:home")


@login_required
def auditor_statements(request, code: str):
    community = get_object_or_404(_auditable(request.user), code=code)
    parties = [("hub", community.hub.name), ("fund", community.fund.name)] + [
        (provider_code_of(a.code), party_name(a))
        for a in community.book.accounts.filter(code__startswith=PROVIDER_ACCOUNT_PREFIX).order_by(
            "code"
        )
    ]
    record, refused = None, False
    # The choices made are shown again when the form comes back (issue 14: a refused
    # request reset month and kind to the defaults).
    months = [p.label for p in community.periods.order_by("-month")]
    chosen = {
        "month": request.POST.get("month", "") or (months[0] if months else ""),
        "kind": request.POST.get("kind", "period"),
        "party": request.POST.get("party", ""),
        "format": request.POST.get("format", "pdf"),
    }
    # A POST: asking for a statement writes a StatementFile row, and a GET writes
    # nothing (issue 21: crawlers and prefetches made rows).
    if request.method == "POST":
        month = parse_month(request.POST.get("month", ""))
        kind = request.POST.get("kind", "period")
        fmt = request.POST.get("format", "pdf")
        party = request.POST.get("party", "") if kind == "party" else ""
        if party and party not in {p for p, _name in parties}:
            messages.error(request, _("Choose a party from the list."))
            refused = True
        elif month is None or kind not in KINDS or fmt not in FORMATS:
            messages.error(request, _("Choose a month, a kind and a format."))
            refused = True
        else:
            try:
                record = services.statement_request(
                    community=community,
                    month=month,
                    kind=kind,
                    party=party,
                    fmt=fmt,
                    user=request.user,
                )
            except StatementError as exc:
                messages.error(request, str(exc))
                refused = True
            else:
                if record.state == "failed":
                    messages.error(request, record.error)
                    refused = True
                else:
                    # Done: the file itself. Queued or running: its job page, which
                    # shows the progress and then the download link (issue 14: the
                    # first click gave back the bare form).
                    return redirect("auditor:statement-file", pk=record.pk)
    return render(
        request,
        "auditor/statements.html",
        {
            "community": community,
            "parties": parties,
            "record": record,
            "kinds": KINDS,
            "months": months,
            "chosen": chosen,
            "statement_kinds": STATEMENT_KINDS,
            "formats": [("pdf", "PDF"), ("csv", "CSV"), ("xlsx", "XLSX")],
        },
        status=400 if refused else 200,
    )


@login_required
def auditor_statement_file(request, pk: int):
    record = get_object_or_404(StatementFile, pk=pk, community__in=_auditable(request.user))
    if request.GET.get("status"):
        return JsonResponse(
            {
                "state": record.state,
                "state_label": str(STATE_LABELS.get(record.state, record.state)),
                "error": record.error,
            }
        )
    if record.state != "done":
        return render(
            request,
            "auditor/statement_wait.html",
            {
                "record": record,
                "state_label": STATE_LABELS.get(record.state, record.state),
                "kind_label": dict(STATEMENT_KINDS).get(record.kind, record.kind),
            },
        )
    mime, _renderer = FORMATS[record.fmt]
    name = f"{record.community.code}-{record.month:%Y-%m}-{record.kind}"
    if record.party:
        name += f"-{record.party}"
    return FileResponse(
        record.file.open("rb"),
        as_attachment=True,
        filename=f"{name}.{record.fmt}",
        content_type=mime,
    )


@login_required
def auditor_flags(request, code: str):
    community = get_object_or_404(_auditable(request.user), code=code)
    # Open before closed, then high before low, then the strongest first.
    severity = Case(
        *(When(severity=k, then=Value(v)) for k, v in SEVERITY_ORDER.items()), default=Value(9)
    )
    flags = (
        RedFlag.objects.filter(community=community)
        .annotate(
            severity_rank=severity,
            is_closed=ExpressionWrapper(Q(closed_at__isnull=False), output_field=BooleanField()),
        )
        .order_by("is_closed", "severity_rank", "-strength", "-updated_at", "-pk")
        .prefetch_related("evidence_items", "events")
    )
    state = request.GET.get("state", "open")
    if state == "open":
        flags = flags.filter(closed_at__isnull=True)
    elif state == "closed":
        flags = flags.filter(closed_at__isnull=False)
    if request.GET.get("rule"):
        flags = flags.filter(rule=request.GET["rule"])
    if request.GET.get("severity") in {"high", "medium", "low"}:
        flags = flags.filter(severity=request.GET["severity"])
    rules = [
        (r, gettext(RULE_LABELS.get(r, r)))
        for r in sorted(
            set(RedFlag.objects.filter(community=community).values_list("rule", flat=True))
        )
    ]
    return render(
        request,
        "auditor/flags.html",
        {
            "community": community,
            "flags": flags[:300],
            "rules": rules,
            "filters": request.GET,
            "state": state,
            "is_auditor": has_role(request.user, community, Role.AUDITOR),
        },
    )


@require_POST
@login_required
def auditor_screen(request, code: str):
    community = get_object_or_404(_auditable(request.user), code=code)
    raised = community_screen(community)
    messages.success(request, _("Screening done: %(n)d new flags.") % {"n": len(raised)})
    return redirect("auditor:flags", code=community.code)


@require_POST
@login_required
def auditor_flag_close(request, code: str, pk: int):
    community = get_object_or_404(_auditable(request.user), code=code)
    flag = get_object_or_404(RedFlag, pk=pk, community=community)
    try:
        services.flag_close(flag=flag, user=request.user, note=request.POST.get("note", ""))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Flag closed."))
    return redirect("auditor:flags", code=community.code)
