#!/usr/bin/env python3
"""Benchmark: a 10,000-entry journal PDF (记账凭证), against the ceiling of reportlab drawing
the same number of plain text lines on a canvas.

    .venv/bin/python bench/journal_pdf.py [--entries 10000]

Uses DATABASE_URL when set, else a fresh SQLite file. Prints JSON lines; asserts nothing.
"""

import argparse
import datetime as dt
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    _django.setup("fundmgr-bench-pdf-")

    from reports.auditor.formats import to_pdf
    from reports.auditor.statements import build

    community, packages = _django.community(f"J{_django.tag()}", providers=4)
    month = dt.date(2026, 3, 1)
    _django.seed_incomes(
        community,
        packages,
        args.entries,
        start=dt.datetime(2026, 3, 1, 8),
        spread=dt.timedelta(days=28),
        prefix="j",
    )

    t0 = time.perf_counter()
    statement = build(community, month, "journal")
    data_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    pdf_bytes = to_pdf(statement)
    seconds = time.perf_counter() - t0
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf_bytes)).pages)

    # Ceiling: the same number of text lines (vouchers x their rows) on a bare canvas.
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from reports.auditor import pdf

    font = pdf.register_fonts()
    lines = sum(len(v.lines) + 4 for v in statement.vouchers)
    t0 = time.perf_counter()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, initialFontName=font)
    c.setFont(font, 8)
    y = 800
    for i in range(lines):
        c.drawString(40, y, f"记账凭证 {i} 收据 ABCD-EFGH 应付账款 ¥123.45")
        y -= 10
        if y < 40:
            c.showPage()
            c.setFont(font, 8)
            y = 800
    c.save()
    ceiling_seconds = time.perf_counter() - t0
    _django.emit(
        name="journal_pdf",
        value=round(seconds, 2),
        unit="s",
        ceiling=round(ceiling_seconds, 2),
        n=args.entries,
        pages=pages,
        pages_per_s=round(pages / seconds, 1),
        data_seconds=round(data_seconds, 2),
        bytes=len(pdf_bytes),
    )


if __name__ == "__main__":
    main()
