"""An officer reconciles: the demo's unrecorded WeChat payment is recorded from its
statement line, proposed as a match, confirmed - and the month balances."""

import re

import pytest

from fundmgr.lib import dates
from tests.browser.conftest import OUTPUT, no_horizontal_scroll
from tests.browser.test_officer import login

pytestmark = pytest.mark.browser


def test_an_officer_records_the_missing_payment_and_confirms_the_proposed_match(server, page):
    month = dates.previous_month(dates.month_start(dates.today()))
    login(page, server, "officer", "demo-officer-2026")
    url = f"{server}/officer/c/WLQ-QY/reconcile/1012.01/{month:%Y-%m}/"
    page.goto(url)
    assert "1 笔未解释" in page.locator("#status").inner_text()
    assert no_horizontal_scroll(page)
    row = page.locator("#unexplained-lines tbody tr").filter(has_text="47.50")
    row.get_by_role("link", name="补登这笔收入").click()

    page.wait_for_url(re.compile(r"/incomes/new/"))
    assert page.get_by_label("支付方式").input_value() == "wechat"
    assert page.get_by_label("流水号").input_value().startswith("WX")
    page.get_by_label("服务包").select_option(label="ZC-MEAL 长者助餐（每餐）")
    page.get_by_label("类别").select_option("paid")
    page.locator("#id_amount_0").fill("47.50")
    page.locator("main").get_by_role("button", name="登记").click()
    # The month is closed: it is booked as an adjustment once the officer ticks the box.
    page.locator("input[name=book_as_adjustment]").check()
    page.locator("#id_amount_0").fill("47.50")
    page.locator("main").get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/officer/receipts/"))

    page.goto(url)
    proposal = page.locator("#proposals tbody tr").filter(has_text="47.50")
    assert "流水号和金额都相同" in proposal.inner_text()
    proposal.get_by_role("button", name="确认").click()
    page.wait_for_url(url)
    assert page.get_by_text("已确认对上。").is_visible()
    assert "已对平" in page.locator("#status").inner_text()
    assert page.locator("#unexplained-lines").get_by_role("link", name="补登这笔收入").count() == 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "reconcile-month.png"), full_page=True)
