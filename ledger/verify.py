"""Recompute every book's hash chain, every account's running totals, every balance
snapshot of a closed period, and the Merkle root at the size of every signed tree head.

The ledger knows nothing of who signed a head or where it was published: an app that
publishes heads registers a *head source* (register_head_source), and every check -
`manage.py verify_ledger`, the auditor's check, the nightly job - recomputes the root at
each signed size from the rows and compares. Nothing here reads a cache: an insider who
rewrites the rows and re-hashes the chain still cannot make them give a signed root.

Entries are read in keyset-paged chunks (seq > last) with their lines, so memory stays
flat however long the book is. Totals are summed in SQL over integer fen: exact on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.db.models import Case, Count, Sum, When
from django.db.models.functions import Coalesce

from . import merkle
from .chain import EntryRecord, LineRecord, Problem, StoredEntry, canonical, check_chain
from .models import Account, BalanceSnapshot, Book, Entry, Line

CHUNK = 2000


@dataclass(frozen=True)
class SignedHead:
    """A tree head someone signed and published: `label` says which (a community's
    month), `leaves` the leaf hashes it also published, by entry number, with what each
    was (a receipt) - they let a difference be named to the entry. `problem` is what the
    source found wrong with the head itself (its signature, its document)."""

    label: str
    size: int
    root: str  # hex
    leaves: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    problem: str = ""


HeadSource = Callable[[Book], Iterable[SignedHead]]
_head_sources: list[HeadSource] = []


def register_head_source(source: HeadSource) -> None:
    """An app that signs tree heads of books registers where to read them (once, in its
    AppConfig.ready)."""
    if source not in _head_sources:
        _head_sources.append(source)


def signed_heads(book: Book) -> list[SignedHead]:
    return sorted((head for source in _head_sources for head in source(book)), key=lambda h: h.size)


@dataclass
class BookReport:
    book: str
    entries: int
    head_hash: str
    problems: list[Problem] = field(default_factory=list)
    signed_heads: int = 0  # how many signed heads were recomputed

    @property
    def ok(self) -> bool:
        return not self.problems


def stored_entries(book: Book, first: int = 1, last: int | None = None) -> Iterator[StoredEntry]:
    """The book's entries #first..#last (all from #first when last is None), in order."""
    codes = dict(Account.objects.filter(book=book).values_list("id", "code"))
    done = first - 1
    while True:
        entries = Entry.objects.filter(book=book, seq__gt=done)
        if last is not None:
            entries = entries.filter(seq__lte=last)
        rows = list(
            entries.order_by("seq").values_list(
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
        done = rows[-1][1]


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


class _Leaves:
    """Each entry's leaf hash (32 bytes an entry: 32 MB for a million) and id, hashed
    from the canonical bytes the chain check makes, so the roots at the signed sizes are
    recomputed from the same rows in the same read."""

    def __init__(self):
        self.hashes: list[bytes] = []
        self.ids: list[int] = []

    def add(self, stored: StoredEntry, payload: bytes) -> None:
        self.hashes.append(merkle.leaf_hash(payload))
        self.ids.append(stored.id)

    def drain(self, rest: Iterator[StoredEntry]) -> None:
        """Hash what the chain check left (it stops at the first broken entry): the
        roots are recomputed over every entry all the same."""
        for stored in rest:
            self.add(stored, canonical(stored.record))


def head_problems(book: Book, leaves: list[bytes], ids: list[int], heads) -> Iterator[Problem]:
    """Each signed head against the root its size gives over `leaves`. A head that does
    not match names its month and the first entry whose leaf differs from one published
    beside it - or, where none was, the entries the difference lies among (after the
    last head that still matches)."""
    published: dict[int, tuple[str, str]] = {}
    for head in heads:
        published.update(head.leaves)
    good = 0  # the size of the last signed head that matches
    roots = merkle.roots_at(leaves, [h.size for h in heads if h.size <= len(leaves)])
    for head in heads:
        if head.problem:
            yield Problem(book.code, f"the signed head of {head.label}: {head.problem}")
        if head.size > len(leaves):
            yield Problem(
                book.code,
                f"the signed head of {head.label} covers {head.size} entries, "
                f"the book has only {len(leaves)}: history was cut short",
            )
            continue
        recomputed = roots[head.size].hex()
        if recomputed == head.root:
            good = max(good, head.size)
            continue
        differs = [
            seq
            for seq, (leaf, _what) in sorted(published.items())
            if seq <= head.size and leaves[seq - 1].hex() != leaf
        ]
        reason = (
            f"the entries give root {recomputed[:16]}… at size {head.size}, but the signed "
            f"head of {head.label} says {head.root[:16]}…: entries were changed after "
            "they were published"
        )
        if differs:
            seq = differs[0]
            yield Problem(
                book.code,
                f"{reason}; the first entry whose leaf differs from the published one is "
                f"#{seq} ({published[seq][1]})",
                seq,
                ids[seq - 1],
            )
        else:
            yield Problem(
                book.code,
                f"{reason}; the difference lies among entries #{good + 1}-#{head.size}",
                good + 1,
                ids[good] if good < len(ids) else None,
            )


def verify_book(book: Book, heads: Iterable[SignedHead] | None = None) -> BookReport:
    """Recompute the book from its rows: chain, totals, snapshots, and the root at every
    signed head (those of the registered sources unless `heads` are given)."""
    book.refresh_from_db()
    heads = signed_heads(book) if heads is None else sorted(heads, key=lambda h: h.size)
    entries = stored_entries(book)
    # A book nobody signed a head of needs no leaves (bench/ verify: no cost added there).
    leaves = _Leaves() if heads else None
    problems = list(
        check_chain(
            book.code,
            book.currency,
            entries,
            head_seq=book.last_seq,
            head_hash=book.head_hash,
            on_payload=leaves.add if leaves is not None else None,
        )
    )
    if leaves is not None:
        leaves.drain(entries)
        problems.extend(head_problems(book, leaves.hashes, leaves.ids, heads))
    problems.extend(_account_problems(book))
    problems.extend(_snapshot_problems(book))
    return BookReport(
        book=book.code,
        entries=book.last_seq,
        head_hash=book.head_hash,
        problems=problems,
        signed_heads=len(heads),
    )


def verify(books=None) -> list[BookReport]:
    queryset = books if books is not None else Book.objects.order_by("code")
    return [verify_book(book) for book in queryset]
