"""Issue 19's "done when", in the browser: a resident proposes on the public site, an
officer accepts it for consideration and makes it a project, a reviewer reviews it, a
meeting decides it (recorded through the officer's meeting pages, tallied by two
people), the officer starts it and records a milestone with its evidence file, the
acceptance by the project's own provider is refused and then recorded by two residents'
representatives, a payment citing the project is requested from the project's page and
approved, and the project is closed with its remainder returned. The public pages show
each step, and never the proposer's contact nor the representatives' full names."""

import datetime as dt
import re
import uuid

import pytest

from tests.browser.conftest import no_horizontal_scroll, shot
from tests.browser.test_officer import login

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n% milestone photo\n" + b"3" * 120
SHA = "7c" * 32
PHONE = "13566667777"


def _context(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")


def test_a_proposal_goes_from_the_public_site_to_a_closed_project(server, browser):
    tag = uuid.uuid4().hex[:6]
    title = f"小区门口增设休息长椅{tag}"
    today = dt.date.today().isoformat()

    # 1. A resident proposes, without an account.
    public = _context(browser).new_page()
    public.goto(server + "/c/WLQ-QY/projects/")
    public.fill("#p-title", title)
    public.fill("#p-description", "东门岗亭旁放两张长椅，方便老人歇脚")
    public.select_option("#p-category", "facilities")
    public.fill("#p-cost", "800")
    public.fill("#p-location", "东门")
    public.fill("#p-contact", PHONE)
    public.get_by_role("button", name="提交提议").click()
    assert public.get_by_text("谢谢！您的提议已收到").is_visible()
    assert title not in public.locator("#proposals").inner_text()

    # 2. The officer finds it in the queue, with the contact, and accepts it.
    officer = _context(browser).new_page()
    login(officer, server, "officer", "demo-officer-2026")
    officer.locator("[data-community=WLQ-QY]").get_by_role("link", name="居民提议与项目").click()
    officer.wait_for_url(re.compile(r"/officer/c/WLQ-QY/projects/$"))
    card = officer.locator("#waiting .proposal", has_text=title)
    assert PHONE in card.inner_text()
    assert no_horizontal_scroll(officer)
    shot(officer, "project-officer-1-queue")
    card.get_by_role("button", name="受理", exact=True).click()
    assert officer.get_by_text("已受理，提议现已公开。").is_visible()
    public.goto(server + "/c/WLQ-QY/projects/")
    assert title in public.locator("#proposals").inner_text()
    assert PHONE not in public.content()

    # 3. It becomes a project, carried out by a named provider; a reviewer reviews it.
    officer.locator("#accepted li", has_text=title).get_by_role("link", name="立为项目").click()
    officer.fill("#id_provider", "安居维修队")
    officer.locator("main").get_by_role("button", name="提交").click()
    officer.wait_for_url(re.compile(r"/officer/c/WLQ-QY/projects/\d+/$"))
    project_url = officer.url
    number = project_url.rstrip("/").rsplit("/", 1)[1]
    assert officer.locator("#project-status").inner_text() == "已提议"

    reviewer = _context(browser).new_page()
    login(reviewer, server, "reviewer", "demo-reviewer-2026")
    reviewer.goto(project_url)
    reviewer.fill("#id_review-note", "选址可行")
    reviewer.get_by_role("button", name="审核通过").click()
    assert reviewer.locator("#project-status").inner_text() == "已审查"
    public.goto(server + f"/c/WLQ-QY/project/{number}/")
    assert public.locator("#project-status").inner_text() == "已审查"

    # 4. The residents' meeting passes it: recorded by the officer, tallied by two people.
    reference = f"桥议〔长椅{tag}〕号"
    officer.goto(server + "/officer/c/WLQ-QY/meetings/new/")
    officer.select_option("#id_body", "council")
    officer.fill("#id_reference", reference)
    officer.fill("#id_held_on", today)
    officer.fill("#id_members_entitled", "9")
    officer.fill("#id_members_present", "7")
    officer.fill("#id_minutes_sha256", SHA)
    officer.fill("#id_item1_title", f"同意实施{title}，金额不超过500元")
    officer.fill("#id_item1_amount", "500")
    officer.locator("main").get_by_role("button", name="提交").click()
    officer.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting_url = officer.url
    for pg in (officer, reviewer):
        if pg is reviewer:
            pg.goto(meeting_url)
        pg.fill("#id_votes_for", "6")
        pg.fill("#id_votes_against", "0")
        pg.fill("#id_votes_abstain", "1")
        pg.get_by_role("button", name="登记我的计票").click()
    assert reviewer.locator("#item-1").get_by_text("通过").first.is_visible()

    # 5. Decided, citing that item: more than it approved is refused, then 450 is set aside.
    officer.goto(project_url)
    option = officer.locator("#id_decide-decision option", has_text=reference).first
    officer.select_option("#id_decide-decision", option.get_attribute("value"))
    officer.fill("#id_decide-amount", "600")
    officer.get_by_role("button", name="登记决定并预留专项资金").click()
    assert "不能超过" in officer.locator("#field-decide-amount").inner_text() or (
        officer.locator("#field-decide-amount .errorlist").count() == 1
    )
    officer.fill("#id_decide-amount", "450")
    officer.get_by_role("button", name="登记决定并预留专项资金").click()
    assert officer.locator("#project-status").inner_text() == "已决定"
    assert officer.locator("#project-decided").inner_text() == "¥450.00"
    public.goto(server + f"/c/WLQ-QY/project/{number}/")
    assert public.locator("#project-status").inner_text() == "已决定"
    assert reference in public.locator("#decision").inner_text()

    # 6. Started; a milestone with its evidence file, hashed on arrival.
    officer.get_by_role("button", name="开工").click()
    assert officer.locator("#project-status").inner_text() == "实施中"
    officer.fill("#id_milestone-title", "长椅安装完成")
    officer.fill("#id_milestone-due_on", today)
    officer.fill("#id_milestone-done_on", today)
    officer.set_input_files(
        "#id_milestone-evidence",
        files=[{"name": "photo.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    officer.get_by_role("button", name="登记进度节点").click()
    assert officer.get_by_text("进度节点已登记。").is_visible()
    public.goto(server + f"/c/WLQ-QY/project/{number}/")
    assert "长椅安装完成" in public.locator("#milestones").inner_text()

    # 7. 验收: the provider may not accept its own work; two representatives do.
    reviewer.goto(project_url)
    reviewer.fill("#id_accept-representatives", "安居维修队\n赵桂兰")
    reviewer.fill("#id_accept-evidence_sha256", SHA)
    reviewer.get_by_role("button", name="登记验收").click()
    assert reviewer.locator("#field-accept-representatives .errorlist").is_visible()
    assert reviewer.locator("#project-status").inner_text() == "实施中"
    shot(reviewer, "project-officer-2-acceptance-refused")
    reviewer.fill("#id_accept-representatives", "赵桂兰、钱志强")
    reviewer.fill("#id_accept-evidence_sha256", SHA)
    reviewer.get_by_role("button", name="登记验收").click()
    assert reviewer.locator("#project-status").inner_text() == "已验收"

    # 8. The final payment, requested from the project's page and approved.
    officer.goto(project_url)
    officer.locator("#request-payment").click()
    officer.wait_for_url(re.compile(r"/disbursements/new/\?project=\d+$"))
    officer.fill("#id_payee", "安居维修队")
    officer.fill("#id_purpose", f"{title} 长椅及安装")
    officer.select_option("#id_category", "other")
    officer.fill("#id_amount", "420")
    officer.check("#id_final")
    officer.set_input_files(
        "#id_invoice",
        files=[{"name": "fapiao.pdf", "mimeType": "application/pdf", "buffer": PDF + b"i"}],
    )
    officer.locator("main").get_by_role("button", name="提交").click()
    officer.wait_for_url(re.compile(r"/officer/disbursements/\d+/$"))
    disbursement_url = officer.url
    reviewer.goto(disbursement_url)
    reviewer.fill("#d-note", "发票与验收记录相符")
    reviewer.locator("input[name=reference]").last.fill(f"BR{tag}")
    reviewer.get_by_role("button", name="通过", exact=True).click()
    officer.goto(project_url)
    assert officer.locator("#project-paid").inner_text() == "¥420.00"
    assert officer.locator("#project-remaining").inner_text() == "¥30.00"
    assert officer.locator("#payments tr.payment").count() == 1

    # 9. Closed: the ¥30.00 left returns to the fund.
    officer.get_by_role("button", name="结项").click()
    assert officer.locator("#project-status").inner_text() == "已结项"
    assert officer.locator("#project-released").inner_text() == "¥30.00"
    assert officer.locator("#project-remaining").inner_text() == "¥0.00"
    assert no_horizontal_scroll(officer)
    shot(officer, "project-officer-3-closed")

    public.goto(server + f"/c/WLQ-QY/project/{number}/")
    assert public.locator("#project-status").inner_text() == "已结项"
    assert public.locator("#project-remaining").inner_text() == "¥0.00"
    assert public.locator("#payments tr.payment").count() == 1
    acceptance = public.locator("#acceptance").inner_text()
    assert "赵*" in acceptance
    html = public.content()
    assert "赵桂兰" not in html and PHONE not in html
    assert no_horizontal_scroll(public)
    shot(public, "project-officer-4-public")
    public.goto(server + "/c/WLQ-QY/projects/")
    row = public.locator("#projects tr.project", has_text=title)
    assert "已结项" in row.inner_text()
