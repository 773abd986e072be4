#!/usr/bin/env python3
"""Benchmark: recording income and reading balances as the ledger grows.

    DATABASE_URL=postgres://... .venv/bin/python bench/record.py [--n 300]
        [--scales 10000,100000,1000000] [--writers 4]

At each scale (lines in the community's book, grown through the import's write path):
  record_1_writer   income_record, one transaction each, against the ceiling of raw
                    psycopg2 writing rows of the same shape (the same columns, indexes and
                    foreign keys, in tables beside ours holding the same rows; no
                    triggers, no Python) in one transaction each;
  balance_now       ledger.selectors.balance_fen against a primary-key lookup;
  balance_at_date   the balances as at the current month's start (what a statement's
                    opening needs) against a primary-key lookup;
  party_statement   the fund's statement for the current month, against reading the same
                    lines with raw SQL.
Then, at the first scale, 4 writers in 4 processes on 4 communities against 4 raw
writers. Prints JSON lines; asserts nothing about time. PostgreSQL only.
"""

import argparse
import datetime as dt
import hashlib
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

CEILING_TABLES = ("ledger_book", "ledger_account", "ledger_entry", "ledger_line", "fundmgr_income")
# (table, column, referenced table): ceiling tables refer to each other where ours do.
CEILING_FKS = (
    ("ledger_account", "book_id", "ledger_book"),
    ("ledger_entry", "book_id", "ledger_book"),
    ("ledger_entry", "reverses_id", "ledger_entry"),
    ("ledger_line", "entry_id", "ledger_entry"),
    ("ledger_line", "account_id", "ledger_account"),
    ("fundmgr_income", "entry_id", "ledger_entry"),
    ("fundmgr_income", "reversal_entry_id", "ledger_entry"),
    ("fundmgr_income", "community_id", "public.fundmgr_community"),
    ("fundmgr_income", "package_id", "public.fundmgr_servicepackage"),
    ("fundmgr_income", "policy_id", "public.fundmgr_splitpolicy"),
    ("fundmgr_income", "recorded_by_id", "public.auth_user"),
)
PAID = dt.datetime(2026, 10, 20, 9)
MONTH = dt.date(2026, 10, 1)


def raw_connection():
    import psycopg2
    from django.db import connection

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg2.connect(**params)


def build_ceiling(conn) -> None:
    """bench_ceiling.*: our tables' shape (columns, indexes, foreign keys), no triggers,
    holding a copy of our rows."""
    cur = conn.cursor()
    cur.execute("DROP SCHEMA IF EXISTS bench_ceiling CASCADE; CREATE SCHEMA bench_ceiling")
    for table in CEILING_TABLES:
        cur.execute(f"CREATE TABLE bench_ceiling.{table} (LIKE public.{table} INCLUDING ALL)")
        cur.execute(f"INSERT INTO bench_ceiling.{table} SELECT * FROM public.{table}")
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('bench_ceiling.{table}', 'id'), "
            f"(SELECT max(id) FROM bench_ceiling.{table}))"
        )
    for table, column, target in CEILING_FKS:
        ref = target if "." in target else f"bench_ceiling.{target}"
        cur.execute(
            f"ALTER TABLE bench_ceiling.{table} ADD FOREIGN KEY ({column}) "
            f"REFERENCES {ref} (id) DEFERRABLE INITIALLY DEFERRED"
        )
    cur.execute("ANALYZE")
    conn.commit()


