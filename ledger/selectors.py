"""Reads of the ledger: balances as at a date, summed over integer fen in SQL."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from .models import Book, Line


def net_by_account(book: Book, *, through: dt.date | None = None,
                   before: dt.date | None = None) -> dict[str, int]:
    """Debits minus credits per account code, over entries dated up to `through`
    (inclusive) or before `before` (exclusive)."""
    lines = Line.objects.filter(entry__book=book)
    if through is not None:
        lines = lines.filter(entry__date__lte=through)
    if before is not None:
        lines = lines.filter(entry__date__lt=before)
    return {row["account__code"]: row["net"] for row in
            lines.values("account__code").annotate(net=Sum("amount_fen")).order_by()}


def totals_by_account(book: Book, *, through: dt.date) -> dict[str, tuple[int, int]]:
    """(debits, credits) per account code over entries dated up to `through`."""
    from django.db.models import Case, IntegerField, When

    rows = (Line.objects.filter(entry__book=book, entry__date__lte=through)
            .values("account__code")
            .annotate(dr=Sum(Case(When(amount_fen__gt=0, then="amount_fen"), default=0,
                                  output_field=IntegerField())),
                      cr=Sum(Case(When(amount_fen__lt=0, then="amount_fen"), default=0,
                                  output_field=IntegerField())))
            .order_by())
    return {r["account__code"]: (r["dr"] or 0, -(r["cr"] or 0)) for r in rows}
