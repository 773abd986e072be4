#!/usr/bin/env python3
"""Run every benchmark against PostgreSQL and write bench/results/latest.json (and .md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fundmgr_bench \\
        .venv/bin/python bench/run.py [--quick] [--only record,web] [--readme]

A fresh database named after DATABASE_URL's with "_run" appended is made on the same
server for the run and dropped after it (--keep keeps it). Each benchmark runs as its
own process and prints JSON lines {name, value, unit, ceiling, ratio, n, ...}; a
ceiling is measured beside every figure in the same run on the same database, so the
ratios hold on a noisy machine. Nothing here asserts a time. --quick uses small sizes
(a smoke run of the whole suite in about a minute); --quick and --only runs write
results/partial.json instead of latest.json; --readme rewrites README.md's table
between its bench markers.
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# script, full-size arguments, quick arguments
SUITE = [
    (
        "record",
        ["--n", "300", "--scales", "10000,100000,1000000"],
        ["--n", "40", "--scales", "2000,8000", "--reads", "200"],
    ),
    ("verify", ["--entries", "1000000"], ["--entries", "20000"]),
    ("import_income", ["--rows", "100000"], ["--rows", "2000"]),
    ("import_income", ["--rows", "100000", "--xlsx"], ["--rows", "2000", "--xlsx"]),
    ("publish", ["--incomes", "50000"], ["--incomes", "2000"]),
    ("journal_pdf", ["--entries", "10000"], ["--entries", "300"]),
    ("web", ["--seconds", "10"], ["--seconds", "2", "--incomes", "200"]),
]

# The targets, by figure name prefix: (what, met?)
TARGETS = {
    "record_1_writer": ("≥ 0.5 of raw SQL", lambda f: f["ratio"] >= 0.5),
    "record_4_writers": ("≥ 1.5 × one writer", lambda f: f["speedup_vs_1"] >= 1.5),
    "balance_now": ("≤ 3 × a primary-key lookup", lambda f: f["ratio"] >= 1 / 3),
    "import_csv": (
        "≥ 10,000 rows/s, < 250 MB",
        lambda f: f["value"] >= 10_000 and f["peak_rss_mb"] < 250,
    ),
    "import_xlsx": (
        "≥ 10,000 rows/s, < 250 MB",
        lambda f: f["value"] >= 10_000 and f["peak_rss_mb"] < 250,
    ),
    "publish": ("< 10 s for 50,000 incomes", lambda f: f["value"] < 10),
    "verify": ("≥ 0.3 of its ceiling", lambda f: f["ratio"] >= 0.3),
    "journal_pdf": ("≥ 0.3 of its ceiling", lambda f: f["ratio"] >= 0.3),
    "web_month_page": ("≥ 0.5 of hello", lambda f: f["ratio"] >= 0.5),
}


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(x.split()[1])
            for x in Path("/proc/meminfo").read_text().splitlines()
            if x.startswith("MemTotal")
        )
        memory = f", {mem / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = ""
    return f"{os.cpu_count()} cores {model or platform.machine()}{memory}"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def psql_admin(url: str, sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(with_database(url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def server_version(url: str) -> str:
    import psycopg2

    conn = psycopg2.connect(with_database(url, "postgres"))  # the named database may not exist
    with conn.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    conn.close()
    return f"PostgreSQL {version.split()[0]}"


def target_of(name: str):
    for prefix, target in TARGETS.items():
        if name == prefix or name.startswith(prefix + "@"):
            return target
    return None


def markdown(meta: dict, figures: list[dict]) -> str:
    rows = [
        f"Measured {meta['date']} on {meta['machine']}, {meta['database']}, Python "
        f"{meta['python']}: `{meta['command']}` ({meta['seconds'] / 60:.1f} min).",
        "",
        "| figure | value | ceiling (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        unit = f["unit"]
        target = target_of(f["name"])
        met = ("yes" if target[1](f) else "**no**") if target else ""
        extra = ""
        if "speedup_vs_1" in f:
            extra = f" ({f['speedup_vs_1']} × one writer)"
        if "peak_rss_mb" in f:
            extra = f" ({f['peak_rss_mb']} MB peak)"
        if "p95_ms" in f:
            extra = f" (p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms)"
        if "pages_per_s" in f:
            extra = f" ({f['pages']} pages, {f['pages_per_s']} pages/s)"
        ceiling = f"{f['ceiling']:,} {unit}" if f.get("ceiling") else "—"
        rows.append(
            f"| {f['name']} | {f['value']:,} {unit}{extra} | {ceiling} | "
            f"{f.get('ratio', '—')} | {target[0] if target else ''} | {met} |"
        )
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated script names")
    parser.add_argument("--keep", action="store_true", help="keep the run's database")
    parser.add_argument("--readme", action="store_true", help="rewrite README's table")
    args = parser.parse_args()
    if args.readme and (args.quick or args.only):
        raise SystemExit("--readme takes a whole full-size run: drop --quick and --only")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/run.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    name = (urlsplit(url).path.lstrip("/") or "fundmgr_bench") + "_run"
    run_url = with_database(url, name)
    psql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    psql_admin(url, f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": run_url}
    only = {x for x in args.only.split(",") if x}
    figures: list[dict] = []
    started = time.perf_counter()
    try:
        for script, full, quick in SUITE:
            if only and script not in only:
                continue
            t0 = time.perf_counter()
            result = subprocess.run(
                [sys.executable, str(BENCH / f"{script}.py"), *(quick if args.quick else full)],
                env=env,
                capture_output=True,
                text=True,
            )
            for line in result.stdout.splitlines():
                if line.startswith("{"):
                    print(line, flush=True)
                    figures.append(json.loads(line))
            if result.returncode:
                sys.stderr.write(result.stderr[-4000:])
                raise SystemExit(f"{script} failed (exit {result.returncode})")
            print(
                f"# {script} {' '.join(quick if args.quick else full)}: "
                f"{time.perf_counter() - t0:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    finally:
        if not args.keep:
            psql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    meta = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "python": platform.python_version(),
        "database": server_version(url),
        "command": "bench/run.py"
        + (" --quick" if args.quick else "")
        + (f" --only {args.only}" if args.only else ""),
        "seconds": round(time.perf_counter() - started),
    }
    RESULTS.mkdir(exist_ok=True)
    # Only a whole full-size run is "latest"; --quick and --only runs go beside it.
    stem = "partial" if args.quick or args.only else "latest"
    (RESULTS / f"{stem}.json").write_text(
        json.dumps({"meta": meta, "figures": figures}, ensure_ascii=False, indent=2) + "\n"
    )
    table = markdown(meta, figures)
    (RESULTS / f"{stem}.md").write_text(table)
    print(table)
    if args.readme:
        text = README.read_text()
        head, rest = text.split(START, 1)
        _old, tail = rest.split(END, 1)
        README.write_text(f"{head}{START}\n{table}{END}{tail}")


if __name__ == "__main__":
    main()
