"""A resident's proposal and a project followed to its close, in the browser on a phone,
no login: the proposal form (waiting for moderation, contact never shown) and the demo's
closed project - decided, paid, returned, its payments with their evidence hashes, its
milestone, the decision's vote and the residents' acceptance with masked names."""

import re

import pytest

from tests.browser.conftest import OUTPUT, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_resident_proposes_and_follows_a_closed_project(server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    page.goto(server + "/c/WLQ-QY/")
    page.get_by_role("link", name="社区项目：居民提议、议事决定和付款情况").click()
    page.wait_for_url(re.compile(r"/c/WLQ-QY/projects/$"))
    assert no_horizontal_scroll(page)
    page.fill("#p-title", "楼下增设晾衣架")
    page.fill("#p-description", "五号楼下空地增设公共晾衣架")
    page.select_option("#p-category", "facilities")
    page.fill("#p-cost", "12.345")
    page.fill("#p-contact", "13912345678")
    page.get_by_role("button", name="提交提议").click()
    assert "两位小数" in page.locator("main").inner_text() or "小数" in page.content()
    assert page.locator("#p-title").input_value() == "楼下增设晾衣架"  # kept for a retry
    page.fill("#p-cost", "600")
    page.get_by_role("button", name="提交提议").click()
    page.wait_for_url(re.compile(r"/c/WLQ-QY/projects/$"))
    assert page.get_by_text("谢谢！您的提议已收到").is_visible()
    assert "楼下增设晾衣架" not in page.locator("#proposals").inner_text()  # waits
    assert "13912345678" not in page.content()

    page.locator("#projects").get_by_role("link", name=re.compile("楼道绿化美化")).click()
    page.wait_for_url(re.compile(r"/c/WLQ-QY/project/1/$"))
    assert page.locator("#project-status").inner_text() == "已结项"
    assert page.locator("#project-remaining").inner_text() == "¥0.00"
    assert page.locator("#payments tr.payment").count() == 2
    assert re.search(r"[0-9a-f]{14}", page.locator("#payments").inner_text())
    assert "赞成" in page.locator("#decision").inner_text() or page.locator("#decision").count()
    acceptance = page.locator("#acceptance").inner_text()
    assert "王*" in acceptance and "王秀英" not in page.content()
    assert no_horizontal_scroll(page)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "project.png"), full_page=True)
    context.close()
