"""Render a Statement (reports.statements) as PDF, CSV or XLSX: the same data each time."""

from __future__ import annotations

import csv
import io

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from fundmgr.capital import capital_from_fen
from fundmgr.csvsafe import safe_row

from . import pdf
from .disclosure import yuan
from .statements import Statement

WIDTH = 180 * mm


def _cells(rows, style, wrap_from=20):
    return [[pdf.para(c, style) if isinstance(c, str) and len(c) > wrap_from else c
             for c in row] for row in rows]


class QrFlowable(Flowable):
    """A QR code drawn as filled squares (qrcode's matrix): no image library, and no
    font - reportlab's own QR widget would reference an unembedded Helvetica."""

    def __init__(self, url: str, size: float = 28 * mm):
        super().__init__()
        import qrcode

        code = qrcode.QRCode(border=2)
        code.add_data(url)
        code.make(fit=True)
        self.matrix = code.get_matrix()
        self.width = self.height = size

    def draw(self):
        n = len(self.matrix)
        cell = self.width / n
        self.canv.setFillColorRGB(0, 0, 0)
        for r, row in enumerate(self.matrix):
            for col, dark in enumerate(row):
                if dark:
                    self.canv.rect(col * cell, (n - 1 - r) * cell, cell, cell, stroke=0, fill=1)


def _voucher(v, s) -> KeepTogether:
    head = [[f"记账凭证  No. {v.seq}", f"日期 {v.date}",
             f"冲销 #{v.reverses}" if v.reverses else "", ""],
            ["摘要", "会计科目", "借方金额", "贷方金额"]]
    rows = [[pdf.para(memo, s["small"]), pdf.para(account, s["small"]), dr, cr]
            for memo, account, dr, cr in v.lines]
    total = yuan(v.debit_fen)
    foot = [[pdf.para(f"合计（大写）{capital_from_fen(v.debit_fen)}", s["small"]), "", total,
             total],
            [pdf.para(f"制单：{v.actor}    审核：{v.reviewer or '—'}", s["small"]), "",
             pdf.para(f"哈希 {v.hash}", s["mono"]), ""]]
    t = pdf.table(head + rows + foot, widths=[62 * mm, 62 * mm, 28 * mm, 28 * mm],
                  header=False, align_right_from=2)
    t.setStyle([("SPAN", (2, len(head) + len(rows) + 1), (3, len(head) + len(rows) + 1)),
                ("SPAN", (0, len(head) + len(rows) + 1), (1, len(head) + len(rows) + 1)),
                ("SPAN", (0, len(head) + len(rows)), (1, len(head) + len(rows))),
                ("BACKGROUND", (0, 1), (-1, 1), pdf.colors.HexColor("#eef1f4")),
                ("ALIGN", (0, 0), (-1, 1), "LEFT")])
    return KeepTogether([t, Spacer(1, 3 * mm)])


def to_pdf(st: Statement) -> bytes:
    s = pdf.styles()
    story = [pdf.para(f"{st.community.name} · {st.title}", s["title"]),
             pdf.para(f"{st.community.subdistrict} · 范围：{st.scope}", s["base"])]
    if st.qr_url:
        story += [Spacer(1, 2 * mm), QrFlowable(st.qr_url),
                  pdf.para(f"扫码查看公示页面：{st.qr_url}", s["small"])]
    for section in st.sections:
        story.append(pdf.para(section.heading, s["h2"]))
        empty = [["—"] + [""] * (len(section.columns) - 1)]
        rows = [section.columns, *(section.rows or empty)]
        story.append(pdf.table(_cells(rows, s["small"]), align_right_from=section.right_from))
    for voucher in st.vouchers:
        story.append(_voucher(voucher, s))
    if st.notes:
        story.append(pdf.para("说明", s["h2"]))
        story += [pdf.para(note, s["small"]) for note in st.notes]
    frame = pdf.Frame(title=st.title, community=st.community.name, scope=st.scope,
                      generated=st.generated, digest=st.digest)
    from .pdfsign import sign

    return sign(pdf.render(frame, story), reason=f"{st.community.name} {st.title} {st.digest}")


def _flat(st: Statement):
    for section in st.sections:
        yield [section.heading]
        yield section.columns
        yield from section.rows
        yield []
    if st.vouchers:
        yield ["凭证号", "日期", "摘要", "会计科目", "借方", "贷方", "制单", "审核", "哈希"]
        for v in st.vouchers:
            for memo, account, dr, cr in v.lines:
                yield [v.seq, v.date, memo, account, dr, cr, v.actor, v.reviewer, v.hash]
    for note in st.notes:
        yield [note]
    yield ["digest", st.digest]


def to_csv(st: Statement) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in _flat(st):
        writer.writerow(safe_row(row))
    return "\ufeff" + buf.getvalue()


def to_xlsx(st: Statement) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(st.kind[:30])
    for row in _flat(st):
        ws.append(safe_row(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
