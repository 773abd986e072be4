#!/usr/bin/env python3
"""Run the benchmarks against DATABASE_URL and write bench/results/latest.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fundmgr_bench \
        .venv/bin/python bench/run.py [--quick]

Each figure is printed as a JSON line {name, value, unit, ceiling, ratio, n, ...} with a
ceiling measured in the same run on the same database (so ratios hold on a noisy
machine). Nothing here asserts a time. --quick uses small sizes (a smoke run).
"""

import argparse
import datetime as dt
import hashlib
import json
import platform
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import ROOT, setup  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def emit(out: list, **figure) -> None:
    if figure.get("ceiling") and figure.get("value"):
        higher_is_better = figure["unit"].endswith("/s")
        figure["ratio"] = round(figure["value"] / figure["ceiling"] if higher_is_better
                                else figure["ceiling"] / figure["value"], 3)
    print(json.dumps(figure, ensure_ascii=False), flush=True)
    out.append(figure)


def make_community(tag: str, i: int):
    from fundmgr import services as fs
    from fundmgr.models import HubEnterprise, Provider

    hub, _ = HubEnterprise.objects.get_or_create(code=f"RH{tag}", defaults={
        "name": "基准枢纽", "subdistrict": "基准街道"})
    community = fs.community_create(code=f"RC{tag}{i}", name=f"基准社区{i}",
                                    subdistrict="基准街道", hub=hub,
                                    review_threshold=Decimal("1000000"))
    provider = Provider.objects.create(code=f"RP{tag}{i}", name="基准机构", category="elderly")
    package = fs.package_create(community=community, code="PK", name="服务包",
                                provider=provider, prices={"paid": Decimal("100")})
    return community, package


def record_bench(out, tag, n):
    """record_income, one transaction each: 1 writer, then 4 writers on 4 communities."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from djmoney.money import Money

    from fundmgr import services as fs

    user = get_user_model().objects.create_user(f"bench{tag}")
    communities = [make_community(tag, i) for i in range(5)]
    for c, _p in communities:
        fs.membership_grant(user=user, community=c, role="officer")
    paid = timezone.make_aware(dt.datetime(2026, 3, 3, 9))

    def write(c, pkg, count, prefix):
        for k in range(count):
            fs.record_income(fs.IncomeDraft(community=c, package=pkg, tier="paid",
                                            amount=Money("100.00", "CNY"), paid_at=paid,
                                            method="wechat", external_ref=f"{prefix}-{k}"),
                             recorded_by=user)

    t0 = time.perf_counter()
    write(*communities[0], n, "one")
    one = n / (time.perf_counter() - t0)

    def worker(i):
        try:
            write(*communities[i + 1], n, f"four{i}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    four = 4 * n / (time.perf_counter() - t0)

    # Ceiling: the same rows (an income, an entry, four lines, four account and one book
    # update) written with raw SQL, one transaction each.
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE c_income (id bigserial primary key, ref text, amount "
                    "numeric(14,2), receipt text, paid_at timestamptz)" if connection.vendor ==
                    "postgresql" else "CREATE TEMP TABLE c_income (id integer primary key, "
                    "ref text, amount numeric, receipt text, paid_at text)")
        cur.execute("CREATE TEMP TABLE c_entry (id integer primary key, seq bigint, hash text)")
        cur.execute("CREATE TEMP TABLE c_line (entry_id bigint, account int, amount bigint)")
        cur.execute("CREATE TEMP TABLE c_account (id int primary key, total bigint)")
        cur.executemany("INSERT INTO c_account VALUES (%s, 0)", [(i,) for i in range(4)])
    from django.db import transaction

    t0 = time.perf_counter()
    for k in range(n):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("INSERT INTO c_income (ref, amount, receipt, paid_at) VALUES "
                        "(%s, %s, %s, %s)", [f"c{k}", "100.00", f"R{k}", paid.isoformat()])
            cur.execute("INSERT INTO c_entry VALUES (%s, %s, %s)",
                        [k, k, hashlib.sha256(str(k).encode()).hexdigest()])
            cur.executemany("INSERT INTO c_line VALUES (%s, %s, %s)",
                            [(k, a, 100) for a in range(4)])
            for a in range(4):
                cur.execute("UPDATE c_account SET total = total + 1 WHERE id = %s", [a])
    ceiling = n / (time.perf_counter() - t0)
    emit(out, name="record_1_writer", value=round(one, 1), unit="incomes/s",
         ceiling=round(ceiling, 1), n=n)
    emit(out, name="record_4_writers", value=round(four, 1), unit="incomes/s",
         ceiling=round(ceiling, 1), n=4 * n, speedup_vs_1=round(four / one, 2))
    return communities[0][0]


def balance_bench(out, community, reads=2000):
    """Reading a balance (running totals, one row) against a bare primary-key lookup."""
    from django.db import connection

    from ledger.models import Account

    account = Account.objects.get(book_id=community.book_id, code="1012.01")

    def timed(fn):
        samples = []
        for _ in range(reads):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        return statistics.median(samples) * 1000

    balance = timed(lambda: Account.objects.select_related("book").get(pk=account.pk).balance)

    def raw():
        with connection.cursor() as cur:
            cur.execute("SELECT debit_fen, credit_fen FROM ledger_account WHERE id = %s",
                        [account.pk])
            cur.fetchone()

    ceiling = timed(raw)
    emit(out, name="balance_read", value=round(balance, 4), unit="ms", ceiling=round(ceiling, 4),
         n=account.line_count)


def verify_bench(out, community):
    """verify_ledger over one book, against reading the same rows and hashing them."""
    from django.db import connection

    from ledger.models import Book
    from ledger.verify import verify_book

    book = Book.objects.get(pk=community.book_id)
    t0 = time.perf_counter()
    report = verify_book(book)
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT e.id, e.seq, e.memo, e.hash, l.amount_fen FROM ledger_entry e "
                    "JOIN ledger_line l ON l.entry_id = e.id WHERE e.book_id = %s "
                    "ORDER BY e.seq, l.position", [book.pk])
        digest = hashlib.sha256()
        while rows := cur.fetchmany(5000):
            for row in rows:
                digest.update(repr(row).encode())
    ceiling = time.perf_counter() - t0
    emit(out, name="verify", value=round(report.entries / seconds, 1), unit="entries/s",
         ceiling=round(report.entries / ceiling, 1), n=report.entries, ok=report.ok)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    setup("fundmgr-bench-run-")
    from django.db import connection

    tag = dt.datetime.now().strftime("%H%M%S")
    out: list[dict] = []
    n = 50 if args.quick else 500
    community = record_bench(out, tag, n)
    balance_bench(out, community, reads=200 if args.quick else 2000)
    verify_bench(out, community)
    for script, extra in (("import_income.py", ["--rows", "2000" if args.quick else "100000"]),
                          ("journal_pdf.py", ["--entries", "300" if args.quick else "10000"])):
        result = subprocess.run([sys.executable, str(ROOT / "bench" / script), *extra],
                                capture_output=True, text=True, check=True)
        for line in result.stdout.splitlines():
            if line.startswith("{"):
                figure = json.loads(line)
                print(line, flush=True)
                out.append(figure)
    RESULTS.mkdir(exist_ok=True)
    meta = {"date": dt.datetime.now().isoformat(timespec="seconds"),
            "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
            "python": platform.python_version(), "database": connection.vendor,
            "command": "bench/run.py" + (" --quick" if args.quick else "")}
    (RESULTS / "latest.json").write_text(json.dumps({"meta": meta, "figures": out},
                                                    ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
