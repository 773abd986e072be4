"""The only write path into the ledger: `post`, `post_many` and `reverse`, each one
transaction.

Every posting locks its book's row (select_for_update) to take the next sequence
number and the chain head: without the lock two concurrent postings could both read
head N and both write entry N+1. Different books never wait for each other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from djmoney.money import Money

from .bulk import (
    ROWS_PER_STATEMENT,
    Statements,
    ids_matching,
    index_probes_only,
    next_ids_sql,
    probe_sql,
    probes_done,
)
from .chain import EntryRecord, LineRecord, entry_hash
from .models import Account, BalanceSnapshot, Book, Entry, Line
from .selectors import totals_through

# ¥10,000,000,000,000 per line: far beyond any community's books, and far enough from
# the 64-bit limit that no account total can overflow.
MAX_LINE_FEN = 10**15
MEMO_MAX = 500


class LedgerError(ValueError):
    """A posting the ledger refuses. `code` is stable for callers and tests."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Leg:
    """One line to post: an account and a signed amount in fen (debit > 0 > credit)."""

    account: Account
    amount_fen: int
    currency: str
    description: str = ""


def to_fen(amount: Money) -> int:
    """Exact conversion of a Money to integer fen; refuses what is not whole fen."""
    if not isinstance(amount, Money):
        raise LedgerError("not_money", f"amount must be Money, not {type(amount).__name__}")
    value = amount.amount
    try:
        if not value.is_finite():
            raise LedgerError("not_finite", f"amount {value} is not a finite number")
        scaled = value.scaleb(2)
        if scaled != scaled.to_integral_value():
            raise LedgerError("too_many_places", f"amount {value} has more than 2 decimal places")
    except InvalidOperation as exc:  # pragma: no cover - Decimal traps
        raise LedgerError("not_finite", f"amount {value} is not a number") from exc
    fen = int(scaled)
    if abs(fen) > MAX_LINE_FEN:
        raise LedgerError("too_large", f"amount {value} is beyond the ledger's limit")
    return fen


def _leg(account: Account, amount: Money, sign: int, description: str) -> Leg:
    fen = to_fen(amount)
    if fen <= 0:
        raise LedgerError(
            "not_positive", f"a debit or credit must be more than zero, not {amount.amount}"
        )
    return Leg(account, sign * fen, str(amount.currency), description)


def debit(account: Account, amount: Money, description: str = "") -> Leg:
    return _leg(account, amount, +1, description)


def credit(account: Account, amount: Money, description: str = "") -> Leg:
    return _leg(account, amount, -1, description)


def _validate(book: Book, legs: Sequence[Leg], memo: str, actor: str) -> None:
    if len(legs) < 2:
        raise LedgerError("too_few_lines", "an entry needs at least two lines")
    if len(legs) > 1000:
        raise LedgerError("too_many_lines", "an entry has at most 1000 lines")
    if not memo or not memo.strip():
        raise LedgerError("memo_required", "an entry needs a memo")
    if len(memo) > MEMO_MAX:
        raise LedgerError("memo_too_long", f"a memo has at most {MEMO_MAX} characters")
    if not actor or not actor.strip():
        raise LedgerError("actor_required", "an entry needs the name of who posts it")
    for leg in legs:
        if leg.account.book_id != book.pk:
            raise LedgerError(
                "foreign_account", f"account {leg.account.code} is not in book {book.code}"
            )
        if leg.currency != book.currency:
            raise LedgerError(
                "currency_mismatch",
                f"book {book.code} keeps {book.currency}; a line in {leg.currency} is refused",
            )
        if leg.amount_fen == 0 or type(leg.amount_fen) is not int:
            raise LedgerError("zero_line", "a line must have a non-zero amount in whole fen")
        if abs(leg.amount_fen) > MAX_LINE_FEN:
            raise LedgerError("too_large", "a line is beyond the ledger's limit")
    total = sum(leg.amount_fen for leg in legs)
    if total != 0:
        raise LedgerError(
            "unbalanced",
            f"debits and credits differ by {Decimal(total).scaleb(-2)} {book.currency}",
        )


