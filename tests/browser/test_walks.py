"""The officer's and the reviewer's day on a phone and at a desk (issue 14), by clicks only
after the login page: record an income, see and print its receipt, import a CSV made
from the page's own template and find the receipts to print; approve a large income
from the queue and find it posted. Every step asserts what the user sees, has no
sideways scroll on the phone, and leaves a screenshot in OUTPUT (var/browser/)."""

import csv
import datetime as dt
import io
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import no_horizontal_scroll, shot
from tests.browser.test_officer import login

pytestmark = pytest.mark.browser

SIZES = [(375, 812), (1366, 900)]
RECEIPT_CODE = re.compile(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}")


def context_at(browser, width, height):
    return browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
    )


def step(page, name: str) -> None:
    """What every step checks besides its own assertions: no sideways scroll, a picture."""
    assert no_horizontal_scroll(page), f"{name}: the page scrolls sideways"
    shot(page, name)


def unique_ref(prefix: str) -> str:
    """A payment reference no other test (or rerun on the same server) has used."""
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


def record_income(page, *, amount: str, ref: str, payer: str) -> str:
    """From the workspace, by its card's link: one paid meal of `amount`; the receipt code."""
    page.locator("[data-community=WLQ-QY]").get_by_role("link", name="登记收入").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("登记收入")
    page.get_by_label("服务包").select_option(label="ZC-MEAL 长者助餐（每餐）")
    page.get_by_label("类别").select_option("paid")
    page.locator("#id_amount_0").fill(amount)
    page.get_by_label("支付方式").select_option("wechat")
    page.get_by_label("付款人").fill(payer)
    page.get_by_label("流水号").fill(ref)
    return ref


def submit_income(page) -> str:
    page.locator("main").get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/officer/receipts/"))
    code = page.locator("#receipt-code").inner_text()
    assert RECEIPT_CODE.fullmatch(code)
    return code


