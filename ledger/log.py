"""A book's entries as a Merkle log (ledger.merkle over each entry's canonical form).

Leaves are recomputed from the stored entries, so a proof is only ever as good as the
rows it was made from: the same rows `verify` checks against the hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from . import merkle
from .chain import canonical
from .models import Book, Entry
from .verify import stored_entries


@dataclass(frozen=True)
class TreeHead:
    size: int
    root: str  # hex


def leaf_hashes(book: Book, size: int | None = None) -> list[bytes]:
    """The leaf hashes of the book's first `size` entries. Those never change (entries
    are append-only), so once computed they are kept in the cache under the hash of
    entry #size: a resident's first look at a receipt reads them instead of the whole
    book (bench/ publish, receipt_proof). verify_ledger still checks the rows."""
    size = book.last_seq if size is None else size
    head = Entry.objects.filter(book=book, seq=size).values_list("hash", flat=True).first()
    key = f"ledger:leaves:v1:{book.pk}:{size}:{head}"
    blob = cache.get(key) if head else None
    if blob is not None and len(blob) == 32 * size:
        return [blob[i : i + 32] for i in range(0, len(blob), 32)]
    leaves = []
    for stored in stored_entries(book):
        if stored.record.seq > size:
            break
        leaves.append(merkle.leaf_hash(canonical(stored.record)))
    if len(leaves) != size:
        raise ValueError(f"book {book.code} has {len(leaves)} entries, not {size}")
    if head:
        cache.set(key, b"".join(leaves), None)
    return leaves


def tree_head(book: Book, size: int | None = None) -> TreeHead:
    leaves = leaf_hashes(book, size)
    return TreeHead(size=len(leaves), root=merkle.root(leaves).hex())


def inclusion(book: Book, seq: int, size: int) -> dict:
    """The proof that entry #seq is leaf seq-1 of the tree of `size` entries."""
    leaves = leaf_hashes(book, size)
    proof = merkle.inclusion_proof(leaves, seq - 1)
    return {
        "leaf_index": seq - 1,
        "tree_size": size,
        "leaf_hash": leaves[seq - 1].hex(),
        "path": [p.hex() for p in proof],
        "root": merkle.root(leaves).hex(),
    }


def consistency(book: Book, old_size: int, new_size: int) -> list[str]:
    leaves = leaf_hashes(book, new_size)
    return [p.hex() for p in merkle.consistency_proof(leaves, old_size)]
