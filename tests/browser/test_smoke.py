import re

import pytest

from tests.browser.conftest import no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_newcomer_sees_chinese_switches_to_english_and_logs_in(server, page):
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", level=1).inner_text() == "社区基金账目"
    assert no_horizontal_scroll(page)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Community fund accounts"

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.locator(".errorlist").count() == 1

    page.get_by_label("Password").fill("demo-admin-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_text("admin", exact=True).is_visible()