# A line to insert: its (unsaved) entry, position, account id, amount in fen, currency and
# description. Plain tuples: an import makes hundreds of thousands.
_NewLine = tuple[Entry, int, int, int, str, str]


@dataclass(frozen=True)
class Posting:
    """One entry to post: balanced legs, the accounting date, a memo and who posts it."""

    legs: Sequence[Leg]
    date: dt.date
    memo: str
    actor: str
    idempotency_key: str | None = None
    reverses: Entry | None = None
    reason: str = ""


def _lines_of(entry_ids) -> dict[int, list[tuple[int, int]]]:
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for entry_id, account_id, amount in (
        Line.objects.filter(entry_id__in=entry_ids)
        .order_by("entry_id", "position")
        .values_list("entry_id", "account_id", "amount_fen")
    ):
        found[entry_id].append((account_id, amount))
    return found


def _existing(book: Book, postings: Sequence[Posting]) -> dict[str, Entry]:
    """Entries already posted under these postings' idempotency keys; a key reused for
    different lines is refused."""
    keys = sorted({p.idempotency_key for p in postings if p.idempotency_key})
    ids = ids_matching("ledger_entry", "idempotency_key", keys, "r.book_id + 0 = %s", [book.pk])
    # Every entry found here has a key (it was found by it).
    entries = {e.idempotency_key or "": e for e in Entry.objects.filter(pk__in=ids)} if ids else {}
    if entries:
        stored = _lines_of([e.pk for e in entries.values()])
        for p in postings:
            entry = entries.get(p.idempotency_key or "")
            wanted = [(leg.account.pk, leg.amount_fen) for leg in p.legs]
            if entry is not None and stored[entry.pk] != wanted:
                raise LedgerError(
                    "idempotency_conflict",
                    f"idempotency key {p.idempotency_key!r} was already used for entry "
                    f"#{entry.seq} with different lines",
                )
    return entries


def _check(book: Book, posting: Posting) -> Posting:
    _validate(book, posting.legs, posting.memo, posting.actor)
    if not isinstance(posting.date, dt.date) or isinstance(posting.date, dt.datetime):
        raise LedgerError("bad_date", "an entry's date must be a date")
    key = posting.idempotency_key
    if key is not None and not key.strip():
        return replace(posting, idempotency_key=None)
    if key is not None and len(key) > 200:
        raise LedgerError("key_too_long", "an idempotency key has at most 200 characters")
    return posting


def post(
    *,
    book: Book,
    legs: Sequence[Leg],
    date: dt.date,
    memo: str,
    actor: str,
    idempotency_key: str | None = None,
) -> Entry:
    """Post a balanced entry. With an idempotency key already used in this book, the
    existing entry is returned (a retry) - or refused if its lines differ."""
    posting = Posting(legs=legs, date=date, memo=memo, actor=actor, idempotency_key=idempotency_key)
    return post_many(book=book, postings=[posting])[0]


