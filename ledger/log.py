"""A book's entries as a Merkle log (ledger.merkle over each entry's canonical form).

Leaves are recomputed from the stored entries, so a proof is only ever as good as the
rows it was made from: the same rows `verify` checks against the hash chain.

What may come from the cache and what may not: the *siblings* of an inclusion proof may
(a wrong sibling cannot make a proof lead to a signed root), the leaf being proven may
not - it is recomputed from its row on every call (leaf_of: one entry read). Whatever
signs or checks a root (publishing, verify) reads the rows, never the cache."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.cache import cache

from . import merkle
from .chain import EntryRecord, LineRecord, canonical
from .models import Book, Entry, Line
from .verify import stored_entries


@dataclass(frozen=True)
class TreeHead:
    size: int
    root: str  # hex


def _read_leaves(book: Book, size: int) -> list[bytes]:
    leaves = [merkle.leaf_hash(canonical(s.record)) for s in stored_entries(book, 1, size)]
    if len(leaves) != size:
        raise ValueError(f"book {book.code} has {len(leaves)} entries, not {size}")
    return leaves


def leaf_hashes(book: Book, size: int | None = None, *, cached: bool = True) -> list[bytes]:
    """The leaf hashes of the book's first `size` entries. With `cached`, they are kept
    under the chain hash of entry #size - the stored hash that commits to every entry up
    to it, so a rewrite that re-hashes the chain is a new key, read afresh from the rows
    - and a resident's look at a receipt reads them instead of the whole book (bench/
    publish, receipt_proof). Publishing and verify pass cached=False."""
    size = book.last_seq if size is None else size
    if not cached:
        return _read_leaves(book, size)
    head = Entry.objects.filter(book=book, seq=size).values_list("hash", flat=True).first()
    key = f"ledger:leaves:v1:{book.pk}:{size}:{head}"
    blob = cache.get(key) if head else None
    if blob is not None and len(blob) == 32 * size:
        return [blob[i : i + 32] for i in range(0, len(blob), 32)]
    leaves = _read_leaves(book, size)
    if head:
        cache.set(key, b"".join(leaves), None)
    return leaves


_ENTRY_FIELDS: tuple[str, ...] = ("id", "date", "memo", "actor", "created_at", "idempotency_key")
_ENTRY_FIELDS += ("reverses__seq", "reason")


def leaf_of(book: Book, seq: int) -> bytes:
    """Entry #seq's leaf hash, recomputed from its rows now (two queries: it is read on
    every look-up of a published receipt)."""
    row = (
        Entry.objects.filter(book=book, seq=seq)
        .values_list(
            "id",
            "date",
            "memo",
            "actor",
            "created_at",
            "idempotency_key",
            "reverses__seq",
            "reason",
        )
        .first()
    )
    if row is None:
        raise ValueError(f"book {book.code} has no entry #{seq}")
    entry_id, date, memo, actor, posted_at, key, reverses, reason = row
    lines = tuple(
        LineRecord(code, amount, currency, description)
        for code, amount, currency, description in Line.objects.filter(entry_id=entry_id)
        .order_by("position")
        .values_list("account__code", "amount_fen", "currency", "description")
    )
    record = EntryRecord(
        book=book.code,
        seq=seq,
        date=date,
        memo=memo,
        actor=actor,
        posted_at=posted_at,
        idempotency_key=key,
        reverses=reverses,
        reason=reason,
        lines=lines,
    )
    return merkle.leaf_hash(canonical(record))


def leaves_of(book: Book, seqs: Collection[int]) -> dict[int, bytes]:
    """The leaf hashes of the given entries, recomputed from their rows (one read of the
    entries between the first and the last of them)."""
    if not seqs:
        return {}
    wanted = set(seqs)
    return {
        s.record.seq: merkle.leaf_hash(canonical(s.record))
        for s in stored_entries(book, min(wanted), max(wanted))
        if s.record.seq in wanted
    }


def tree_head(book: Book, size: int | None = None, *, cached: bool = True) -> TreeHead:
    leaves = leaf_hashes(book, size, cached=cached)
    return TreeHead(size=len(leaves), root=merkle.root(leaves).hex())


def inclusion(book: Book, seq: int, size: int) -> dict:
    """The proof that entry #seq, as its row reads now, is leaf seq-1 of the tree of
    `size` entries. `root` is the root the path leads to from that leaf: compare it with
    a signed root (the leaf is recomputed, never taken from the cache)."""
    if not 1 <= seq <= size:
        raise IndexError("leaf index out of range")
    leaf = leaf_of(book, seq)
    siblings = leaf_hashes(book, size)
    proof = merkle.inclusion_proof(siblings, seq - 1)
    found = merkle.root_from_path(leaf, seq - 1, size, proof) or b""
    return {
        "leaf_index": seq - 1,
        "tree_size": size,
        "leaf_hash": leaf.hex(),
        "path": [p.hex() for p in proof],
        "root": found.hex(),
    }


def consistency(book: Book, old_size: int, new_size: int, *, cached: bool = True) -> list[str]:
    leaves = leaf_hashes(book, new_size, cached=cached)
    return [p.hex() for p in merkle.consistency_proof(leaves, old_size)]
