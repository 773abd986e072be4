#!/usr/bin/env python3
"""Benchmark: how long one income recorded by hand waits while a large file is imported
into the same community (issue 21: 36.1 s during a 40k-row import; on SQLite a dry run
held the write lock throughout).

    .venv/bin/python bench/import_contention.py [--rows N] [--dry-run]

`manage.py import_income` runs in a child process; meanwhile this process records one
income every 0.2 s in the same community through income_record (the service the form
calls) and times each call. Prints the import's seconds and the waits (max, median,
count). Uses DATABASE_URL when set, else a fresh SQLite file. Asserts nothing."""

import argparse
import csv
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402
from _django import ROOT  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    tmp, env = _django.setup("fundmgr-bench-contention-")
    from django.db import OperationalError
    from django.utils import timezone
    from djmoney.money import Money

    from fundmgr.services.drafts import IncomeDraft
    from fundmgr.services.income import income_record

    tag = _django.tag()
    c, packages = _django.community(f"K{tag[-5:]}", providers=4)
    path = tmp / "income.csv"
    start = dt.datetime(2026, 1, 1, 8, 0)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["community", "package", "tier", "amount", "paid_at", "payer", "method", "external_ref"]
        )
        for n in range(args.rows):
            w.writerow(
                [
                    c.code,
                    packages[n % 4].code,
                    "paid",
                    f"{n % 500 + 1}.00",
                    (start + dt.timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M"),
                    f"居民{n % 997}",
                    "wechat",
                    f"F{tag}-{n:07d}",
                ]
            )
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "import_income",
            str(path),
            *(["--dry-run"] if args.dry_run else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    waits, failures, n = [], [], 0
    while child.poll() is None:
        n += 1
        draft = IncomeDraft(
            community=c,
            package=packages[0],
            tier="paid",
            amount=Money("100.00", c.currency),
            paid_at=timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0)),
            method="cash",
            payer="窗口",
            external_ref=f"HAND{tag}-{n}",
        )
        t = time.perf_counter()
        try:
            income_record(draft, recorded_by=None)
        except OperationalError as exc:
            failures.append(str(exc))
        waits.append(time.perf_counter() - t)
        time.sleep(0.2)
    seconds = time.perf_counter() - t0
    if child.returncode:
        raise SystemExit(f"import_income failed: {child.stderr.read()[-500:]}")
    _django.emit(
        name="import_contention" + ("_dry_run" if args.dry_run else ""),
        n=args.rows,
        value=round(max(waits), 2) if waits else 0,
        unit="s longest wait of one income",
        median_wait_s=round(statistics.median(waits), 3) if waits else 0,
        incomes_recorded_meanwhile=len(waits) - len(failures),
        failures=failures[:3],
        import_seconds=round(seconds, 2),
    )


if __name__ == "__main__":
    main()
