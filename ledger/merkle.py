"""An append-only Merkle log in the style of RFC 6962 / RFC 9162 (pure functions).

    leaf hash  = SHA-256(0x00 ‖ leaf bytes)           (leaf bytes: an entry's canonical form)
    node hash  = SHA-256(0x01 ‖ left ‖ right)
    MTH(D[n])  = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of 2 < n

An inclusion proof shows one entry is in a tree of a given size and root; a consistency
proof shows a tree of size m is a prefix of a later tree of size n, so nothing published
earlier was rewritten or cut. The verifiers follow RFC 9162 sections 2.1.3.2 and 2.1.4.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, computed bottom-up in O(n)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    return _mth(leaves, 0, n)


def _mth(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    n = end - start
    if n == 1:
        return leaves[start]
    k = _split(n)
    return node_hash(_mth(leaves, start, start + k), _mth(leaves, start + k, end))


SHARED_FROM = 64  # perfect subtrees this large are kept while roots_at runs


def roots_at(leaves: Sequence[bytes], sizes: Sequence[int]) -> dict[int, bytes]:
    """MTH(D[0:s]) for each size s, the trees sharing the aligned perfect subtrees they
    have in common: each of SHARED_FROM leaves or more is hashed once (kept for this
    call only, about n/32 hashes), so two years of monthly heads cost little more than
    one root over the book (bench/ verify), where a root per head cost one pass each."""
    kept: dict[tuple[int, int], bytes] = {}

    def perfect(start: int, n: int) -> bytes:  # n a power of two, start a multiple of n
        if n < SHARED_FROM:
            return _mth(leaves, start, start + n)
        key = (start, n)
        found = kept.get(key)
        if found is None:
            half = n // 2
            found = kept[key] = node_hash(perfect(start, half), perfect(start + half, half))
        return found

    def mth(start: int, n: int) -> bytes:
        if n & (n - 1) == 0:
            return perfect(start, n)
        k = _split(n)
        return node_hash(perfect(start, k), mth(start + k, n - k))

    result = {}
    for size in sizes:
        if not 0 <= size <= len(leaves):
            raise ValueError("a size beyond the leaves")
        result[size] = mth(0, size) if size else EMPTY_ROOT
    return result


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 6962 section 2.1.1."""
    if not 0 <= index < len(leaves):
        raise IndexError("leaf index out of range")
    return _path(leaves, index, 0, len(leaves))


def _path(leaves: Sequence[bytes], m: int, start: int, end: int) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return _path(leaves, m, start, start + k) + [_mth(leaves, start + k, end)]
    return _path(leaves, m - k, start + k, end) + [_mth(leaves, start, start + k)]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 section 2.1.2, for 0 < m <= n."""
    n = len(leaves)
    if not 0 < old_size <= n:
        raise ValueError("old size must be between 1 and the tree size")
    return _subproof(leaves, old_size, 0, n, True)


def _subproof(leaves: Sequence[bytes], m: int, start: int, end: int, complete: bool) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [_mth(leaves, start, end)]
    k = _split(n)
    if m <= k:
        return _subproof(leaves, m, start, start + k, complete) + [_mth(leaves, start + k, end)]
    return _subproof(leaves, m - k, start + k, end, False) + [_mth(leaves, start, start + k)]


def root_from_path(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | None:
    """RFC 9162 2.1.3.2: the root an inclusion proof leads to from the leaf hash at
    `index` in a tree of `size` (None when the path does not fit the size)."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """Is the leaf hash at `index` in the tree of `size` and root?"""
    found = root_from_path(leaf, index, size, proof)
    return found is not None and found == expected_root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: is the tree (old_size, old_root) a prefix of (new_size, new_root)?"""
    if old_size < 1 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node itself
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
