"""PDF statements with reportlab platypus: an embedded CJK font, and on every page the
community, the scope, 第 x 页 / 共 y 页, the generation time and the document's digest."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

FONT = "WQYMicroHei"
FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"


@lru_cache(maxsize=1)
def register_fonts() -> str:
    # subfontIndex 0 of the collection is Micro Hei (1 is its monospaced sibling).
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
    return FONT


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=15, leading=20, spaceAfter=6),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontSize=11,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,  # a heading never stays alone at a page foot
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=9),
        "mono": ParagraphStyle("mono", parent=base, fontSize=6.5, leading=8),
    }


def table(rows, widths=None, header=True, align_right_from=None) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa4ae")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")))
    if align_right_from is not None:
        style.append(("ALIGN", (align_right_from, 0), (-1, -1), "RIGHT"))
    t.setStyle(TableStyle(style))
    return t


@dataclass(frozen=True)
class Frame:
    """What every page says about the document."""

    title: str
    community: str
    scope: str
    generated: str
    digest: str


def _numbered_canvas(frame: Frame):
    class NumberedCanvas(pdfcanvas.Canvas):
        """Keeps each page until the end, so every page can say how many there are."""

        def __init__(self, *args, **kwargs):
            # Start every page in the embedded font: reportlab's default Helvetica would be
            # referenced without being embedded.
            kwargs["initialFontName"] = FONT
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = A4
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor("#333333"))
            self.drawString(15 * mm, height - 10 * mm, f"{frame.community} · {frame.title}")
            self.drawRightString(width - 15 * mm, height - 10 * mm, f"范围：{frame.scope}")
            self.line(15 * mm, height - 11.5 * mm, width - 15 * mm, height - 11.5 * mm)
            self.setFont(FONT, 7)
            self.drawString(
                15 * mm, 8 * mm, f"生成时间 {frame.generated} · 摘要值 SHA-256 {frame.digest}"
            )
            self.drawRightString(width - 15 * mm, 8 * mm, f"第 {number} 页 / 共 {total} 页")

    return NumberedCanvas


def render(frame: Frame, story, *, creator="fundmgr") -> bytes:
    register_fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=frame.title,
        author=frame.community,
        creator=creator,
        subject=frame.scope,
    )
    doc.build(list(story), canvasmaker=_numbered_canvas(frame))
    return buf.getvalue()


def para(text: str, style: ParagraphStyle) -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(text), style)