def ceiling_writer(community_id: int, n: int, prefix: str) -> tuple[float, float]:
    """n raw transactions into bench_ceiling, each the rows income_record writes."""
    conn = raw_connection()
    cur = conn.cursor()
    cur.execute("SELECT book_id FROM fundmgr_community WHERE id = %s", [community_id])
    book = cur.fetchone()[0]
    cur.execute(
        "SELECT id FROM bench_ceiling.ledger_account WHERE book_id = %s ORDER BY code LIMIT 4",
        [book],
    )
    accounts = [r[0] for r in cur.fetchall()]
    cur.execute(
        "SELECT * FROM bench_ceiling.fundmgr_income WHERE community_id = %s "
        "AND entry_id IS NOT NULL LIMIT 1",
        [community_id],
    )
    template = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    columns = [c for c in template if c != "id"]
    conn.commit()
    entry_sql = (
        "INSERT INTO bench_ceiling.ledger_entry (book_id, seq, date, memo, actor, "
        "idempotency_key, reverses_id, reason, line_count, created_at, prev_hash, "
        "hash) VALUES (%s, %s, %s, %s, %s, %s, NULL, '', 4, now(), %s, %s) "
        "RETURNING id"
    )
    line_sql = (
        "INSERT INTO bench_ceiling.ledger_line (entry_id, position, account_id, "
        "amount_fen, currency, description) VALUES "
        + ", ".join(["(%s, %s, %s, %s, 'CNY', %s)"] * 4)
    )
    account_sql = (
        "UPDATE bench_ceiling.ledger_account SET debit_fen = debit_fen + CASE id "
        "WHEN %s THEN 10000 ELSE 0 END, credit_fen = credit_fen + CASE id WHEN %s "
        "THEN 0 ELSE 3333 END, line_count = line_count + 1 WHERE id IN "
        "(%s, %s, %s, %s)"
    )
    income_sql = (
        f"INSERT INTO bench_ceiling.fundmgr_income ({', '.join(columns)}) VALUES "
        f"({', '.join(['%s'] * len(columns))})"
    )
    t0 = time.monotonic()
    for k in range(n):
        cur.execute(
            "SELECT last_seq, head_hash FROM bench_ceiling.ledger_book WHERE id = %s FOR UPDATE",
            [book],
        )
        seq, head = cur.fetchone()
        digest = hashlib.sha256(f"{head}{prefix}{k}".encode()).hexdigest()
        cur.execute(
            entry_sql,
            [
                book,
                seq + 1,
                PAID.date(),
                f"服务包收入 服务包0·有偿 收据{k}",
                "bench",
                f"income/{prefix}{k}",
                head,
                digest,
            ],
        )
        entry = cur.fetchone()[0]
        cur.execute(
            line_sql,
            [
                v
                for i, a in enumerate(accounts)
                for v in (entry, i + 1, a, 10000 if i == 0 else -3333, "收据")
            ],
        )
        cur.execute(account_sql, [accounts[0], accounts[0], *accounts])
        cur.execute(
            "UPDATE bench_ceiling.ledger_book SET last_seq = %s, head_hash = %s WHERE id = %s",
            [seq + 1, digest, book],
        )
        row = {
            **template,
            "external_ref": f"{prefix}{k}",
            "receipt_code": f"{prefix}{k:08d}"[-16:],
            "entry_id": entry,
        }
        cur.execute(income_sql, [row[c] for c in columns])
        conn.commit()
    elapsed = time.monotonic() - t0
    conn.close()
    return t0, t0 + elapsed


def product_writer(
    community_id: int, package_id: int, user_id: int, n: int, prefix: str
) -> tuple[float, float]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from djmoney.money import Money

    from fundmgr.models import Community, ServicePackage
    from fundmgr.services.drafts import IncomeDraft
    from fundmgr.services.income import income_record

    community = Community.objects.select_related("book").get(pk=community_id)
    package = ServicePackage.objects.select_related("provider").get(pk=package_id)
    user = get_user_model().objects.get(pk=user_id)
    paid = timezone.make_aware(PAID)
    t0 = time.monotonic()
    for k in range(n):
        income_record(
            IncomeDraft(
                community=community,
                package=package,
                tier="paid",
                amount=Money("100.00", "CNY"),
                paid_at=paid,
                method="wechat",
                external_ref=f"{prefix}-{k}",
            ),
            recorded_by=user,
        )
    return t0, time.monotonic()


def _child(queue, fn, args):
    from django.db import connections

    try:
        queue.put(fn(*args))
    finally:
        connections.close_all()