def _tally(lines: Sequence[_NewLine]) -> dict[int, list[int]]:
    """Debits, credits and line count added to each account, by account id."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for _entry, _position, account_id, amount_fen, _currency, _description in lines:
        t = totals[account_id]
        if amount_fen > 0:
            t[0] += amount_fen
        else:
            t[1] -= amount_fen
        t[2] += 1
    return totals


# The write path in plain SQL. It runs for every income and every imported row, and the
# ORM's per-statement compilation cost several times the statements themselves (bench/
# record). The SQL is portable: PostgreSQL and SQLite (3.35+: RETURNING).
_ENTRY_COLUMNS = (
    "book_id",
    "seq",
    "date",
    "memo",
    "actor",
    "idempotency_key",
    "reverses_id",
    "reason",
    "line_count",
    "created_at",
    "prev_hash",
    "hash",
)
_LINE_COLUMNS = ("entry_id", "position", "account_id", "amount_fen", "currency", "description")


def _lock(book: Book, keys: Sequence[str], ids: int = 0) -> tuple[Book, bool, list | None]:
    """The book's row, locked until commit, whether any of `keys` (idempotency keys)
    may already be taken, and on PostgreSQL `ids` new entry ids, in one round trip.

    On PostgreSQL the lock is a statement of its own: the statement after it takes a
    fresh snapshot once the lock is ours, so it sees every key committed by the writer
    we waited for. SQLite transactions are IMMEDIATE: the database is already ours."""
    few = len(keys) <= ROWS_PER_STATEMENT
    taken = "0"
    if keys and few:
        probe = probe_sql("ledger_entry", "idempotency_key", len(keys), "r.book_id + 0 = %s")
        taken = f"(SELECT count(id) FROM ({probe}) AS t)"
    postgres = connection.vendor == "postgresql"
    new_ids = next_ids_sql("ledger_entry") if postgres and ids else "NULL"
    sql = (
        f"SELECT code, currency, last_seq, head_hash, closed_through, {taken}, {new_ids} "
        "FROM ledger_book WHERE id = %s"
    )
    params: list[Any] = [book.pk, *keys] if keys and few else []
    params += [ids] if postgres and ids else []
    params.append(book.pk)
    if connection.features.has_select_for_update:
        sql = "SELECT 1 FROM ledger_book WHERE id = %s FOR UPDATE; " + sql
        params.insert(0, book.pk)
    sql = index_probes_only(sql)  # until the book's new head is written: probes_done()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    if row is None:
        raise Book.DoesNotExist(f"book {book.pk} does not exist")
    closed = row[4]
    if isinstance(closed, str):
        closed = dt.date.fromisoformat(closed)
    locked = Book(
        pk=book.pk,
        code=row[0],
        name=book.name,
        currency=row[1],
        last_seq=row[2],
        head_hash=row[3],
        closed_through=closed,
    )
    locked._state.adding = False
    return locked, bool(row[5]) or (bool(keys) and not few), row[6]


def _entry_row(e: Entry) -> list:
    ops = connection.ops
    return [
        e.book_id,
        e.seq,
        ops.adapt_datefield_value(e.date),
        e.memo,
        e.actor,
        e.idempotency_key,
        e.reverses_id,
        e.reason,
        e.line_count,
        ops.adapt_datetimefield_value(e.created_at),
        e.prev_hash,
        e.hash,
    ]


def _saved(entry: Entry, pk: int) -> None:
    entry.pk = pk
    entry._state.adding = False
    entry._state.db = connection.alias


def _restore_planner() -> None:
    if sql := probes_done():
        with connection.cursor() as cur:
            cur.execute(sql)


def _bump_accounts(totals: dict[int, list[int]]) -> tuple[str, list[int]]:
    """One UPDATE adding the new debits, credits and line counts to every account
    touched: the rows are ours alone, since every posting to this book holds its lock."""
    params: list[int] = []
    cases = []
    for index, column in enumerate(("debit_fen", "credit_fen", "line_count")):
        whens = []
        for pk, t in totals.items():
            whens.append("WHEN %s THEN %s")
            params.extend([pk, t[index]])
        cases.append(f"{column} = {column} + CASE id {' '.join(whens)} ELSE 0 END")
    params.extend(totals)
    return (
        f"UPDATE ledger_account SET {', '.join(cases)} WHERE id IN "
        f"({', '.join(['%s'] * len(totals))})",
        params,
    )


def post_many(
    *,
    book: Book,
    postings: Sequence[Posting],
    savepoint: bool = True,
    writes: Statements | None = None,
) -> list[Entry]:
    """Post several entries to one book in one transaction, in order, taking the book
    lock once: the path for imports, and (with one posting) for everything else.

    All postings are validated before anything is written; one refusal writes nothing.
    Returns one entry per posting: the existing one where its idempotency key was
    already used (also twice within this batch).

    savepoint=False is for callers already in an atomic block that a refusal leaves (it
    rolls back their whole block): it saves two round trips on every posting.

    The entries are written in one round trip where the database allows it (entry ids
    come with the lock). With `writes` (and savepoint=False), the ledger's statements
    are added to it instead, for the caller to add its own rows that refer to the
    entries and run them all together - before leaving its atomic block: until then
    nothing is written."""
    if writes is not None and savepoint:
        raise ValueError("writes= is for callers inside their own atomic block (savepoint=False)")
    postings = [_check(book, p) for p in postings]
    if not postings:
        return []
    if writes is not None:
        # Statements an earlier posting left waiting go first: each posting's statements
        # run between its lock and its book's new head (see index_probes_only).
        writes.run()
    with transaction.atomic(savepoint=savepoint):
        keys = [p.idempotency_key for p in postings if p.idempotency_key]
        locked, maybe_taken, ids = _lock(book, keys, len(postings))
        if locked.closed_through is not None:
            for p in postings:
                if p.date <= locked.closed_through:
                    raise LedgerError(
                        "period_closed",
                        f"book {locked.code} is closed through {locked.closed_through}; "
                        f"an entry dated {p.date} is refused",
                    )
        # Read after the lock: a writer holding it may have committed one of our keys.
        found = _existing(locked, postings) if maybe_taken else {}
        seq, head = locked.last_seq, locked.head_hash
        new_entries: list[Entry] = []
        new_lines: list[_NewLine] = []
        results: list[Entry] = []
        for posting in postings:
            key = posting.idempotency_key
            if key and key in found:
                results.append(found[key])
                continue
            reverses = posting.reverses
            if reverses is not None and (
                any(e.reverses_id == reverses.pk for e in new_entries)
                or Entry.objects.filter(reverses=reverses).exists()
            ):
                raise LedgerError(
                    "already_reversed", f"entry #{reverses.seq} has already been reversed"
                )
            seq += 1
            posted_at = timezone.now()
            record = EntryRecord(
                book=locked.code,
                seq=seq,
                date=posting.date,
                memo=posting.memo,
                actor=posting.actor,
                posted_at=posted_at,
                idempotency_key=key,
                reverses=reverses.seq if reverses is not None else None,
                reason=posting.reason,
                lines=tuple(
                    LineRecord(leg.account.code, leg.amount_fen, leg.currency, leg.description)
                    for leg in posting.legs
                ),
            )
            digest = entry_hash(head, record)
            entry = Entry(
                book=locked,
                seq=seq,
                date=posting.date,
                memo=posting.memo,
                actor=posting.actor,
                idempotency_key=key,
                reverses=reverses,
                reason=posting.reason,
                line_count=len(posting.legs),
                created_at=posted_at,
                prev_hash=head,
                hash=digest,
            )
            head = digest
            new_entries.append(entry)
            new_lines.extend(
                (entry, position, leg.account.pk, leg.amount_fen, leg.currency, leg.description)
                for position, leg in enumerate(posting.legs, start=1)
            )
            results.append(entry)
            if key:
                found[key] = entry
        if not new_entries:
            _restore_planner()
            return results

        run = writes is None
        if writes is None:
            writes = Statements()
        entry_rows = [_entry_row(e) for e in new_entries]
        if ids is not None:
            for entry, pk in zip(new_entries, ids, strict=False):
                _saved(entry, pk)
            writes.insert(
                "ledger_entry",
                ("id", *_ENTRY_COLUMNS),
                [[e.pk, *row] for e, row in zip(new_entries, entry_rows, strict=True)],
            )
        else:  # SQLite: ids as the rows go in
            for entry, pk in zip(
                new_entries,
                writes.run_inserting("ledger_entry", _ENTRY_COLUMNS, entry_rows),
                strict=True,
            ):
                _saved(entry, pk)
        writes.insert(
            "ledger_line", _LINE_COLUMNS, [[entry.pk, *rest] for entry, *rest in new_lines]
        )
        writes.add(*_bump_accounts(_tally(new_lines)))
        writes.add(
            probes_done("UPDATE ledger_book SET last_seq = %s, head_hash = %s WHERE id = %s"),
            [seq, head, locked.pk],
        )
        if run:
            writes.run()
        book.last_seq, book.head_hash = seq, head
    return results


def reverse(
    entry: Entry,
    *,
    reason: str,
    actor: str,
    date: dt.date | None = None,
    memo: str | None = None,
) -> Entry:
    """Post the mirror of `entry`, linked to it, with a reason. An entry is reversed at
    most once, and a reversal is not itself reversed (post the entry again instead)."""
    if not reason or not reason.strip():
        raise LedgerError("reason_required", "a reversal needs a reason")
    if len(reason) > MEMO_MAX:
        raise LedgerError("reason_too_long", f"a reason has at most {MEMO_MAX} characters")
    if entry.reverses_id is not None:
        raise LedgerError(
            "reversal_of_reversal", f"entry #{entry.seq} is a reversal and cannot be reversed"
        )
    lines = list(entry.lines.select_related("account").order_by("position"))
    legs = [Leg(line.account, -line.amount_fen, line.currency, line.description) for line in lines]
    if memo is None:
        memo = f"冲销 #{entry.seq} {entry.memo}"[:MEMO_MAX]
    posting = Posting(
        legs=legs,
        date=date or timezone.localdate(),
        memo=memo,
        actor=actor,
        reverses=entry,
        reason=reason,
    )
    return post_many(book=entry.book, postings=[posting])[0]


def close_through(*, book: Book, date: dt.date) -> Book:
    """Close the book up to `date`: later postings must be dated after it. Never reopens.
    Writes every account's totals through `date` (BalanceSnapshot), from the previous
    snapshot and the lines since, so balances as at a closed date never scan the book."""
    with transaction.atomic():
        locked, _taken, _ids = _lock(book, [])
        if locked.closed_through is not None and date < locked.closed_through:
            raise LedgerError(
                "reopen",
                f"book {locked.code} is already closed through "
                f"{locked.closed_through}; it is never reopened",
            )
        _restore_planner()
        Book.objects.filter(pk=locked.pk).update(closed_through=date)
        book.closed_through = date
        if not BalanceSnapshot.objects.filter(book_id=book.pk, through=date).exists():
            BalanceSnapshot.objects.bulk_create(
                BalanceSnapshot(
                    book_id=book.pk,
                    account_id=account_id,
                    through=date,
                    debit_fen=dr,
                    credit_fen=cr,
                    line_count=n,
                )
                for account_id, (dr, cr, n) in totals_through(book, date, by_id=True).items()
            )
    return book


def accounts_of(book_id: int, codes: Iterable[str] | None = None) -> dict[str, Account]:
    """A book's accounts by code (all, or those of `codes`), for posting: plain SQL, read
    once per posting batch. Their running totals are left out; read balances through
    ledger.selectors."""
    sql = "SELECT id, code, name, type FROM ledger_account WHERE book_id = %s"
    params: list[Any] = [book_id]
    if codes is not None:
        codes = sorted(set(codes))
        sql += f" AND code IN ({', '.join(['%s'] * len(codes))})"
        params += codes
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    found = {}
    for pk, code, name, type_ in rows:
        account = Account(pk=pk, book_id=book_id, code=code, name=name, type=type_)
        account._state.adding = False
        account._state.db = connection.alias
        found[code] = account
    return found


def create_book(*, code: str, name: str, currency: str = "CNY") -> Book:
    return Book.objects.create(code=code, name=name, currency=currency)


def open_account(*, book: Book, code: str, name: str, type: str) -> Account:
    return Account.objects.create(book=book, code=code, name=name, type=type)
