"""一元租金·资源换服务 in the browser: an officer records a space, a council meeting with its
prior review and tally, a reviewer enters the second tally, the officer records the
agreement and a delivered session, a bad delivery is refused beside its field, the
reviewer confirms, and the public meter counts it - with nobody's login on it."""

import datetime as dt
import re

import pytest

from tests.browser.conftest import OUTPUT, no_horizontal_scroll
from tests.browser.test_officer import login

pytestmark = pytest.mark.browser
SHA = "5e" * 32


def test_an_agreement_its_deliveries_and_its_public_meter(server, browser):
    today = dt.date.today()
    officer = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = officer.new_page()
    login(page, server, "officer", "demo-officer-2026")
    page.locator("[data-community=WLQ-QY]").get_by_role("link", name="场地与议事决策").click()
    page.wait_for_url(re.compile(r"/officer/c/WLQ-QY/spaces/$"))
    assert page.locator("#agreements").get_by_text("QY-ZL-02").is_visible()

    page.goto(server + "/officer/c/WLQ-QY/spaces/new/")
    page.fill("#id_code", "BR-01")
    page.fill("#id_name", "社区书屋")
    page.fill("#id_address", "桥一社区综合楼三层")
    page.fill("#id_area_m2", "60")
    page.locator("main").get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/spaces/$"))

    page.goto(server + "/officer/c/WLQ-QY/meetings/new/")
    page.select_option("#id_body", "council")
    page.fill("#id_reference", "桥议〔浏览器〕1号")
    page.fill("#id_held_on", today.isoformat())
    page.fill("#id_members_entitled", "9")
    page.fill("#id_members_present", "7")
    page.fill("#id_minutes_sha256", SHA)
    page.fill("#id_item1_title", "同意以一元租金将社区书屋交社区文化艺术团使用")
    page.check("#id_item1_major")
    page.locator("main").get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting_url = page.url
    # A major matter: the tally waits for the prior review.
    page.fill("#id_votes_for", "6")
    page.fill("#id_votes_against", "1")
    page.fill("#id_votes_abstain", "0")
    page.get_by_role("button", name="登记我的计票").click()
    assert "请先登记前置审议" in page.locator("#errors").inner_text()
    page.fill(".review-form #id_body", "桥一社区党委会")
    page.select_option(".review-form #id_outcome", "agreed")
    page.get_by_role("button", name="登记前置审议").click()
    page.fill("#id_votes_for", "6")
    page.fill("#id_votes_against", "1")
    page.fill("#id_votes_abstain", "0")
    page.get_by_role("button", name="登记我的计票").click()
    assert page.get_by_text("计票已登记。").is_visible()

    reviewer = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    rpage = reviewer.new_page()
    login(rpage, server, "reviewer", "demo-reviewer-2026")
    rpage.goto(meeting_url)
    rpage.fill("#id_votes_for", "6")
    rpage.fill("#id_votes_against", "1")
    rpage.fill("#id_votes_abstain", "0")
    rpage.get_by_role("button", name="登记我的计票").click()
    assert rpage.locator("#item-1").get_by_text("通过").first.is_visible()

    page.goto(server + "/officer/c/WLQ-QY/agreements/new/")
    page.select_option("#id_space", label="BR-01 社区书屋")
    page.fill("#id_number", "BR-A1")
    page.select_option("#id_operator", label="社区文化艺术团")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=364)).isoformat())
    page.fill("#id_rent", "1")
    page.fill("#id_market_rent_month", "1500")
    page.fill("#id_market_rent_source", "周边同类房屋挂牌价")
    page.fill("#id_paid_income_foreseen_month", "0")
    for select, text in (("#id_decision", "桥议〔浏览器〕1号"), ("#id_package", "WH-CLASS")):
        option = page.locator(f"{select} option", has_text=text).first
        page.select_option(select, option.get_attribute("value"))
    page.select_option("#id_tier", "public_benefit")
    page.fill("#id_per_month", "2")
    page.locator("main").get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/agreements/BR-A1/$"))
    assert page.get_by_text("协议已登记。").is_visible()

    # A session before the term is refused beside its field, nothing written.
    page.fill("#id_delivered_on", (today - dt.timedelta(days=1)).isoformat())
    page.fill("#id_participants", "9")
    page.fill("#id_evidence_sha256", SHA)
    page.get_by_role("button", name="登记服务").click()
    assert "不在协议期限内" in page.locator("#field-delivered_on .errorlist").inner_text()
    assert page.locator("#officer-deliveries").get_by_text("还没有服务记录。").is_visible()
    page.fill("#id_delivered_on", today.isoformat())
    page.fill("#id_participants", "9")
    page.fill("#id_evidence_sha256", SHA)
    page.get_by_role("button", name="登记服务").click()
    assert page.get_by_text("服务记录已登记，确认后才计入。").is_visible()
    assert no_horizontal_scroll(page)

    rpage.goto(server + "/officer/c/WLQ-QY/agreements/BR-A1/")
    rpage.locator("#officer-deliveries").get_by_role("button", name="确认").click()
    assert rpage.get_by_text("服务记录已确认。").is_visible()

    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    ppage = public.new_page()
    ppage.goto(server + "/c/WLQ-QY/space/BR-A1/")
    meter = ppage.locator(".space-meter table.meter").inner_text()
    assert re.search(r"本月：场次\s+\d+\s+1", meter)
    assert "不按70/25/5分成" in ppage.locator("#rent-not-split").inner_text()
    html = ppage.content()
    assert "officer" not in html and "reviewer" not in html
    assert no_horizontal_scroll(ppage)
    ppage.goto(server + "/c/WLQ-QY/")
    assert ppage.locator("[data-agreement=QY-ZL-02]").is_visible()
    assert ppage.locator("[data-agreement=BR-A1]").is_visible()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    ppage.screenshot(path=str(OUTPUT / "spaces-community.png"), full_page=True)
    page.screenshot(path=str(OUTPUT / "spaces-agreement-officer.png"), full_page=True)
    for ctx in (officer, reviewer, public):
        ctx.close()
