"""Canonical serialisation and the per-book SHA-256 hash chain: pure functions, no ORM.

    hash_n = SHA-256(bytes(hash_{n-1}) ‖ canonical(entry_n)),   hash_0 = 32 zero bytes

The canonical form is UTF-8 JSON with sorted keys and no spaces. It covers everything
that gives an entry its meaning: book, number, date, memo, actor, idempotency key,
what it reverses and why, when it was posted, and every line (account code, amount in
fen, currency, description) in order. Change any of it and the entry's hash, and
every hash after it, no longer match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

GENESIS_HASH = "0" * 64
CANONICAL_VERSION = 1


@dataclass(frozen=True)
class LineRecord:
    account: str
    amount_fen: int
    currency: str
    description: str = ""


@dataclass(frozen=True)
class EntryRecord:
    book: str
    seq: int
    date: date
    memo: str
    actor: str
    posted_at: datetime
    lines: tuple[LineRecord, ...]
    idempotency_key: str | None = None
    reverses: int | None = None  # the seq of the entry this one reverses
    reason: str = ""


def canonical_json(obj: object) -> str:
    """The product's one canonical JSON: sorted keys, no spaces, UTF-8 text as is. Entry
    hashes, published documents and signed tree heads are all serialised by it."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("posted_at must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry: EntryRecord) -> bytes:
    """The bytes that are hashed: stable across Python versions and databases."""
    for line in entry.lines:
        # bool is an int subclass; a float would not round-trip. Refuse both.
        if type(line.amount_fen) is not int:
            raise TypeError(f"amount_fen must be int, not {type(line.amount_fen).__name__}")
    document = {
        "v": CANONICAL_VERSION,
        "book": entry.book,
        "seq": entry.seq,
        "date": entry.date.isoformat(),
        "memo": entry.memo,
        "actor": entry.actor,
        "posted_at": _utc_iso(entry.posted_at),
        "key": entry.idempotency_key,
        "reverses": entry.reverses,
        "reason": entry.reason,
        "lines": [
            [line.account, line.amount_fen, line.currency, line.description] for line in entry.lines
        ],
    }
    return canonical_json(document).encode("utf-8")


def chain_hash(prev_hash: str, payload: bytes) -> str:
    """SHA-256(previous hash as 32 raw bytes ‖ payload), as 64 lowercase hex digits."""
    prev = bytes.fromhex(prev_hash)
    if len(prev) != 32:
        raise ValueError("previous hash must be 32 bytes")
    return hashlib.sha256(prev + payload).hexdigest()


def entry_hash(prev_hash: str, entry: EntryRecord) -> str:
    return chain_hash(prev_hash, canonical(entry))


@dataclass(frozen=True)
class StoredEntry:
    """An entry as read back from storage, with what was stored beside it."""

    id: int
    record: EntryRecord
    prev_hash: str
    hash: str
    line_count: int


@dataclass(frozen=True)
class Problem:
    book: str
    reason: str
    seq: int | None = None
    entry_id: int | None = None

    def __str__(self) -> str:
        where = f"book {self.book}"
        if self.seq is not None:
            where += f" entry #{self.seq} (id {self.entry_id})"
        return f"{where}: {self.reason}"


def check_chain(
    book: str,
    currency: str,
    entries: Iterable[StoredEntry],
    *,
    head_seq: int,
    head_hash: str,
    on_payload: Callable[[StoredEntry, bytes], None] | None = None,
) -> Iterator[Problem]:
    """Recompute one book's chain in order. Yields the first broken entry (then stops,
    because every later hash depends on it) and any mismatch with the book's head.
    `on_payload` is handed each entry's canonical bytes as they are made (the Merkle
    leaves are hashed from the same bytes: serialising twice cost verify a fifth)."""
    expected_seq = 1
    running = GENESIS_HASH
    for stored in entries:
        rec = stored.record
        payload = canonical(rec)
        if on_payload is not None:
            on_payload(stored, payload)

        def problem(reason: str, rec: EntryRecord = rec, stored: StoredEntry = stored) -> Problem:
            return Problem(book, reason, rec.seq, stored.id)

        if rec.seq != expected_seq:
            yield problem(f"sequence gap: expected #{expected_seq}")
            return
        if stored.prev_hash != running:
            yield problem("previous hash does not match the entry before it")
            return
        if len(rec.lines) != stored.line_count or len(rec.lines) < 2:
            yield problem(f"has {len(rec.lines)} lines, declared {stored.line_count}")
            return
        if any(line.currency != currency for line in rec.lines):
            yield problem(f"a line is not in the book's currency {currency}")
            return
        if any(line.amount_fen == 0 for line in rec.lines):
            yield problem("a line has a zero amount")
            return
        total = sum(line.amount_fen for line in rec.lines)
        if total != 0:
            yield problem(f"unbalanced: lines sum to {total} fen")
            return
        recomputed = chain_hash(running, payload)
        if recomputed != stored.hash:
            yield problem("hash mismatch: the entry's content was changed after posting")
            return
        running = stored.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if last_seq != head_seq:
        yield Problem(book, f"book head says {head_seq} entries but {last_seq} were found")
    elif running != head_hash:
        yield Problem(book, "book head hash does not match the last entry")
