"""Online resident voting, the officer's side: open a vote on a meeting's items and print
its codes (the response is the PDF sheet of slips, the only time the codes are seen),
then count it after the window. The rules are fundmgr.decisions.online's; this module
renders (the slips need the embedded CJK font, which lives in reports)."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas

from fundmgr.access import community_role
from fundmgr.decisions import officer as decisions_officer
from fundmgr.decisions import online
from fundmgr.decisions.models import Meeting, OnlineVote
from fundmgr.models import Community, Role

from .auditor.pdf import FONT, register_fonts

# Ten slips a page (2 x 5), cut along the dashed lines.
COLUMNS, ROWS = 2, 5
MUTED = colors.HexColor("#555555")


def vote_url() -> str:
    return settings.SITE_URL + reverse("public-vote")


def _qr(c, modules, x: float, y: float, scale: float) -> None:
    """The QR's dark modules as filled rectangles. Not through renderPDF, which sets a
    Helvetica of its own: the slips embed their one font and nothing else."""
    c.setFillColor(colors.black)
    for mx, my, mw, mh in modules:
        c.rect(x + mx * scale, y + my * scale, mw * scale, mh * scale, stroke=0, fill=1)


def slips_pdf(vote: OnlineVote, codes: list[str]) -> bytes:
    """One slip per code: community, meeting, items, window, the code, the URL and a QR
    of the vote page (the QR carries no code: a code in a URL would end in logs)."""
    register_fonts()
    meeting = vote.meeting
    community = meeting.community
    url = vote_url()
    buf = io.BytesIO()
    c = pdfcanvas.Canvas(buf, pagesize=A4, initialFontName=FONT)
    c.setTitle(f"{community.name} {meeting.reference} 网上表决码")
    c.setAuthor(community.name)
    c.setCreator("fundmgr")
    W, H = A4
    margin = 10 * mm
    w = (W - 2 * margin) / COLUMNS
    h = (H - 2 * margin) / ROWS
    window = (
        f"{timezone.localtime(vote.opens_at):%Y-%m-%d %H:%M} 至 "
        f"{timezone.localtime(vote.closes_at):%Y-%m-%d %H:%M}"
    )
    items = "、".join(f"第{i.number}项" for i in vote.items.order_by("number"))
    qr = QrCodeWidget(url, barLevel="M")
    x0, _y0, x1, _y1 = qr.getBounds()
    modules = [(r.x - x0, r.y - x0, r.width, r.height) for r in qr.draw().contents]
    side = 26 * mm
    per_page = COLUMNS * ROWS
    for n, code in enumerate(codes):
        if n and n % per_page == 0:
            c.showPage()
        k = n % per_page
        x = margin + (k % COLUMNS) * w
        y = H - margin - (k // COLUMNS + 1) * h
        c.setDash(3, 3)
        c.setStrokeColor(MUTED)
        c.rect(x, y, w, h)
        c.setDash()
        c.setFillColor(colors.black)
        c.setFont(FONT, 10.5)
        c.drawString(x + 4 * mm, y + h - 8 * mm, f"{community.name} 居民网上表决")
        c.setFont(FONT, 8.5)
        c.drawString(x + 4 * mm, y + h - 13 * mm, f"会议：{meeting.reference}（{items}）")
        c.drawString(x + 4 * mm, y + h - 17.5 * mm, f"时间：{window}")
        c.setFont(FONT, 8)
        c.setFillColor(MUTED)
        c.drawString(x + 4 * mm, y + h - 22 * mm, "每户一码，只能投一次；不记录投票人信息。")
        c.setFillColor(colors.black)
        c.setFont(FONT, 15)
        c.drawString(x + 4 * mm, y + 14 * mm, online.display(code))
        c.setFont(FONT, 8)
        c.drawString(x + 4 * mm, y + 6 * mm, url)
        _qr(c, modules, x + w - side - 3 * mm, y + 3 * mm, side / (x1 - x0))
    c.showPage()
    c.save()
    return buf.getvalue()


def _meeting(community: Community, pk: int) -> Meeting:
    return get_object_or_404(Meeting, community=community, pk=pk)


@require_POST
@community_role(Role.OFFICER)
def online_vote_open(request, community: Community, pk: int):
    meeting = _meeting(community, pk)
    form = decisions_officer.OnlineVoteForm(request.POST)
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        return decisions_officer._detail(request, community, pk, errors, 400)
    data = form.cleaned_data
    try:
        numbers = [int(n) for n in data["items"].replace("，", ",").split(",") if n.strip()]
    except ValueError:
        return decisions_officer._detail(
            request, community, pk, [_("Item numbers: whole numbers separated by commas.")], 400
        )
    try:
        vote, codes = online.online_vote_open(
            meeting=meeting,
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            households=data["households"],
            numbers=numbers or None,
            user=request.user,
        )
    except ValidationError as error:
        return decisions_officer._detail(request, community, pk, error.messages, 400)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    response = HttpResponse(slips_pdf(vote, codes), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{community.code}-{meeting.pk}-codes.pdf"'
    )
    # Shown once: neither the browser nor a proxy keeps a copy of the codes.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@community_role(Role.OFFICER)
def online_vote_close(request, community: Community, pk: int):
    meeting = _meeting(community, pk)
    vote = get_object_or_404(OnlineVote, meeting=meeting)
    try:
        online.online_vote_close(vote=vote, user=request.user)
    except ValidationError as error:
        return decisions_officer._detail(request, community, pk, error.messages, 400)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("Online vote counted."))
    return redirect("officer:meeting", code=community.code, pk=pk)


urlpatterns = [
    path(
        "c/<str:code>/meetings/<int:pk>/online/",
        online_vote_open,
        name="online-vote-open",
    ),
    path(
        "c/<str:code>/meetings/<int:pk>/online/count/",
        online_vote_close,
        name="online-vote-close",
    ),
]
