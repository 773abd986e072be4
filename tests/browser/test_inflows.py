"""Donations and a purchase contract in the browser: an officer records a resident's
gift, sees the receipt with its code and QR, the public fund page shows the donor
masked and says the gift is not split; a contract's burn-down page lists its months."""

import re

import pytest

from tests.browser.conftest import OUTPUT, no_horizontal_scroll
from tests.browser.test_officer import login

pytestmark = pytest.mark.browser


def test_a_donation_and_a_contract_burn_down(server, browser):
    officer = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = officer.new_page()
    login(page, server, "officer", "demo-officer-2026")
    page.goto(server + "/officer/c/WLQ-QY/donations/new/")
    page.select_option("#id_donor_kind", "resident")
    page.fill("#id_donor_name", "孙美玲")
    page.fill("#id_amount", "88.00")
    page.select_option("#id_method", "wechat")
    page.fill("#id_reference", "BR-DON-1")
    page.locator("main").get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/officer/c/WLQ-QY/donations/\d+/$"))
    assert page.locator("#not-split").is_visible()
    assert page.locator(".qr svg").count() == 1
    code = page.locator("#receipt-code").inner_text()
    page.screenshot(path=str(OUTPUT / "donation-receipt-officer.png"), full_page=True)

    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    ppage = public.new_page()
    ppage.goto(server + f"/d/{code}/")
    assert "孙美玲" not in ppage.content() and "孙**" in ppage.content()
    ppage.goto(server + "/c/WLQ-QY/fund/")
    assert "不按70/25/5分成" in ppage.locator("#not-split").inner_text()
    assert "孙美玲" not in ppage.content()
    no_horizontal_scroll(ppage)
    ppage.screenshot(path=str(OUTPUT / "inflows-fund.png"), full_page=True)
    ppage.locator("a[href*='/contract/WLQ-GM-']").first.click()
    ppage.wait_for_url(re.compile(r"/contract/WLQ-GM-"))
    assert ppage.locator("table.burndown tbody tr").count() >= 6
    ppage.screenshot(path=str(OUTPUT / "contract-burndown.png"), full_page=True)
