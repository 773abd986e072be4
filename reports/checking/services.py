"""The writes of residents' checking, each one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fundmgr.access import has_role
from fundmgr.lib.dates import parse_month
from fundmgr.models import Income, Role
from reports.models import Period, PeriodState
from reports.services import query_ask

from .models import Concern, ConcernKind, Outcome, PhoneConfirmation, ReceiptCheck


def receipt_looked_up(*, income: Income, month: str) -> None:
    """Count a look-up of a published receipt (the page or the API): a conditional
    UPDATE, and the first look-up inserts - nothing about who looked is kept."""
    if ReceiptCheck.objects.filter(income=income).update(lookups=F("lookups") + 1):
        return
    first = parse_month(month)
    period = Period.objects.filter(
        community_id=income.community_id, month=first, state=PeriodState.PUBLISHED
    ).first()
    if period is None:
        return
    try:
        with transaction.atomic():
            ReceiptCheck.objects.create(income=income, period=period, first_at=timezone.now())
    except IntegrityError:  # another look-up got there first
        ReceiptCheck.objects.filter(income=income).update(lookups=F("lookups") + 1)


@transaction.atomic
def concern_ask(
    *, period: Period, question: str, contact: str, client_key: str, kind: str, receipt: str
) -> Concern:
    """A resident's question about a receipt look-up gone wrong: a query of the month
    (reports.services.query_ask: its window, its limits) marked so that the auditors
    see it and the month page counts it."""
    if kind not in ConcernKind.values:
        raise ValidationError(_("Unknown kind of receipt question."))
    query = query_ask(period=period, question=question, contact=contact, client_key=client_key)
    return Concern.objects.create(query=query, kind=kind, receipt=receipt.strip()[:40])


@transaction.atomic
def confirmation_record(*, income: Income, user, outcome: str, note: str) -> PhoneConfirmation:
    """An auditor records the call to the payer of a receipt nobody checked."""
    if not has_role(user, income.community, Role.AUDITOR):
        raise PermissionError(_("Only the community's auditors confirm receipts by phone."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose what the payer said.")})
    note = note.strip()
    if len(note) > 300:
        raise ValidationError({"note": _("At most 300 characters.")})
    if outcome == Outcome.DISPUTED and not note:
        raise ValidationError({"note": _("Say what the payer disputes.")})
    period = (
        Period.objects.filter(
            community_id=income.community_id,
            month=income.entry.date.replace(day=1) if income.entry else None,
            state=PeriodState.PUBLISHED,
        ).first()
        if income.entry
        else None
    )
    if period is None:
        raise ValidationError(_("Only receipts of a published month are confirmed."))
    return PhoneConfirmation.objects.create(
        income=income, period=period, outcome=outcome, note=note, by=user.get_username()
    )
