#!/usr/bin/env python3
"""Benchmark: the hostile income files of issue 21 at full size, each put through
`manage.py import_income --dry-run` in its own process, under the real limits of
fundmgr/imports/xlsx.py. Prints one JSON line per file: its size, the seconds, the peak
RSS of the importing process (os.wait4), the exit status and the first line of the
message. The bar of the issue: every file refused (or read) with memory under 300 MB.

    .venv/bin/python bench/hostile_files.py

The corpus is the one tests/security uses (generated, never committed)."""

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402
from _django import ROOT  # noqa: E402


def main() -> None:
    tmp, env = _django.setup("fundmgr-bench-hostile-")
    from fundmgr.services.setup import package_create
    from tests.security import hostile

    c, _packages = _django.community("SQA")
    from decimal import Decimal

    from fundmgr.models import Provider

    package_create(
        community=c,
        code="YL01",
        name="助老",
        provider=Provider.objects.create(code="PYL", name="机构", category="elderly"),
        prices={"paid": Decimal("100")},
    )
    from django.db import connection

    connection.close()

    long_text = "<si><t>" + "长" * 100 + "</t></si>"
    files = {
        # the zipbomb_shared.xlsx: a table far past the limit (refused unread)
        "shared_strings_1GB": lambda p: hostile.shared_strings_bomb(p, megabytes=1024),
        # just under the byte limit, as many tiny texts as fit: the count limit stops it
        "shared_strings_47MB_tiny": lambda p: hostile.shared_strings_bomb(p, megabytes=47),
        # just under both limits, long texts: read, kept as bytes
        "shared_strings_45MB_long": lambda p: hostile._xlsx(
            p,
            [hostile._row(1, hostile.HEADER)],
            shared_parts=(long_text * 1000 for _ in range(150)),
        ),
        # the zipbomb_row.xlsx: millions of cells in one row
        "row_of_3M_cells": lambda p: hostile.wide_row(p, cells=3_000_000),
        # a worksheet of empty rows: past Excel's row count after 6 MB
        "sheet_380MB_empty_rows": lambda p: hostile.sheet_bomb(p, megabytes=380),
        # a worksheet far past its byte limit: refused unread
        "sheet_1GB_empty_rows": lambda p: hostile.sheet_bomb(p, megabytes=1024),
        # the 1.7 KB file claiming A1:XFD1048576
        "dimension_A1_XFD1048576": hostile.huge_dimension,
        "text_in_number_cells": hostile.text_in_numeric_cell,
    }
    for name, make in files.items():
        path = make(tmp / f"{name}.xlsx")
        t0 = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "manage.py", "import_income", str(path), "--dry-run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        stderr = child.stderr.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        _django.emit(
            name=f"hostile_{name}",
            value=round(usage.ru_maxrss / 1024, 1),
            unit="MB peak RSS",
            file_kb=round(path.stat().st_size / 1024, 1),
            seconds=round(time.perf_counter() - t0, 2),
            exit=os.waitstatus_to_exitcode(status),
            message=(stderr.strip().splitlines() or [""])[-1][:160],
        )
        path.unlink()


if __name__ == "__main__":
    main()
