#!/usr/bin/env python3
"""Benchmark: a 10,000-entry journal PDF (记账凭证), against the ceiling of reportlab drawing
the same number of plain text lines on a canvas.

    .venv/bin/python bench/journal_pdf.py [--entries 10000]

Uses DATABASE_URL when set, else a fresh SQLite file. Prints JSON lines; asserts nothing.
"""

import argparse
import datetime as dt
import io
import json
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    tmp, env = setup("fundmgr-bench-pdf-")
    from django.utils import timezone
    from djmoney.money import Money

    from fundmgr import services as fs
    from fundmgr.models import HubEnterprise, Provider
    from reports.render import to_pdf
    from reports.statements import build

    tag = dt.datetime.now().strftime("%H%M%S")
    hub = HubEnterprise.objects.create(code=f"JH{tag}", name="基准枢纽", subdistrict="基准街道")
    community = fs.community_create(code=f"JC{tag}", name="基准社区", subdistrict="基准街道",
                                    hub=hub, review_threshold=Decimal("1000000"))
    provider = Provider.objects.create(code=f"JP{tag}", name="基准机构", category="elderly")
    package = fs.package_create(community=community, code="PK", name="服务包", provider=provider,
                                prices={"paid": Decimal("100")})
    month = dt.date(2026, 3, 1)
    drafts = []
    for n in range(args.entries):
        paid = timezone.make_aware(dt.datetime(2026, 3, 1 + n % 28, 9, 0))
        drafts.append(fs.IncomeDraft(community=community, package=package, tier="paid",
                                     amount=Money(Decimal(100 + n % 900) / 100 * 7, "CNY"),
                                     paid_at=paid, method="wechat", payer="居民",
                                     external_ref=f"J{n}"))
    built = []
    for d in drafts:
        assert not fs.validate_draft(d)
        built.append(fs.build_income(d, recorded_by=None, now=timezone.now()))
    from django.db import transaction

    with transaction.atomic():
        fs.save_incomes(built, "bench")

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

    from reports import pdf

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
    print(json.dumps({"name": "journal_pdf", "n": args.entries, "value": round(seconds, 2),
                      "unit": "s", "pages": pages,
                      "pages_per_s": round(pages / seconds, 1),
                      "data_seconds": round(data_seconds, 2),
                      "ceiling": round(ceiling_seconds, 2),
                      "ratio": round(ceiling_seconds / seconds, 3),
                      "bytes": len(pdf_bytes)}))


if __name__ == "__main__":
    main()