def in_processes(fn, argsets) -> float:
    """Run fn(*args) for each args in its own process at once; the wall time from the
    first start to the last finish."""
    from django.db import connections

    connections.close_all()  # no connection may cross a fork
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(queue, fn, args)) for args in argsets]
    for p in procs:
        p.start()
    spans = [queue.get() for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a writer failed (exit {p.exitcode})")
    return max(end for _s, end in spans) - min(start for start, _e in spans)


def median_ms(fn, reads: int) -> float:
    samples = []
    for _ in range(reads):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def measure(main_c, package, user, scale: int, args, seeded_in_s: float) -> float:
    """The figures at one scale; returns income_record's rate with one writer."""
    from django.db import connection

    from fundmgr.chart import FUND_ACCOUNT, method_account_code
    from fundmgr.models import PaymentMethod
    from ledger.models import Account
    from ledger.selectors import balance_fen, net_by_account
    from reports.auditor.statements import party_statement

    account = Account.objects.get(
        book_id=main_c.book_id, code=method_account_code(PaymentMethod.WECHAT)
    )
    fund = Account.objects.get(book_id=main_c.book_id, code=FUND_ACCOUNT)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM ledger_line l JOIN ledger_entry e "
            "ON e.id = l.entry_id WHERE e.book_id = %s",
            [main_c.book_id],
        )
        lines = cur.fetchone()[0]
    raw = raw_connection()
    build_ceiling(raw)
    label = f"{lines // 1000}k" if lines < 1_000_000 else f"{lines / 1e6:.1f}M"

    start, end = product_writer(main_c.pk, package.pk, user.pk, args.n, f"one{scale}")
    one = args.n / (end - start)
    start, end = ceiling_writer(main_c.pk, args.n, f"c{scale}")
    _django.emit(
        name=f"record_1_writer@{label}_lines",
        value=round(one, 1),
        unit="incomes/s",
        ceiling=round(args.n / (end - start), 1),
        n=args.n,
        lines=lines,
        seeded_in_s=round(seeded_in_s, 1),
    )

    cur = raw.cursor()

    def pk_lookup(cur=cur):
        cur.execute("SELECT debit_fen, credit_fen FROM ledger_account WHERE id = %s", [account.pk])
        cur.fetchone()

    ceiling = median_ms(pk_lookup, args.reads)
    now = median_ms(lambda: balance_fen(main_c.book, "1012.01"), args.reads)
    _django.emit(
        name=f"balance_now@{label}_lines",
        value=round(now, 4),
        unit="ms",
        ceiling=round(ceiling, 4),
        n=args.reads,
        lines=lines,
        account_lines=account.line_count,
    )
    at = median_ms(lambda: net_by_account(main_c.book, before=MONTH), args.reads // 10)
    _django.emit(
        name=f"balance_at_date@{label}_lines",
        value=round(at, 4),
        unit="ms",
        ceiling=round(ceiling, 4),
        n=args.reads // 10,
        lines=lines,
        what="every account's balance as at the month's start",
    )

    last = dt.date(2026, 10, 31)
    statement = median_ms(lambda: party_statement(main_c, "fund", MONTH, last), 5)
    with connection.cursor() as c2:
        c2.execute(
            "SELECT count(*) FROM ledger_line l JOIN ledger_entry e ON e.id = "
            "l.entry_id JOIN ledger_account a ON a.id = l.account_id WHERE "
            "e.book_id = %s AND a.code = '3101' AND e.date BETWEEN %s AND %s",
            [main_c.book_id, MONTH, last],
        )
        month_lines = c2.fetchone()[0]

    def same_rows(cur=cur):
        cur.execute(
            "SELECT e.date, e.seq, e.memo, l.amount_fen FROM ledger_line l "
            "JOIN ledger_entry e ON e.id = l.entry_id WHERE l.account_id = %s "
            "AND e.date BETWEEN %s AND %s ORDER BY e.date, e.seq",
            [fund.pk, MONTH, last],
        )
        cur.fetchall()

    _django.emit(
        name=f"party_statement@{label}_lines",
        value=round(statement, 2),
        unit="ms",
        ceiling=round(median_ms(same_rows, 5), 2),
        n=5,
        lines=lines,
        statement_lines=month_lines,
    )
    raw.close()
    return one


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300, help="incomes recorded per figure")
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--reads", type=int, default=1000)
    args = parser.parse_args()
    _django.setup("fundmgr-bench-record-")
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/record.py measures PostgreSQL: set DATABASE_URL")
    from fundmgr.models import Community
    from fundmgr.services.setup import membership_grant

    t = _django.tag()
    others = [_django.community(f"W{t}{i}") for i in range(args.writers)]
    from django.contrib.auth import get_user_model

    from ledger import services as ledger

    user = get_user_model().objects.create_user(f"bench{t}")
    for i, (c, pkgs) in enumerate(others):
        membership_grant(user=user, community=c, role="officer")
        # A first income each: the raw writers' template row.
        _django.seed_incomes(c, pkgs, 1, start=PAID, spread=dt.timedelta(hours=1), prefix=f"w{i}")

    for scale in [int(s) for s in args.scales.split(",")]:
        # A community per scale, its book grown to `scale` lines through the import's
        # write path: January to September, each month closed as it ends (a balance
        # snapshot each, as deployed), and October open.
        main_c, main_pkgs = _django.community(f"R{t}{scale}", providers=4)
        membership_grant(user=user, community=main_c, role="officer")
        incomes, months = scale // 4, 9
        per_month = incomes // (months + 1)
        t0 = time.perf_counter()
        for m in range(months):
            _django.seed_incomes(
                main_c,
                main_pkgs,
                per_month,
                start=dt.datetime(2026, 1 + m, 1, 8),
                spread=dt.timedelta(days=27),
                prefix=f"s{m}",
            )
            ledger.close_through(
                book=main_c.book, date=dt.date(2026, 2 + m, 1) - dt.timedelta(days=1)
            )
        _django.seed_incomes(
            main_c,
            main_pkgs,
            incomes - per_month * months,
            start=dt.datetime(2026, 10, 1, 8),
            spread=dt.timedelta(days=18),
            prefix="s10",
        )
        seeded_in_s = time.perf_counter() - t0
        main_c = Community.objects.select_related("book").get(pk=main_c.pk)
        _django.analyze()
        one = measure(main_c, main_pkgs[0], user, scale, args, seeded_in_s)
        if scale == int(args.scales.split(",")[0]):
            sets = [
                (c.pk, pkgs[0].pk, user.pk, args.n, f"four{i}")
                for i, (c, pkgs) in enumerate(others)
            ]
            wall = in_processes(product_writer, sets)
            four = args.writers * args.n / wall
            ceiling = (
                args.writers
                * args.n
                / in_processes(
                    ceiling_writer, [(c.pk, args.n, f"c4{i}") for i, (c, _p) in enumerate(others)]
                )
            )
            _django.emit(
                name=f"record_{args.writers}_writers",
                value=round(four, 1),
                unit="incomes/s",
                ceiling=round(ceiling, 1),
                n=args.writers * args.n,
                speedup_vs_1=round(four / one, 2),
                processes=args.writers,
                cores=os.cpu_count(),
            )


if __name__ == "__main__":
    main()
