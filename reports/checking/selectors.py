"""Reads of residents' checking: a month's figures (public) and the auditors' sample."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from fundmgr.models import Income, IncomeStatus
from reports.models import Period

from .models import Concern, ReceiptCheck

SAMPLE_SIZE = 10


def _month_incomes(period: Period):
    # The same incomes as the month's document: those booked (entry dated) in the month.
    return Income.objects.filter(
        community_id=period.community_id,
        entry__date__gte=period.month,
        entry__date__lte=period.last_day,
    )


def month_checks(period: Period) -> dict:
    """How many of the month's receipts their payers looked up after publication, and
    how many residents' questions came from a look-up gone wrong."""
    receipts = _month_incomes(period).count()
    checked = ReceiptCheck.objects.filter(period=period).count()
    share = (
        (Decimal(100) * checked / receipts).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if receipts
        else Decimal("0.0")
    )
    return {
        "receipts": receipts,
        "checked": checked,
        "percent": f"{share}",
        "questions": Concern.objects.filter(query__period=period).count(),
    }


def unchecked_sample(period: Period, size: int = SAMPLE_SIZE) -> list[Income]:
    """A random sample of the month's receipts that nobody looked up and no auditor has
    called about yet - for the auditors only: it names the payer."""
    return list(
        _month_incomes(period)
        .filter(status=IncomeStatus.POSTED, public_check__isnull=True, confirmations__isnull=True)
        .select_related("package", "entry")
        .order_by("?")[:size]
    )
