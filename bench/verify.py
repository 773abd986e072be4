#!/usr/bin/env python3
"""Benchmark: verify_ledger over one book of N entries (default 1,000,000), against the
ceiling of reading the same rows through a server-side cursor and hashing them with
hashlib (what any verifier must at least do).

    DATABASE_URL=postgres://... .venv/bin/python bench/verify.py [--entries 1000000] [--heads 24]

The book is filled through ledger.post_many (the import's write path), two lines an
entry. Then the same verify with --heads signed heads at evenly spaced sizes (two
years of months): what recomputing the root at every signed head adds (#16). Prints
JSON lines; asserts nothing about time.
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
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--heads", type=int, default=24)
    args = parser.parse_args()
    _django.setup("fundmgr-bench-verify-")
    from django.db import connection, transaction
    from djmoney.money import Money

    from ledger import log, merkle
    from ledger import services as ledger
    from ledger.models import AccountType
    from ledger.verify import SignedHead, verify_book

    book = ledger.create_book(code=f"V{_django.tag()}", name="基准账簿")
    cash = ledger.open_account(book=book, code="1001", name="库存现金", type=AccountType.ASSET)
    fund = ledger.open_account(book=book, code="3101", name="社区基金", type=AccountType.EQUITY)
    t0 = time.perf_counter()
    for first in range(0, args.entries, args.batch):
        postings = [
            ledger.Posting(
                legs=[
                    ledger.debit(cash, Money(f"{k % 9999 + 1}.00", "CNY"), "收据"),
                    ledger.credit(fund, Money(f"{k % 9999 + 1}.00", "CNY"), "社区基金"),
                ],
                date=dt.date(2026, 1, 1) + dt.timedelta(days=k * 300 // args.entries),
                memo=f"服务包收入 基准 收据{k:08d}",
                actor="bench",
                idempotency_key=f"v/{k}",
            )
            for k in range(first, min(args.entries, first + args.batch))
        ]
        with transaction.atomic():
            ledger.post_many(book=book, postings=postings)
    seeded = time.perf_counter() - t0
    _django.analyze()

    t0 = time.perf_counter()
    report = verify_book(book)
    seconds = time.perf_counter() - t0
    assert report.ok, report.problems[:3]

    t0 = time.perf_counter()
    with transaction.atomic(), connection.chunked_cursor() as cur:
        cur.execute(
            "SELECT e.seq, e.date, e.memo, e.actor, e.created_at, e.idempotency_key, "
            "e.reason, e.prev_hash, e.hash, l.account_id, l.amount_fen, l.currency, "
            "l.description FROM ledger_entry e JOIN ledger_line l ON l.entry_id = e.id "
            "WHERE e.book_id = %s ORDER BY e.seq, l.position",
            [book.pk],
        )
        digest = hashlib.sha256()
        while rows := cur.fetchmany(10_000):
            for row in rows:
                digest.update(repr(row).encode())
    ceiling = time.perf_counter() - t0
    _django.emit(
        name="verify",
        value=round(report.entries / seconds, 1),
        unit="entries/s",
        ceiling=round(report.entries / ceiling, 1),
        n=report.entries,
        seconds=round(seconds, 1),
        seeded_in_s=round(seeded, 1),
    )

    leaves = log.leaf_hashes(book, cached=False)
    sizes = [len(leaves) * (i + 1) // args.heads for i in range(args.heads)]
    heads = [
        SignedHead(label=f"H{size}", size=size, root=merkle.root(leaves[:size]).hex())
        for size in sizes
        if size
    ]
    t0 = time.perf_counter()
    report = verify_book(book, heads=heads)
    signed = time.perf_counter() - t0
    assert report.ok, report.problems[:3]
    _django.emit(
        name="verify_signed_heads",
        value=round(report.entries / signed, 1),
        unit="entries/s",
        ceiling=round(report.entries / seconds, 1),  # verify without heads
        n=report.entries,
        heads=len(heads),
        seconds=round(signed, 1),
    )


if __name__ == "__main__":
    main()
