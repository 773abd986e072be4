#!/usr/bin/env python3
"""Benchmark: manage.py import_income on a generated N-row CSV (default 100,000).

    .venv/bin/python bench/import_income.py [--rows N] [--xlsx]

Uses DATABASE_URL when set (PostgreSQL here), else a fresh SQLite file in a temp dir.
Prints JSON lines: rows/s for the check pass alone (--dry-run) and for the full import
(the command, start-up included), the peak RSS of the importing process, and for the
import the ceiling of PostgreSQL COPY of the same rows into a bare table. Asserts
nothing about time.
"""

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402
from _django import ROOT  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true")
    args = parser.parse_args()

    tmp, env = _django.setup("fundmgr-bench-import-")
    from decimal import Decimal

    from django.db import connection

    from fundmgr.models import HubEnterprise, Provider
    from fundmgr.services.setup import community_create, package_create

    tag = dt.datetime.now().strftime("%H%M%S")
    hub = HubEnterprise.objects.create(code=f"BH{tag}", name="基准枢纽", subdistrict="基准街道")
    codes = []
    for i in range(3):
        community = community_create(
            code=f"BC{tag}{i}",
            name=f"基准社区{i}",
            subdistrict="基准街道",
            hub=hub,
            review_threshold=Decimal("100000"),
        )
        for j in range(4):
            provider = Provider.objects.create(
                code=f"BP{tag}{i}{j}", name=f"机构{j}", category="elderly"
            )
            package_create(
                community=community,
                code=f"PK{j}",
                name=f"服务包{j}",
                provider=provider,
                prices={
                    "paid": Decimal("100"),
                    "low_cost": Decimal("30"),
                    "public_benefit": Decimal("80"),
                },
            )
            codes.append((community.code, f"PK{j}"))
    connection.close()

    tiers, methods = ["paid", "low_cost", "public_benefit"], ["wechat", "alipay", "cash", "bank"]
    start = dt.datetime(2026, 1, 1, 8, 0)
    path = tmp / ("income.xlsx" if args.xlsx else "income.csv")
    header = [
        "community",
        "package",
        "tier",
        "amount",
        "paid_at",
        "payer",
        "method",
        "external_ref",
    ]

    def rows():
        for n in range(args.rows):
            community, package = codes[n % len(codes)]
            yield [
                community,
                package,
                tiers[n % 3],
                f"{(n * 37) % 50000 / 100 + 1:.2f}",
                (start + dt.timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M"),
                f"居民{n % 997}",
                methods[n % 4],
                f"REF{tag}-{n:07d}",
            ]

    if args.xlsx:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(header)
        for r in rows():
            ws.append(r)
        wb.save(path)
    else:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows())

    for name, extra in (("import_check", ["--dry-run"]), ("import", [])):
        t0 = time.perf_counter()
        child = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "import_income",
                str(path),
                "--report",
                str(tmp / "report.csv"),
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - t0
        if status:
            raise SystemExit(f"import_income failed ({status})")
        figure = {
            "name": f"{name}_{'xlsx' if args.xlsx else 'csv'}",
            "n": args.rows,
            "value": round(args.rows / seconds, 1),
            "unit": "rows/s",
            "seconds": round(seconds, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        }
        if name == "import":
            figure["ceiling"] = round(args.rows / copy_ceiling(path, rows, header), 1)
        _django.emit(**figure)


def copy_ceiling(path, rows, header) -> float:
    """Seconds for PostgreSQL COPY of the same rows into a bare table (logged, no index)."""
    import io

    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows())
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_copy_ceiling")
        cur.execute(
            "CREATE TABLE bench_copy_ceiling (community text, package text, tier text, "
            "amount numeric(14, 2), paid_at timestamptz, payer text, method text, "
            "external_ref text)"
        )
        buffer.seek(0)
        t0 = time.perf_counter()
        cur.copy_expert(
            f"COPY bench_copy_ceiling ({', '.join(header)}) FROM STDIN WITH (FORMAT csv)", buffer
        )
        connection.commit() if not connection.get_autocommit() else None
        seconds = time.perf_counter() - t0
        cur.execute("DROP TABLE bench_copy_ceiling")
    return seconds


if __name__ == "__main__":
    main()