def filled_template(template: bytes, rows: list[dict]) -> bytes:
    """The downloaded template's header (Chinese column names) with `rows` below it."""
    header = next(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_an_officer_records_prints_and_imports(server, browser, width, height):
    context = context_at(browser, width, height)
    page = context.new_page()
    name = f"walk-officer-{width}"

    login(page, server, "officer", "demo-officer-2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    step(page, f"{name}-1-workspace")

    ref = record_income(page, amount="2345.60", ref=unique_ref("WX-WALK"), payer="李明")
    expect(page.locator("#amount-capital")).to_contain_text("贰仟叁佰肆拾伍元陆角")
    step(page, f"{name}-2-form")
    code = submit_income(page)
    expect(page.get_by_text("已登记并记账。")).to_be_visible()
    expect(page.locator("#amount")).to_have_text("¥2,345.60")
    expect(page.locator("#split")).to_contain_text("¥1,641.92")
    expect(page.get_by_text(ref)).to_be_visible()
    step(page, f"{name}-3-receipt")

    # The print view (the 打印 button prints this): a slip with signatures, no banner.
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".signatures")).to_be_visible()
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("#receipt-code")).to_have_text(code)
    step(page, f"{name}-4-print")
    page.emulate_media(media="screen")

    page.locator("header.site").get_by_role("link", name="导入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("导入收入")
    step(page, f"{name}-5-import")
    with page.expect_download() as info:
        page.get_by_role("link", name="模板（CSV）").click()
    template = open(info.value.path(), "rb").read()  # noqa: SIM115 - Playwright's temp file
    # A few minutes ago, but never in last month (closed by the demo) on the 1st at 00:02.
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    paid_at = max(now - dt.timedelta(minutes=5), now.replace(day=1, hour=0, minute=0, second=0))
    refs = [unique_ref("WX-IMPORT") for _ in range(2)]
    rows = [
        {
            "社区": "WLQ-QY",
            "服务包": "ZC-MEAL",
            "类别": "有偿",
            "金额": amount,
            "付款时间": f"{paid_at:%Y-%m-%d %H:%M}",
            "付款人": payer,
            "支付方式": "wechat",
            "流水号": r,
            "数量": quantity,
        }
        for r, amount, quantity, payer in zip(
            refs, ["1080.00", "36.00"], ["60", "2"], ["赵一", "钱二"], strict=True
        )
    ]
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": f"{name}.csv",
                "mimeType": "text/csv",
                "buffer": filled_template(template, rows),
            }
        ]
    )
    page.get_by_role("button", name="上传并检查").click()

    # Checked in the background; the page reloads itself when the check is done.
    confirm = page.locator("#confirm-import")
    expect(confirm).to_be_visible(timeout=60_000)
    expect(page.locator("main")).to_contain_text("2")
    step(page, f"{name}-6-checked")
    confirm.click()

    listed = page.locator("#job-receipts tbody tr")
    expect(listed).to_have_count(2, timeout=60_000)
    expect(page.get_by_role("heading", name="本次登记的收据")).to_be_visible()
    expect(page.locator("#job-receipts")).to_contain_text("¥1,080.00")
    expect(page.locator("#job-receipts")).to_contain_text("¥36.00")
    step(page, f"{name}-7-imported")

    first = listed.first.locator("td").first.inner_text()
    assert RECEIPT_CODE.fullmatch(first)
    listed.first.get_by_role("link", name="打印").click()
    page.wait_for_url(re.compile(r"/officer/receipts/"))
    expect(page.locator("#receipt-code")).to_have_text(first)
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    step(page, f"{name}-8-imported-receipt")
    context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_reviewer_approves_a_large_income_from_the_queue(server, browser, width, height):
    name = f"walk-reviewer-{width}"
    # The officer records one above the review threshold (¥5,000.00): it waits.
    officer = context_at(browser, width, height)
    page = officer.new_page()
    login(page, server, "officer", "demo-officer-2026")
    record_income(page, amount="8765.40", ref=unique_ref("WX-LARGE"), payer="孙大伟")
    code = submit_income(page)
    expect(page.get_by_text("已登记。金额超过审核起点，审核人通过后才记账。")).to_be_visible()
    expect(page.locator("#receipt-state")).to_contain_text("尚未审核")
    step(page, f"{name}-1-pending-receipt")
    officer.close()

    context = context_at(browser, width, height)
    page = context.new_page()
    login(page, server, "reviewer", "demo-reviewer-2026")
    page.locator("header.site").get_by_role("link", name="审核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待审核收入")
    row = page.locator("#reviews tbody tr", has_text=code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("¥8,765.40")
    # On a phone too the amount and the buttons are on the screen, not beyond a table's
    # sideways scroll (each row is a card there).
    for part in (row.locator("td.num"), row.get_by_role("button", name="通过")):
        box = part.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
    step(page, f"{name}-2-queue")

    row.get_by_role("textbox").fill("核对银行流水无误")
    row.get_by_role("button", name="通过").click()
    expect(page.get_by_text(f"已通过并记账：{code}")).to_be_visible()
    expect(page.locator("#reviews tbody tr", has_text=code)).to_have_count(0)
    step(page, f"{name}-3-approved")

    # Posted: the community's income list finds it by its code, and its receipt says so.
    page.locator("header.site").get_by_role("link", name="工作台").click()
    page.locator("[data-community=WLQ-QY]").get_by_role("link", name="全部收入").click()
    page.get_by_label("搜索").fill(code)
    page.get_by_role("button", name="筛选").click()
    found = page.locator("#incomes tbody tr", has_text=code)
    expect(found).to_have_count(1)
    expect(found).to_contain_text("已记账")
    expect(found).to_contain_text("¥8,765.40")
    step(page, f"{name}-4-posted")
    found.get_by_role("link", name=code).click()
    expect(page.locator("#receipt-code")).to_have_text(code)
    expect(page.locator("#receipt-state")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("reviewer")
    step(page, f"{name}-5-posted-receipt")
    context.close()
