#!/usr/bin/env python3
"""Benchmark: manage.py import_income on a generated N-row CSV (default 100,000).

    .venv/bin/python bench/import_income.py [--rows N] [--xlsx]

Uses DATABASE_URL when set (PostgreSQL here), else a fresh SQLite file in a temp dir.
Prints JSON lines: rows/s for the check pass alone (--dry-run) and for the full import,
and the peak RSS of the importing process. Asserts nothing about time.
"""

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import ROOT, setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true")
    args = parser.parse_args()

    tmp, env = setup("fundmgr-bench-")
    from decimal import Decimal

    from django.db import connection

    from fundmgr import services as fs
    from fundmgr.models import HubEnterprise, Provider

    tag = dt.datetime.now().strftime("%H%M%S")
    hub = HubEnterprise.objects.create(code=f"BH{tag}", name="基准枢纽", subdistrict="基准街道")
    codes = []
    for i in range(3):
        community = fs.community_create(code=f"BC{tag}{i}", name=f"基准社区{i}",
                                        subdistrict="基准街道", hub=hub,
                                        review_threshold=Decimal("100000"))
        for j in range(4):
            provider = Provider.objects.create(code=f"BP{tag}{i}{j}", name=f"机构{j}",
                                               category="elderly")
            fs.package_create(community=community, code=f"PK{j}", name=f"服务包{j}",
                              provider=provider,
                              prices={"paid": Decimal("100"), "low_cost": Decimal("30"),
                                      "public_benefit": Decimal("80")})
            codes.append((community.code, f"PK{j}"))
    connection.close()

    tiers, methods = ["paid", "low_cost", "public_benefit"], ["wechat", "alipay", "cash", "bank"]
    start = dt.datetime(2026, 1, 1, 8, 0)
    path = tmp / ("income.xlsx" if args.xlsx else "income.csv")
    header = ["community", "package", "tier", "amount", "paid_at", "payer", "method",
              "external_ref"]

    def rows():
        for n in range(args.rows):
            community, package = codes[n % len(codes)]
            yield [community, package, tiers[n % 3], f"{(n * 37) % 50000 / 100 + 1:.2f}",
                   (start + dt.timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M"),
                   f"居民{n % 997}", methods[n % 4], f"REF{tag}-{n:07d}"]

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

    vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") \
        else "sqlite"
    for name, extra in (("import_check", ["--dry-run"]), ("import", [])):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "import_income", str(path),
                        "--report", str(tmp / "report.csv"), *extra],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({
            "name": f"{name}_{'xlsx' if args.xlsx else 'csv'}", "db": vendor, "n": args.rows,
            "value": round(args.rows / seconds, 1), "unit": "rows/s",
            "seconds": round(seconds, 2),
            "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
        }))


if __name__ == "__main__":
    main()
