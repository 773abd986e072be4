"""The auditor's main task on a phone and a desk (issue 14): the first click on 下载 gives
the file, or a job page that shows its progress and then downloads it - never the bare
form again."""

import re

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, OUTPUT  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "height"), [(375, 812), (1366, 900)])
def test_the_first_click_downloads_a_journal_pdf(server, browser, width, height):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill("auditor")
    page.get_by_label("密码").fill("demo-auditor-2026")
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(workspace|auditor)/"))
    page.goto(server + "/auditor/WLQ-QY/statements/")
    page.get_by_label("报表").select_option("journal")
    page.get_by_label("格式").select_option("pdf")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"auditor-statements-{width}.png"), full_page=True)
    with page.expect_download(timeout=120_000) as info:
        page.locator("main").get_by_role("button", name="下载").click()
    download = info.value
    assert download.suggested_filename.endswith("-journal.pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"
    page.screenshot(path=str(OUTPUT / f"auditor-after-download-{width}.png"), full_page=True)
    context.close()
