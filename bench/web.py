#!/usr/bin/env python3
"""Benchmark: the published month page and its API under load, against a static
"hello" Django view on the same server.

    DATABASE_URL=postgres://... .venv/bin/python bench/web.py [--incomes 1000]
        [--seconds 10] [--connections 8]

gunicorn (production settings, 2 workers: the machine's cores) serves the product on
loopback; wrk, in a second process, loads each URL for a bounded time. Needs wrk
(apt-get install wrk). Prints JSON lines with requests/s and p50/p95 latency; asserts
nothing about time.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK {"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "errors": %d}\\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, errors))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(url: str, seconds: int, connections: int, script: Path) -> dict:
    urllib.request.urlopen(url, timeout=30).read()  # warm: the first request fills caches
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incomes", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/web.py needs wrk: apt-get install wrk")
    tmp, env = _django.setup("fundmgr-bench-web-")
    from reports import services as rs

    c, packages = _django.community(f"B{_django.tag()}", providers=4)
    _django.seed_incomes(
        c,
        packages,
        args.incomes,
        start=dt.datetime(2026, 9, 1, 8),
        spread=dt.timedelta(days=29),
        prefix="b",
    )
    rs.period_close(
        community=c, month=dt.date(2026, 9, 1), actor="bench", today=dt.date(2026, 10, 2)
    )
    rs.period_publish(community=c, month=dt.date(2026, 9, 1), actor="bench")
    _django.analyze()
    from django.db import connections

    connections.close_all()

    port = free_port()
    workers = os.cpu_count() or 2
    server_env = {
        **env,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONPATH": str(_django.ROOT),
        "DJANGO_SETTINGS_MODULE": "fundmgr.conf.settings",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "web_app:application",
            "--chdir",
            str(_django.ROOT / "bench"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--error-logfile",
            str(tmp / "gunicorn.log"),
            "--log-level",
            "warning",
        ],
        env=server_env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/hello/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        script = tmp / "report.lua"
        script.write_text(REPORT)
        hello = load(f"{base}/hello/", args.seconds, args.connections, script)
        month = dt.date(2026, 9, 1).strftime("%Y-%m")
        for name, path in (
            ("web_month_page", f"/c/{c.code}/{month}/"),
            ("web_api_period", f"/api/v1/communities/{c.code}/periods/{month}/"),
        ):
            got = load(base + path, args.seconds, args.connections, script)
            _django.emit(
                name=name,
                value=got["rps"],
                unit="requests/s",
                ceiling=hello["rps"],
                n=got["requests"],
                p50_ms=got["p50_ms"],
                p95_ms=got["p95_ms"],
                errors=got["errors"],
                hello_p50_ms=hello["p50_ms"],
                hello_p95_ms=hello["p95_ms"],
                incomes=args.incomes,
                workers=workers,
                connections=args.connections,
                seconds=args.seconds,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
