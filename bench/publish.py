#!/usr/bin/env python3
"""Benchmark: closing and publishing a month of N incomes (default 50,000): the
disclosure document, the Merkle tree over the book, the signed tree head.

    DATABASE_URL=postgres://... .venv/bin/python bench/publish.py [--incomes 50000]

Ceiling: hashing the same bytes with hashlib alone (the document, and every entry's
canonical form as a Merkle leaf and node). Prints JSON lines; asserts nothing.
"""

import argparse
import datetime as dt
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incomes", type=int, default=50_000)
    args = parser.parse_args()
    _django.setup("fundmgr-bench-publish-")
    from ledger.chain import canonical_json
    from reports import services as rs
    from reports.models import Disclosure

    c, packages = _django.community(f"U{_django.tag()}", providers=6)
    month = dt.date(2026, 9, 1)
    t0 = time.perf_counter()
    _django.seed_incomes(
        c,
        packages,
        args.incomes,
        start=dt.datetime(2026, 9, 1, 8),
        spread=dt.timedelta(days=29),
        prefix="u",
    )
    seeded = time.perf_counter() - t0
    _django.analyze()

    t0 = time.perf_counter()
    rs.period_close(community=c, month=month, actor="bench", today=dt.date(2026, 10, 2))
    closed = time.perf_counter() - t0
    t1 = time.perf_counter()
    disclosure = rs.period_publish(community=c, month=month, actor="bench")
    published = time.perf_counter() - t1
    seconds = closed + published

    from ledger.chain import canonical
    from ledger.merkle import leaf_hash, root
    from ledger.verify import stored_entries

    document = Disclosure.objects.get(pk=disclosure.pk).document.encode()
    leaves = [canonical(s.record) for s in stored_entries(c.book)]
    t0 = time.perf_counter()
    hashlib.sha256(document).hexdigest()
    hashlib.sha256(canonical_json({"size": len(leaves)}).encode()).hexdigest()
    root([leaf_hash(b) for b in leaves])
    ceiling = time.perf_counter() - t0
    _django.emit(
        name="publish",
        value=round(seconds, 2),
        unit="s",
        ceiling=round(ceiling, 3),
        n=args.incomes,
        close_s=round(closed, 2),
        publish_s=round(published, 2),
        document_mb=round(len(document) / 1e6, 1),
        entries=len(leaves),
        seeded_in_s=round(seeded, 1),
    )

    # A resident's first look at a receipt of that month: its inclusion proof.
    from fundmgr.models import Income
    from reports.selectors import receipt_public

    income = (
        Income.objects.select_related("community__book", "entry", "package__provider")
        .filter(community=c)
        .order_by("pk")[args.incomes // 2]
    )
    t0 = time.perf_counter()
    proof = receipt_public(income)["inclusion"]
    first_view = time.perf_counter() - t0
    assert proof["verified"]
    t0 = time.perf_counter()
    root([leaf_hash(b) for b in leaves])
    _django.emit(
        name="receipt_proof",
        value=round(first_view, 3),
        unit="s",
        ceiling=round(time.perf_counter() - t0, 3),
        n=1,
        entries=len(leaves),
        what="first view of a receipt's inclusion proof (then cached)",
    )


if __name__ == "__main__":
    main()
