"""A resident, no login, on a 375 px phone: home, a community, a published month, the
language switch, a valid and an unknown receipt code."""

import re

import pytest

from tests.browser.conftest import OUTPUT, no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, request):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="en-US")
    page = context.new_page()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    yield page
    page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_a_resident_reads_a_month_and_checks_a_receipt(server, phone):
    page = phone
    page.goto(server + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "社区基金账目"  # Chinese first
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name=re.compile("花园社区")).click()
    # The 70/25/5 flow and the fund's history, their numbers printed (phones cannot hover).
    assert page.locator(".flow-table").first.is_visible()
    assert page.locator("#fund-chart .hbar-value").first.is_visible()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(OUTPUT / "community.png"), full_page=True)

    page.get_by_role("link", name=re.compile("最新公示月份")).click()
    assert re.search(r"/c/WJ-HY/\d{4}-\d{2}/$", page.url)
    assert no_horizontal_scroll(page)
    first = page.locator("#month-incomes tbody a").first
    code = first.inner_text()
    payer = page.locator("#month-incomes tbody tr").first.locator("td").last.inner_text()
    assert re.fullmatch(r".\*{1,2}|", payer)

    page.get_by_role("link", name="查看质询或提出质询").click()
    page.get_by_label("问题").fill("十月的社区基金收入用在了哪里？")
    page.get_by_label("联系方式（可选，不公开）").fill("13900002222")
    page.get_by_role("button", name="提交").click()
    assert page.get_by_text("您的质询已收到").is_visible()
    assert page.get_by_text("十月的社区基金收入用在了哪里？").is_visible()
    assert "13900002222" not in page.content()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(OUTPUT / "queries.png"), full_page=True)
    page.get_by_role("link", name=re.compile("本月账目")).click()
    assert page.locator("#month-incomes tbody a").first.inner_text() == code

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Where the money went").is_visible()
    page.locator("#month-incomes tbody a").first.click()
    assert page.locator(".mono").first.inner_text() == code
    assert "fingerprint" in page.locator("#inclusion").inner_text()
    assert no_horizontal_scroll(page)

    page.goto(server + "/")
    page.get_by_label("Receipt code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Check").click()
    assert code in page.content()

    page.goto(server + "/")
    page.get_by_label("Receipt code").fill("ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Check").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Receipt not found"
    page.goto(server + "/r/nonsense/")
    assert page.get_by_role("heading", level=1).inner_text() == "Receipt not found"


def test_a_month_on_a_phone_is_cards_with_amounts_and_a_search(server, phone):
    """Issue 14: at 375 px the payments needed a sideways swipe and hid the amount."""
    page = phone
    page.goto(server + "/c/WJ-HY/")
    page.get_by_role("link", name=re.compile("最新公示月份")).click()
    assert no_horizontal_scroll(page)
    card = page.locator("#month-incomes tr.payment").first
    amount = card.locator("td.amount")
    assert amount.is_visible() and re.fullmatch(
        r"金额：?¥[\d,]+\.\d\d|¥[\d,]+\.\d\d", amount.inner_text()
    )
    box = card.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=str(OUTPUT / "month-phone.png"), full_page=False)
    code = card.locator("td.receipt a").inner_text()
    last = page.locator("#month-incomes tr.payment").last.locator("td.receipt a").inner_text()
    page.get_by_label("搜索：收据码、服务项目或服务机构").fill(last.lower())
    page.get_by_role("button", name="搜索").click()
    page.locator("#payment-found").wait_for()
    found = page.locator("#month-incomes tr.payment td.receipt a")
    assert found.count() == 1 and found.first.inner_text() == last
    assert "q=" in page.url and no_horizontal_scroll(page)
    page.screenshot(path=str(OUTPUT / "month-phone-search.png"), full_page=False)
    page.locator("#how-to-check summary").click()
    assert page.get_by_text("本月账目的指纹").first.is_visible()
    page.goto(server + "/r/" + code[:7] + "/")
    assert page.get_by_label("收据码").input_value() == code[:7]
    assert page.locator("#receipt-error").is_visible()
    page.emulate_media(media="print")
    page.goto(server + "/c/WJ-HY/")
    page.get_by_role("link", name=re.compile("最新公示月份")).click()
    assert not page.locator("#payment-search").is_visible()
    page.screenshot(path=str(OUTPUT / "month-print.png"), full_page=False)
