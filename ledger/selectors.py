"""Reads of the ledger: balances as at a date, in integer fen.

Balances as at a date start from the latest balance snapshot at or before it (written
when the book was closed through that date) and add only the lines after it: reading a
closed month's balances costs that month's lines, not the whole book's (bench/ balance).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Max, Sum, When

from .models import Account, BalanceSnapshot, Book, Line, normal_fen


def totals_through(
    book: Book, date: dt.date, *, by_id: bool = False
) -> dict[Any, tuple[int, int, int]]:
    """(debits, credits, lines) of every account over entries dated up to `date`, by
    account code (or id)."""
    accounts = dict(Account.objects.filter(book_id=book.pk).values_list("pk", "code"))
    totals = dict.fromkeys(accounts, (0, 0, 0))
    base = BalanceSnapshot.objects.filter(book_id=book.pk, through__lte=date).aggregate(
        latest=Max("through")
    )["latest"]
    if base is not None:
        for account_id, dr, cr, n in BalanceSnapshot.objects.filter(
            book_id=book.pk, through=base
        ).values_list("account_id", "debit_fen", "credit_fen", "line_count"):
            totals[account_id] = (dr, cr, n)
    if base != date:
        lines = Line.objects.filter(entry__book_id=book.pk, entry__date__lte=date)
        if base is not None:
            lines = lines.filter(entry__date__gt=base)
        for row in (
            lines.values("account_id")
            .order_by()
            .annotate(
                dr=Sum(Case(When(amount_fen__gt=0, then="amount_fen"), default=0)),
                cr=Sum(Case(When(amount_fen__lt=0, then="amount_fen"), default=0)),
                n=Count("id"),
            )
        ):
            dr, cr, n = totals[row["account_id"]]
            totals[row["account_id"]] = (dr + row["dr"], cr - row["cr"], n + row["n"])
    return totals if by_id else {accounts[pk]: t for pk, t in totals.items()}


def _through(through: dt.date | None, before: dt.date | None) -> dt.date | None:
    if through is not None and before is not None:
        return min(through, before - dt.timedelta(days=1))
    return (
        through
        if through is not None
        else (before - dt.timedelta(days=1) if before is not None else None)
    )


def _current(book: Book) -> dict[str, tuple[int, int, int]]:
    return {
        code: (dr, cr, n)
        for code, dr, cr, n in Account.objects.filter(book_id=book.pk).values_list(
            "code", "debit_fen", "credit_fen", "line_count"
        )
    }


def net_by_account(
    book: Book, *, through: dt.date | None = None, before: dt.date | None = None
) -> dict[str, int]:
    """Debits minus credits per account code (accounts with lines), over entries dated up
    to `through` (inclusive) or before `before` (exclusive); with neither, all of them
    (the running totals)."""
    last = _through(through, before)
    totals = _current(book) if last is None else totals_through(book, last)
    return {code: dr - cr for code, (dr, cr, n) in totals.items() if n}


def totals_by_account(book: Book, *, through: dt.date) -> dict[str, tuple[int, int]]:
    """(debits, credits) per account code (accounts with lines) over entries dated up to
    `through`."""
    return {code: (dr, cr) for code, (dr, cr, n) in totals_through(book, through).items() if n}


def balance_fen(book: Book, code: str) -> int:
    """An account's balance now, in its normal direction (a payable owed is positive):
    its running totals, one row read through the (book, code) index. Plain SQL: payouts
    check it under the book lock, and the ORM took longer to compose the query than the
    database took to answer it (bench/ balance)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT debit_fen, credit_fen, type FROM ledger_account "
            "WHERE book_id = %s AND code = %s",
            [book.pk, code],
        )
        row = cur.fetchone()
    if row is None:
        raise Account.DoesNotExist(f"no account {code} in book {book.code}")
    net = row[0] - row[1]
    return normal_fen(row[2], net)
