"""Automated accessibility checks (issue 14): axe-core, injected through Playwright into
Debian's Chromium, on every public page and each role's main pages. Any "serious" or
"critical" violation fails the test, naming the rule and the elements."""

import re
from importlib import resources

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, OUTPUT  # noqa: F401

pytestmark = pytest.mark.browser

C = "WLQ-QY"
PASSWORDS = {
    "officer": "demo-officer-2026",
    "reviewer": "demo-reviewer-2026",
    "auditor": "demo-auditor-2026",
}


def axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")


@pytest.fixture
def axe_page(browser, request):
    # bypass_csp for this context only: axe is a script of the test, not of the site, and
    # the site's strict Content-Security-Policy (no inline or injected scripts) would
    # refuse it. Every other browser test runs under the policy.
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True
    )
    pg = context.new_page()
    yield pg
    context.close()


def violations(page) -> list[str]:
    page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} - "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in result
        if v["impact"] in {"serious", "critical"}
    ]


def login(page, server, username):
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORDS[username])
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(workspace|officer|auditor|supervisor)/"))


def test_public_pages_have_no_serious_accessibility_violation(server, axe_page):
    page = axe_page
    found = []
    page.goto(server + "/")
    found += violations(page)
    page.goto(server + f"/c/{C}/")
    found += violations(page)
    month = page.locator(f"a[href^='/c/{C}/20']").first.get_attribute("href")
    page.goto(server + month)
    found += violations(page)
    receipt = page.locator("a[href^='/r/']").first.get_attribute("href")
    page.goto(server + "/r/")
    found += violations(page)
    if receipt:
        page.goto(server + receipt)
        found += violations(page)
    page.goto(server + f"/c/{C}/supervisors/")
    found += violations(page)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("who", "paths"),
    [
        ("officer", ["/officer/", f"/officer/c/{C}/incomes/new/", "/officer/import/"]),
        ("reviewer", ["/officer/reviews/"]),
        ("auditor", ["/auditor/", f"/auditor/{C}/statements/", f"/auditor/{C}/flags/"]),
    ],
)
def test_role_pages_have_no_serious_accessibility_violation(server, axe_page, who, paths):
    page = axe_page
    login(page, server, who)
    found = []
    for path in paths:
        page.goto(server + path)
        found += violations(page)
    assert not found, "\n".join(found)
