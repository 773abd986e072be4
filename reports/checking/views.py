"""The auditors' side of residents' checking (/auditor/<code>/receipts/): the month's
figures, residents' questions about receipts, and a random sample of the receipts
nobody checked, with the payer's name - for the community's auditors only (officers,
whose records these are, never see which receipts will be called about)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fundmgr.access import communities_for
from fundmgr.lib.dates import parse_month
from fundmgr.models import Income, Role
from reports.models import PeriodState

from .models import Concern, Outcome, PhoneConfirmation
from .selectors import month_checks, unchecked_sample
from .services import confirmation_record


def _audited(user):
    return communities_for(user, Role.AUDITOR)


@login_required
def auditor_receipts(request, code: str):
    community = get_object_or_404(_audited(request.user), code=code)
    published = community.periods.filter(state=PeriodState.PUBLISHED).order_by("-month")
    month = parse_month(request.GET.get("month", ""))
    period = published.filter(month=month).first() if month else published.first()
    context = {"community": community, "months": [p.label for p in published], "period": period}
    if period is not None:
        context.update(
            checks=month_checks(period),
            concerns=Concern.objects.filter(query__period__community=community)
            .select_related("query__period")
            .order_by("-query__asked_at")[:100],
            sample=unchecked_sample(period),
            confirmations=PhoneConfirmation.objects.filter(period=period)
            .select_related("income")
            .order_by("-at"),
            outcomes=Outcome.choices,
        )
    return render(request, "auditor/receipts.html", context)


@require_POST
@login_required
def auditor_confirm(request, code: str, pk: int):
    community = get_object_or_404(_audited(request.user), code=code)
    income = get_object_or_404(Income.objects.select_related("entry"), pk=pk, community=community)
    try:
        confirmation_record(
            income=income,
            user=request.user,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Recorded the call about receipt %(code)s.") % {"code": income.receipt_display},
        )
    month = income.entry.date.strftime("%Y-%m") if income.entry else ""
    return redirect(f"{reverse('auditor:receipts', args=[community.code])}?month={month}")
