"""Recompute every book's hash chain, every account's running totals and every balance
snapshot of a closed period.

Entries are read in keyset-paged chunks (seq > last) with their lines, so memory stays
flat however long the book is. Totals are summed in SQL over integer fen: exact on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Case, Count, Sum, When
from django.db.models.functions import Coalesce

from .chain import EntryRecord, LineRecord, Problem, StoredEntry, check_chain
from .models import Account, BalanceSnapshot, Book, Entry, Line

CHUNK = 2000


@dataclass
class BookReport:
    book: str
    entries: int
    head_hash: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def stored_entries(book: Book) -> Iterator[StoredEntry]:
    codes = dict(Account.objects.filter(book=book).values_list("id", "code"))
    last = 0
    while True:
        rows = list(
            Entry.objects.filter(book=book, seq__gt=last)
            .order_by("seq")
            .values_list(
                "id",
                "seq",
                "date",
                "memo",
                "actor",
                "created_at",
                "idempotency_key",
                "reverses__seq",
                "reason",
                "line_count",
                "prev_hash",
                "hash",
            )[:CHUNK]
        )
        if not rows:
            return
        lines: dict[int, list[LineRecord]] = {row[0]: [] for row in rows}
        for entry_id, account_id, amount, currency, description in (
            Line.objects.filter(entry_id__in=lines.keys())
            .order_by("entry_id", "position")
            .values_list("entry_id", "account_id", "amount_fen", "currency", "description")
        ):
            lines[entry_id].append(
                LineRecord(codes.get(account_id, f"?{account_id}"), amount, currency, description)
            )
        for eid, seq, date, memo, actor, posted_at, key, rev, reason, n, prev, digest in rows:
            record = EntryRecord(
                book=book.code,
                seq=seq,
                date=date,
                memo=memo,
                actor=actor,
                posted_at=posted_at,
                idempotency_key=key,
                reverses=rev,
                reason=reason,
                lines=tuple(lines[eid]),
            )
            yield StoredEntry(id=eid, record=record, prev_hash=prev, hash=digest, line_count=n)
        last = rows[-1][1]


def _account_problems(book: Book) -> Iterator[Problem]:
    sums = (
        Line.objects.filter(account__book=book)
        .values("account_id")
        .annotate(
            dr=Coalesce(Sum(Case(When(amount_fen__gt=0, then="amount_fen"), default=0)), 0),
            cr=Coalesce(Sum(Case(When(amount_fen__lt=0, then="amount_fen"), default=0)), 0),
            n=Count("id"),
        )
        .order_by()
    )
    actual = {row["account_id"]: (row["dr"], -row["cr"], row["n"]) for row in sums}
    for account in Account.objects.filter(book=book).order_by("code"):
        dr, cr, n = actual.get(account.pk, (0, 0, 0))
        if (account.debit_fen, account.credit_fen, account.line_count) != (dr, cr, n):
            yield Problem(
                book.code,
                f"account {account.code} totals say debits {account.debit_fen}, credits "
                f"{account.credit_fen}, {account.line_count} lines; its lines give "
                f"{dr}, {cr}, {n}",
            )


def _snapshot_problems(book: Book) -> Iterator[Problem]:
    """Every balance snapshot against the lines: daily sums per account, accumulated."""
    snapshots = list(
        BalanceSnapshot.objects.filter(book=book)
        .order_by("through", "account_id")
        .values_list(
            "through", "account_id", "debit_fen", "credit_fen", "line_count", "account__code"
        )
    )
    if not snapshots:
        return
    daily = (
        Line.objects.filter(entry__book=book, entry__date__lte=snapshots[-1][0])
        .values("entry__date", "account_id")
        .annotate(
            dr=Coalesce(Sum(Case(When(amount_fen__gt=0, then="amount_fen"), default=0)), 0),
            cr=Coalesce(Sum(Case(When(amount_fen__lt=0, then="amount_fen"), default=0)), 0),
            n=Count("id"),
        )
        .order_by("entry__date")
    )
    running: dict[int, list[int]] = {}
    days = iter(daily)
    pending = next(days, None)
    for through, account_id, dr, cr, n, code in snapshots:
        while pending is not None and pending["entry__date"] <= through:
            t = running.setdefault(pending["account_id"], [0, 0, 0])
            t[0] += pending["dr"]
            t[1] -= pending["cr"]
            t[2] += pending["n"]
            pending = next(days, None)
        actual = tuple(running.get(account_id, (0, 0, 0)))
        if (dr, cr, n) != actual:
            yield Problem(
                book.code,
                f"the snapshot of account {code} through {through} says "
                f"{dr}, {cr}, {n} lines; its lines give "
                f"{actual[0]}, {actual[1]}, {actual[2]}",
            )


def verify_book(book: Book) -> BookReport:
    book.refresh_from_db()
    problems = list(
        check_chain(
            book.code,
            book.currency,
            stored_entries(book),
            head_seq=book.last_seq,
            head_hash=book.head_hash,
        )
    )
    problems.extend(_account_problems(book))
    problems.extend(_snapshot_problems(book))
    return BookReport(
        book=book.code, entries=book.last_seq, head_hash=book.head_hash, problems=problems
    )


def verify(books=None) -> list[BookReport]:
    queryset = books if books is not None else Book.objects.order_by("code")
    return [verify_book(book) for book in queryset]
