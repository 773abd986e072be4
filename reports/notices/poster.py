"""The notice-board poster of a published month (A4 or A3, reportlab): the totals by
tier, the split in words, the fund's in/out/balance, the red-flag counts, the digest's
first 8 characters, a QR code of the month page, the disclosure window and a box per
supervisor with their co-signature. Drawn on an A4 grid; A3 is the same page scaled by
sqrt(2), so both read alike from a few steps away."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas

from fundmgr.lib.dates import local_date
from fundmgr.models import Tier

from ..auditor.pdf import FONT, register_fonts
from ..selectors import fund_of
from ..supervision.models import CoSignature, Supervisor
from ..supervision.services import quorum_of

SIZES = {"a4": A4, "a3": A3}
DIGITS = "零一二三四五六七八九"
TIER_WORDS = {Tier.PUBLIC_BENEFIT: "公益", Tier.PAID: "有偿", Tier.LOW_COST: "低偿"}
INK, MUTED, RULE, ACCENT = (
    colors.HexColor("#1b1f23"),
    colors.HexColor("#5a6470"),
    colors.HexColor("#9aa4ae"),
    colors.HexColor("#b3261e"),
)


def zh_number(text: str) -> str:
    """'70' -> 七十, '25' -> 二十五, '5' -> 五, '12.5' -> 十二点五 (0-999, as on posters)."""
    whole, _dot, frac = text.partition(".")
    n = int(whole)
    if n == 0:
        words = "零"
    else:
        hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
        words = ""
        if hundreds:
            words += DIGITS[hundreds] + "百"
        if tens:
            words += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
        elif hundreds and ones:
            words += "零"
        if ones:
            words += DIGITS[ones]
    frac = frac.rstrip("0")
    return words + ("点" + "".join(DIGITS[int(c)] for c in frac) if frac else "")


def percent_words(bp: int) -> str:
    value = (Decimal(bp) / 100).normalize()
    return "百分之" + zh_number(f"{value:f}")


def _policy(doc: dict) -> dict | None:
    start = doc["period"]["start"]
    earlier = [p for p in doc.get("policies", []) if p["effective_from"] <= start]
    return (earlier or doc.get("policies") or [None])[-1]


def spaces_of(doc: dict) -> dict:
    """The spaces let for a symbolic rent and the services owed for them this month."""
    agreements = doc.get("spaces", {}).get("agreements", [])
    return {
        "agreements": len(agreements),
        "owed": sum(int(a["this_month"]["sessions_owed"]) for a in agreements),
        "delivered": sum(int(a["this_month"]["sessions_delivered"]) for a in agreements),
    }


def facts(period) -> dict:
    """Everything the poster prints, from the published document and the co-signatures."""
    d = period.disclosure
    doc = json.loads(d.document)
    signed = {
        c.supervisor_id: c for c in CoSignature.objects.filter(disclosure=d).select_related("key")
    }
    seats = [
        s
        for s in Supervisor.objects.filter(community=period.community)
        if s.ended_at is None or s.pk in signed
    ]
    flags = doc.get("red_flags", {})
    return {
        "doc": doc,
        "policy": _policy(doc),
        "fund": fund_of(doc),
        "spaces": spaces_of(doc),
        "flags": (
            sum(int(c.get("raised", 0)) for c in flags.values()),
            sum(int(c.get("resolved", 0)) for c in flags.values()),
        ),
        "seats": [(s, signed.get(s.pk)) for s in seats],
        "quorum": quorum_of(period.community),
        "window": (local_date(period.published_at or d.created_at), local_date(d.window_ends_at)),
        "url": settings.SITE_URL
        + reverse("public-month", args=[period.community.code, period.label]),
        "digest8": d.digest[:8],
    }


def _yuan(value) -> str:
    return f"¥{Decimal(value):,.2f}"


def render(period, size: str = "a4") -> bytes:
    register_fonts()
    f = facts(period)
    doc = f["doc"]
    buf = io.BytesIO()
    pagesize = SIZES[size]
    c = pdfcanvas.Canvas(buf, pagesize=pagesize, initialFontName=FONT)
    c.setTitle(f"{doc['community']['name']} {period.label} 公示海报")
    c.setAuthor(doc["community"]["name"])
    c.setCreator("fundmgr")
    scale = pagesize[0] / A4[0]
    c.scale(scale, scale)
    W, H = A4
    left, right = 15 * mm, W - 15 * mm
    year, month = period.month.year, period.month.month

    def text(x, y, s, size=10, color=INK, align="left"):
        c.setFont(FONT, size)
        c.setFillColor(color)
        {"left": c.drawString, "right": c.drawRightString, "center": c.drawCentredString}[align](
            x, y, s
        )

    def box(x, y, w, h, title):
        c.setStrokeColor(RULE)
        c.setLineWidth(0.8)
        c.roundRect(x, y, w, h, 2.5 * mm)
        text(x + 4 * mm, y + h - 7 * mm, title, 12.5, INK)

    # Heading
    y = H - 24 * mm
    text(left, y, doc["community"]["name"], 24)
    text(left, y - 11 * mm, f"{year}年{month}月 社区服务包收入与社区基金公示", 16)
    text(left, y - 18 * mm, doc["community"]["subdistrict"], 10, MUTED)
    # Window band
    start, end = f["window"]
    c.setFillColor(colors.HexColor("#fff4e5"))
    c.rect(left, y - 33 * mm, right - left, 10 * mm, stroke=0, fill=1)
    text(
        left + 4 * mm,
        y - 29.5 * mm,
        f"公示期：{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}。有疑问可扫码提出质询，答复公开。",
        11.5,
    )

    # Totals by tier (left) and QR (right)
    top = y - 40 * mm
    qr_w = 62 * mm
    tw = right - left - qr_w - 6 * mm
    box(left, top - 68 * mm, tw, 68 * mm, "本月收入（按类别）")
    row_y = top - 17 * mm
    text(left + 6 * mm, row_y, "类别", 10, MUTED)
    text(left + tw * 0.55, row_y, "笔数", 10, MUTED, "right")
    text(left + tw - 6 * mm, row_y, "金额", 10, MUTED, "right")
    for tier in Tier.values:
        row_y -= 7.5 * mm
        t = doc["by_tier"][tier]
        text(left + 6 * mm, row_y, TIER_WORDS[tier], 12)
        text(left + tw * 0.55, row_y, str(t["count"]), 12, align="right")
        text(left + tw - 6 * mm, row_y, _yuan(t["amount"]), 12, align="right")
    totals = doc["totals"]
    row_y -= 3.5 * mm
    c.setStrokeColor(RULE)
    c.line(left + 6 * mm, row_y, left + tw - 6 * mm, row_y)
    row_y -= 7 * mm
    text(left + 6 * mm, row_y, "合计", 12.5)
    text(left + tw * 0.55, row_y, str(totals["count"]), 12.5, align="right")
    text(left + tw - 6 * mm, row_y, _yuan(totals["income"]), 12.5, align="right")
    row_y -= 7 * mm
    text(
        left + 6 * mm,
        row_y,
        f"冲销 {_yuan(totals['reversed'])}　净额 {_yuan(totals['net'])}",
        10.5,
        MUTED,
    )

    qx = right - qr_w
    box(qx, top - 68 * mm, qr_w, 68 * mm, "扫码核对每一笔")
    widget = QrCodeWidget(f["url"], barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    side = 46 * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, qx + (qr_w - side) / 2, top - 60 * mm)
    text(qx + qr_w / 2, top - 64.5 * mm, "用手机扫一扫，查收据、看明细", 8.5, MUTED, "center")

    # The split, in words
    top -= 74 * mm
    box(left, top - 34 * mm, right - left, 34 * mm, "收入怎么分（分配方案）")
    p = f["policy"]
    if p:
        words = (
            f"专业机构得{percent_words(p['provider_bp'])}，"
            f"枢纽型社会企业得{percent_words(p['hub_bp'])}，"
            f"社区基金得{percent_words(p['fund_bp'])}。"
        )
    else:
        words = "本月无适用的分配方案。"
    text(left + 6 * mm, top - 16 * mm, words, 12.5)
    text(
        left + 6 * mm,
        top - 26 * mm,
        f"本月：专业机构 {_yuan(totals['provider'])}　枢纽 {_yuan(totals['hub'])}　"
        f"社区基金 {_yuan(totals['fund'])}",
        11,
    )

    # Fund, spaces and red flags: three boxes side by side
    top -= 40 * mm
    third = (right - left - 8 * mm) / 3
    box(left, top - 36 * mm, third, 36 * mm, "社区基金")
    fund = f["fund"]
    for i, (label, value) in enumerate(
        (("本月收入", fund["in"]), ("本月支出", fund["out"]), ("月末余额", fund["balance"]))
    ):
        ry = top - 15 * mm - i * 6.5 * mm
        text(left + 4 * mm, ry, label, 11)
        text(left + third - 4 * mm, ry, _yuan(value), 11, align="right")
    if fund["restricted"]:
        text(left + 4 * mm, top - 33 * mm, f"另有专项基金 {_yuan(fund['restricted'])}", 8.5, MUTED)
    sx = left + third + 4 * mm
    box(sx, top - 36 * mm, third, 36 * mm, "场地换服务")
    spaces = f["spaces"]
    if spaces["agreements"]:
        short = spaces["delivered"] < spaces["owed"]
        text(sx + 4 * mm, top - 16 * mm, f"{spaces['agreements']} 处场地一元出租", 11)
        text(sx + 4 * mm, top - 23 * mm, f"本月应服务 {spaces['owed']} 次", 11)
        text(
            sx + 4 * mm,
            top - 30 * mm,
            f"已服务 {spaces['delivered']} 次",
            11,
            ACCENT if short else INK,
        )
    else:
        text(sx + 4 * mm, top - 16 * mm, "本月没有场地协议", 11, MUTED)
    fx = left + 2 * (third + 4 * mm)
    box(fx, top - 36 * mm, third, 36 * mm, "风险预警")
    raised, resolved = f["flags"]
    text(fx + 4 * mm, top - 16 * mm, f"本月提出 {raised} 条", 11, ACCENT if raised else INK)
    text(fx + 4 * mm, top - 23 * mm, f"已处理 {resolved} 条", 11)
    text(fx + 4 * mm, top - 30 * mm, "审计人员逐条核查", 9, MUTED)

    # Supervisors' boxes
    top -= 42 * mm
    seats = f["seats"]
    signed_count = sum(1 for _s, sig in seats if sig)
    box_h = 52 * mm  # room to sign by hand beside the online co-signature
    box(left, top - box_h, right - left, box_h, "居务监督委员会会签")
    text(
        right - 6 * mm,
        top - 7 * mm,
        f"需 {f['quorum']} 位会签 · 已由 {signed_count} / {len(seats)} 位会签",
        10.5,
        INK if signed_count >= f["quorum"] else ACCENT,
        "right",
    )
    slots = seats or [(None, None)] * max(f["quorum"], 2)
    per_row = min(len(slots), 4)
    sw = (right - left - 12 * mm - (per_row - 1) * 4 * mm) / per_row
    for i, (seat, sig) in enumerate(slots[:4]):
        sx = left + 6 * mm + i * (sw + 4 * mm)
        sy = top - box_h + 5 * mm
        c.setStrokeColor(RULE)
        c.setDash(2, 2)
        c.rect(sx, sy, sw, 36 * mm)
        c.setDash()
        text(sx + 3 * mm, sy + 30 * mm, seat.public_label if seat else "委员", 10.5)
        if sig:
            signed_on = f"已在线会签 {local_date(sig.signed_at):%m月%d日}"
            text(sx + 3 * mm, sy + 23.5 * mm, signed_on, 9.5)
            text(sx + 3 * mm, sy + 18.5 * mm, f"密钥 {sig.key.key_id[:8]}", 8, MUTED)
        else:
            text(sx + 3 * mm, sy + 23.5 * mm, "待会签", 9.5, ACCENT)
        text(sx + 3 * mm, sy + 10 * mm, "签字：", 9, MUTED)
        text(sx + sw / 2, sy + 10 * mm, "日期：", 9, MUTED)
    if len(slots) > 4:
        text(left + 6 * mm, top - box_h + 1.5 * mm, f"另有 {len(slots) - 4} 位，见网页", 8, MUTED)

    # Footer
    text(
        left,
        13 * mm,
        f"公示文件摘要值（前 8 位）：{f['digest8']}　发布日期 {start:%Y-%m-%d}",
        10,
    )
    text(left, 8 * mm, f["url"], 8, MUTED)
    c.showPage()
    c.save()
    return buf.getvalue()
