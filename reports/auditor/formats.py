"""A Statement (reports.auditor.statements) as PDF, CSV or XLSX: the same data each time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from functools import lru_cache

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Spacer

from fundmgr.lib.capital import capital_from_fen
from fundmgr.lib.csvsafe import safe_cell, safe_row
from fundmgr.lib.money import yuan

from . import pdf
from .statements import Statement

WIDTH = 180 * mm


def _cells(rows, style, wrap_from=20):
    return [
        [pdf.para(c, style) if isinstance(c, str) and len(c) > wrap_from else c for c in row]
        for row in rows
    ]


def _widths(section) -> list[float] | None:
    """Column widths for a wide section (the trial balance's eight columns): amounts a
    fixed width, text columns sharing the rest, so the table fits the page."""
    n = len(section.columns)
    if n < 7 or section.right_from is None:
        return None
    amount = 18 * mm
    text = section.right_from
    code = 19 * mm if section.columns[0].endswith("编码") else 0
    rest = (WIDTH - amount * (n - text) - code) / (text - (1 if code else 0))
    return [code or rest] + [rest] * (text - 1) + [amount] * (n - text)


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


@lru_cache(maxsize=8192)
def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, pdf.FONT, size)


@lru_cache(maxsize=8192)  # account names and descriptions repeat on every voucher
def _wrap(text: str, size: float, width: float) -> tuple[str, ...]:
    """Greedy line breaking by character width (CJK text has no spaces to break at)."""
    if _width(text, size) <= width:
        return (text,)
    lines, line, used = [], "", 0.0
    for ch in text:
        w = _char_width(ch, size)
        if line and used + w > width:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    lines.append(line)
    return tuple(lines)


@lru_cache(maxsize=4096)
def _char_width(ch: str, size: float) -> float:
    return pdfmetrics.stringWidth(ch, pdf.FONT, size)


class VoucherFlowable(Flowable):
    """A voucher (记账凭证) drawn straight on the canvas: a ruled grid of header, lines
    and footer, long cells wrapped. A platypus Table with a Paragraph in every cell cost
    fifty times more (bench/ pdf: 10,000 vouchers in 31 s). A voucher taller than the
    space left splits between lines, its header repeated."""

    COLUMNS = (62 * mm, 62 * mm, 28 * mm, 28 * mm)
    SIZE, MONO, LEADING, PAD, GAP = 7.0, 6.5, 9.0, 2.0, 3 * mm
    GRID = pdf.colors.HexColor("#9aa4ae")
    SHADE = pdf.colors.HexColor("#eef1f4")

    def __init__(self, v, rows=None, head=None):
        super().__init__()
        self.v = v
        if rows is None:
            head = [
                self._row(
                    [
                        f"记账凭证  记字第 {v.number} 号（账簿序号 #{v.seq}）",
                        f"日期 {v.date}",
                        f"冲销 #{v.reverses}" if v.reverses else "",
                        "",
                    ]
                ),
                self._columns_row(),
            ]
            total = yuan(v.debit_fen)
            rows = [self._row(list(line)) for line in v.lines]
            rows += [
                self._row([f"合计（大写）{capital_from_fen(v.debit_fen)}", None, total, total]),
                self._row(
                    [f"制单：{v.actor}    审核：{v.reviewer or '—'}", None, f"哈希 {v.hash}", None],
                    mono_from=2,
                ),
            ]
        self.head, self.rows = head, rows
        self.width = sum(self.COLUMNS)
        self.height = sum(r[0] for r in head + rows) + self.GAP

    @classmethod
    def _row(cls, cells, shade=False, mono_from=None):
        """(height, shade, [(x, width, lines, size, right-aligned)]): a cell followed by
        None spans the next column too. Ten thousand vouchers make 80,000 rows: kept
        lean (bench/ pdf)."""
        placed, x, i, n, most = [], 0.0, 0, len(cells), 1
        columns, pad2 = cls.COLUMNS, 2 * cls.PAD
        while i < n:
            width = columns[i]
            span = 1
            while i + span < n and cells[i + span] is None:
                width += columns[i + span]
                span += 1
            size = cls.MONO if mono_from is not None and i >= mono_from else cls.SIZE
            text = cells[i]
            lines = _wrap(text if type(text) is str else str(text or ""), size, width - pad2)
            if len(lines) > most:
                most = len(lines)
            placed.append((x, width, lines, size, i >= 2 and mono_from is None))
            x += width
            i += span
        return most * cls.LEADING + pad2, shade, placed

    @classmethod
    @lru_cache(maxsize=1)
    def _columns_row(cls):
        return cls._row(["摘要", "会计科目", "借方金额", "贷方金额"], shade=True)

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def split(self, available_width, available_height):
        used = sum(r[0] for r in self.head)
        for n, row in enumerate(self.rows):
            if used + row[0] > available_height - self.GAP:
                if n == 0:
                    return []
                v = self.v
                continued = [
                    self._row(
                        [
                            f"记账凭证  No. {v.seq}（续）",
                            f"日期 {v.date}",
                            f"冲销 #{v.reverses}" if v.reverses else "",
                            "",
                        ]
                    ),
                    self.head[1],
                ]
                return [
                    VoucherFlowable(v, self.rows[:n], self.head),
                    VoucherFlowable(v, self.rows[n:], continued),
                ]
            used += row[0]
        return [self]

    def draw(self):
        """One text object and one batch of rules for the whole voucher: a text object
        and a rectangle per cell cost twice as much again."""
        c = self.canv
        text = c.beginText()
        rules = []
        verticals: dict[float, list[list[float]]] = {}  # x -> [bottom, top] runs, merged
        size = None
        y = self.height - self.GAP
        for height, shade, cells in self.head + self.rows:
            y -= height
            if shade:
                c.setFillColor(self.SHADE)
                c.rect(0, y, self.width, height, stroke=0, fill=1)
            rules.append((0, y + height, self.width, y + height))
            for x, width, lines, cell_size, right in cells:
                for edge in (x, x + width):
                    runs = verticals.setdefault(edge, [])
                    if runs and runs[-1][0] == y + height:
                        runs[-1][0] = y
                    elif not runs or runs[-1][0] != y:
                        runs.append([y, y + height])
                if cell_size != size and lines[0]:
                    size = cell_size
                    text.setFont(pdf.FONT, size)
                ty = y + height - self.PAD - cell_size
                for line in lines:
                    if not line:
                        continue
                    tx = x + width - self.PAD - _width(line, size) if right else x + self.PAD
                    text.setTextOrigin(tx, ty)
                    # _textOut: textOut less the advance of the cursor, which each cell
                    # sets anyway (a text width per cell saved).
                    text._textOut(line)
                    ty -= self.LEADING
        rules.append((0, y, self.width, y))
        rules += [(x, bottom, x, top) for x, runs in verticals.items() for bottom, top in runs]
        c.setFillColor(pdf.colors.black)
        c.drawText(text)
        c.setStrokeColor(self.GRID)
        c.setLineWidth(0.25)
        c.lines(rules)


def to_pdf(st: Statement) -> bytes:
    s = pdf.styles()
    story = [
        pdf.para(f"{st.community.name} · {st.title}", s["title"]),
        pdf.para(f"{st.community.subdistrict} · 范围：{st.scope}", s["base"]),
    ]
    if st.qr_url:
        story += [
            Spacer(1, 2 * mm),
            QrFlowable(st.qr_url),
            pdf.para(f"扫码查看公示页面：{st.qr_url}", s["small"]),
        ]
    for section in st.sections:
        story.append(pdf.para(section.heading, s["h2"]))
        empty = [["—"] + [""] * (len(section.columns) - 1)]
        rows = [section.columns, *(section.rows or empty)]
        story.append(
            pdf.table(
                _cells(rows, s["small"], wrap_from=14 if _widths(section) else 20),
                widths=_widths(section),
                align_right_from=section.right_from,
            )
        )
        if section.note:
            story += [Spacer(1, 1 * mm), pdf.para(section.note, s["small"])]
    for voucher in st.vouchers:
        story.append(VoucherFlowable(voucher))
    if st.notes:
        story.append(pdf.para("说明", s["h2"]))
        story += [pdf.para(note, s["small"]) for note in st.notes]
    frame = pdf.Frame(
        title=st.title,
        community=st.community.name,
        scope=st.scope,
        generated=st.generated,
        digest=st.digest,
    )
    from .pdfsign import sign

    return sign(pdf.render(frame, story), reason=f"{st.community.name} {st.title} {st.digest}")


def _flat(st: Statement):
    """Every row of the statement with the columns that hold amounts (a range, or None), so
    CSV writes text and XLSX writes numbers and dates from the same rows."""
    for section in st.sections:
        yield [section.heading], None
        yield section.columns, None
        for row in section.rows:
            amounts = None if section.right_from is None else range(section.right_from, len(row))
            yield row, amounts
        if section.note:
            yield [section.note], None
        yield [], None
    if st.vouchers:
        head = [
            "记字号",
            "账簿序号",
            "日期",
            "摘要",
            "会计科目",
            "借方",
            "贷方",
            "制单",
            "审核",
            "哈希",
        ]
        yield head, None
        for v in st.vouchers:
            for memo, account, dr, cr in v.lines:
                row = [v.number, v.seq, v.date, memo, account, dr, cr, v.actor, v.reviewer, v.hash]
                yield row, range(5, 7)
    for note in st.notes:
        yield [note], None
    yield ["digest", st.digest], None


def to_csv(st: Statement) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row, _amounts in _flat(st):
        writer.writerow(safe_row(row))
    return "\ufeff" + buf.getvalue()


_AMOUNT = re.compile(r"-?\d+\.\d{2}")
_COUNT = re.compile(r"-?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _typed(value, is_amount_column: bool):
    """A cell as Excel should hold it: amounts as numbers (0.00 shown, so SUM works), counts
    as whole numbers, ISO dates as dates; everything else as text, formula-defused."""
    if isinstance(value, str):
        if is_amount_column and _AMOUNT.fullmatch(value):
            return Decimal(value), "#,##0.00"
        if is_amount_column and _COUNT.fullmatch(value):
            return int(value), "0"
        if _DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value), "yyyy-mm-dd"
            except ValueError:
                pass
    return safe_cell(value), None


def to_xlsx(st: Statement) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(st.kind[:30])
    for row, amounts in _flat(st):
        cells = []
        for i, value in enumerate(row):
            typed, number_format = _typed(value, amounts is not None and i in amounts)
            cell = WriteOnlyCell(ws, value=typed)
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


FORMATS = {
    "pdf": ("application/pdf", to_pdf),
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}
