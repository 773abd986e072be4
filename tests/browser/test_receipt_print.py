"""A printed receipt is a slip, not a web page: no banner, one A5 page, a stamp and
signature area, and a pending or reversed receipt unmistakable on paper (#14)."""

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import OUTPUT
from tests.browser.test_officer import login

pytestmark = pytest.mark.browser


def _printed(page, name):
    page.emulate_media(media="print")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"print-{name}.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (OUTPUT / f"print-{name}.pdf").write_bytes(pdf)
    return PdfReader(io.BytesIO(pdf))


def test_a_printed_receipt_fits_one_a5_page_with_signatures_and_no_banner(server, page):
    login(page, server, "officer", "demo-officer-2026")
    page.goto(server + "/officer/c/WLQ-QY/incomes/?status=posted")
    page.locator("#incomes a.mono, table a.mono").first.click()
    page.wait_for_url(re.compile(r"/officer/receipts/"))
    reader = _printed(page, "posted")
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert round(width / 72 * 25.4) == 148 and round(height / 72 * 25.4) == 210  # A5
    assert page.locator(".signatures").is_visible()
    assert not page.locator("header.site").is_visible()
    assert not page.locator(".no-print").first.is_visible()
    assert page.locator("#receipt-state").count() == 0


def _record_pending(page, server):
    """An income above the review threshold waits for a reviewer (made here: on some days
    the demo has none waiting)."""
    page.goto(server + "/officer/c/WLQ-QY/incomes/new/")
    page.get_by_label("服务包").select_option(label="ZC-MEAL 长者助餐（每餐）")
    page.get_by_label("类别").select_option("paid")
    page.locator("#id_amount_0").fill("9000.00")
    page.get_by_label("支付方式").select_option("bank")
    page.get_by_label("流水号").fill("BK-PRINT-PENDING")
    page.locator("main").get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/officer/receipts/"))


@pytest.mark.parametrize("status, words", [("pending", "尚未审核"), ("reversed", "已冲销")])
def test_a_pending_or_reversed_receipt_says_so_on_paper(server, page, status, words):
    login(page, server, "officer", "demo-officer-2026")
    if status == "pending":
        _record_pending(page, server)
    else:
        page.goto(server + f"/officer/c/WLQ-QY/incomes/?status={status}")
        page.locator("table a.mono").first.click()
        page.wait_for_url(re.compile(r"/officer/receipts/"))
    _printed(page, status)
    state = page.locator("#receipt-state")
    assert state.is_visible() and words in state.inner_text()
    box = state.bounding_box()
    assert box["height"] > 20 and box["width"] > 200  # a band across the slip, not a badge
