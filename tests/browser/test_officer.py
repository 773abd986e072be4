"""An officer logs in, records an income and sees the receipt: split and 大写 amount."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import no_horizontal_scroll

pytestmark = pytest.mark.browser


def login(page, server, username, password):
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("main").get_by_role("button", name="登录").click()
    # Each role lands on its own workspace (/officer/, /officer/reviews/, /auditor/...).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_an_officer_records_income_and_sees_the_receipt(server, page):
    login(page, server, "officer", "demo-officer-2026")
    assert page.get_by_role("heading", level=1).inner_text() == "工作台"
    assert no_horizontal_scroll(page)
    page.locator("[data-community=WLQ-QY]").get_by_role("link", name="登记收入").click()

    page.get_by_label("服务包").select_option(label="ZC-MEAL 长者助餐（每餐）")
    page.get_by_label("类别").select_option("paid")
    page.get_by_label("数量").fill("3")
    # The listed price times the quantity fills the amount; its capitals follow.
    assert page.locator("#id_amount_0").input_value() == "54.00"
    page.locator("#id_amount_0").fill("1234.56")
    # A locator's wait, not wait_for_function: that evaluates a string, which the
    # Content-Security-Policy (no 'unsafe-eval') rightly refuses.
    expect(page.locator("#amount-capital")).to_contain_text("壹仟贰佰叁拾肆元伍角陆分")
    page.get_by_label("支付方式").select_option("wechat")
    page.get_by_label("付款人").fill("王小明")
    page.get_by_label("流水号").fill("WX-BROWSER-0001")
    assert no_horizontal_scroll(page)
    page.locator("main").get_by_role("button", name="登记").click()

    page.wait_for_url(re.compile(r"/officer/receipts/"))
    assert page.get_by_text("已登记并记账。").is_visible()
    assert page.locator("#capital").inner_text() == "壹仟贰佰叁拾肆元伍角陆分"
    split = page.locator("#split").inner_text()
    assert "864.19" in split and "308.64" in split and "61.73" in split and "1,234.56" in split
    assert page.locator(".qr svg").count() == 1
    code = page.locator("#receipt-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert no_horizontal_scroll(page)

    # The QR's link opens the public receipt, with the payer masked.
    page.goto(
        page.locator("#public-link").get_attribute("href").replace("http://127.0.0.1:8000", server)
    )
    assert code in page.content() and "王**" in page.content() and "王小明" not in page.content()


def test_a_bad_amount_is_refused_beside_the_field(server, page):
    login(page, server, "officer", "demo-officer-2026")
    page.goto(server + "/officer/c/WLQ-QY/incomes/new/")
    page.locator("#id_amount_0").fill("-5")
    page.locator("main").get_by_role("button", name="登记").click()
    assert page.locator("#field-amount .errorlist").inner_text().strip() == "金额必须大于零。"
