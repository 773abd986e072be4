"""Whether a book makes sense, not only adds up: day-end balances that cannot happen.

Integrity (`verify`) proves nothing was changed; it cannot tell that a cash account was
overdrawn on 15 October or a payable paid twice over. Here every account of a kind that
cannot be negative - what is held (assets), what is owed (liabilities) and what is kept
for a purpose (equity) - is followed day by day, in its normal direction, and the first
day-end below zero is named. A back-dated line changes every later day, so a payment is
allowed only when the account holds it on its own day and on every day after.

Reads are one grouped query per book (or per account): the day-end balances of a year
are a few hundred rows whatever the number of lines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Sum

from .models import Account, AccountType, Book, Line, normal_fen
from .selectors import balance_fen

# Kinds of account whose balance, in its normal direction, can never be below zero.
NEVER_NEGATIVE = frozenset({AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY})


@dataclass(frozen=True)
class Overdraft:
    """An account below zero at the end of a day (balance in its normal direction)."""

    account: str
    name: str
    date: dt.date
    balance_fen: int


@dataclass(frozen=True)
class Lowest:
    """The lowest day-end balance of an account from a date on, and the day it falls."""

    balance_fen: int
    date: dt.date


def _as_date(value) -> dt.date:
    """SQLite's raw cursor gives a date column back as text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def daily_changes(
    book: Book, account_ids: Iterable[int] | None = None, after: dt.date | None = None
) -> dict[int, list[tuple[dt.date, int]]]:
    """Net debits minus credits per account and entry date, in date order."""
    lines = Line.objects.filter(entry__book_id=book.pk)
    if account_ids is not None:
        lines = lines.filter(account_id__in=list(account_ids))
    if after is not None:
        lines = lines.filter(entry__date__gt=after)
    changes: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for account_id, date, net in (
        lines.values_list("account_id", "entry__date")
        .annotate(net=Sum("amount_fen"))
        .order_by("entry__date", "account_id")
    ):
        changes[account_id].append((date, net))
    return changes


def overdrafts(
    book: Book,
    codes: Iterable[str] | None = None,
    *,
    since: dt.date | None = None,
    through: dt.date | None = None,
) -> list[Overdraft]:
    """For each account that ends a day below zero, its first such day, earliest first.
    `codes` limits the accounts; by default every asset, liability and equity account of
    the book. `since` and `through` limit the days looked at (the balances still come
    from the whole history): a month is checked for its own days."""
    accounts = Account.objects.filter(book_id=book.pk)
    if codes is not None:
        accounts = accounts.filter(code__in=list(codes))
    else:
        accounts = accounts.filter(type__in=NEVER_NEGATIVE)
    by_id = {a.pk: a for a in accounts}
    found = []
    for account_id, days in daily_changes(book, by_id).items():
        account, balance = by_id[account_id], 0
        for i, (date, net) in enumerate(days):
            balance += normal_fen(account.type, net)
            if through is not None and date > through:
                break
            # A balance carried into the window from before it counts on its first day.
            in_window = (
                since is None or date >= since or (i + 1 == len(days) or days[i + 1][0] > since)
            )
            if balance < 0 and in_window:
                found.append(
                    Overdraft(account.code, account.name, max(date, since or date), balance)
                )
                break
    return sorted(found, key=lambda o: (o.date, o.account))


def lowest_from(book: Book, account: Account, date: dt.date) -> Lowest:
    """The lowest day-end balance of `account` (normal direction) on `date` and every
    later day with entries: what a payment dated `date` may take out at most.

    Read backwards from the account's running totals (one row), so only the lines dated
    after `date` are summed: a payment dated today reads no lines at all."""
    balance = balance_fen(book, account.code)
    # Plain SQL: payouts and reversals ask this under the book lock, and composing the
    # ORM query took longer than answering it (bench/ balance).
    with connection.cursor() as cur:
        cur.execute(
            "SELECT e.date, SUM(l.amount_fen) FROM ledger_line l "
            "JOIN ledger_entry e ON e.id = l.entry_id "
            "WHERE l.account_id = %s AND e.date > %s "
            "GROUP BY e.date ORDER BY e.date",
            [account.pk, date],
        )
        later = [(_as_date(day), int(net)) for day, net in cur.fetchall()]
    balance -= normal_fen(account.type, sum(net for _day, net in later))
    lowest = Lowest(balance, date)
    for day, net in later:
        balance += normal_fen(account.type, net)
        if balance < lowest.balance_fen:
            lowest = Lowest(balance, day)
    return lowest


@dataclass(frozen=True)
class Shortfall:
    """Taking `amount_fen` out of `account` from `date` on would leave it below zero at
    the end of `lowest.date`."""

    account: Account
    amount_fen: int
    lowest: Lowest

    @property
    def short_fen(self) -> int:
        return self.amount_fen - self.lowest.balance_fen


def shortfalls(book: Book, takes: Iterable[tuple[Account, int]], on: dt.date) -> list[Shortfall]:
    """For each (account, fen) a posting dated `on` would take out (lower in its normal
    direction), whether the account holds it on that day and every later one. Call under
    the book's lock, so no other posting moves the balances in between."""
    found = []
    for account, fen in takes:
        lowest = lowest_from(book, account, on)
        if fen > lowest.balance_fen:
            found.append(Shortfall(account, fen, lowest))
    return found


def imbalance_fen(book: Book) -> int:
    """The sum of every line of the book: zero when debits equal credits."""
    return Line.objects.filter(entry__book_id=book.pk).aggregate(t=Sum("amount_fen"))["t"] or 0
