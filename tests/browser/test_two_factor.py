"""A finance officer who is not a demo user logs in for the first time: the password,
then enrolment of the authenticator (QR code, or the key typed in), backup codes, and
their workspace; the next login asks for the code. Then changes their password."""

import base64
import re

import pytest
from django_otp.oath import totp

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "officer-2fa", "browser-2fa-officer-2026"


def code_for(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def password_step(page, server, password=PASSWORD):
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill(USERNAME)
    page.get_by_label("密码").fill(password)
    page.locator("main").get_by_role("button", name="登录").click()


def test_an_officer_enrols_the_second_factor_then_uses_it(server, page, browser):
    password_step(page, server)
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("验证码").fill(code_for(secret))
    page.locator("main").get_by_role("button", name="确认").click()
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10
    page.locator("main").get_by_role("link", name="继续").click()
    page.wait_for_url(re.compile(r"/officer/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "工作台"

    # A new browser: the password alone does not open the workspace.
    other = browser.new_context(locale="zh-CN").new_page()
    password_step(other, server)
    other.wait_for_url(re.compile(r"/accounts/two-factor/"))
    other.goto(server + "/officer/")
    assert "/accounts/two-factor/" in other.url
    other.get_by_label("验证码").fill(codes[0])
    other.locator("main").get_by_role("button", name="继续").click()
    other.wait_for_url(re.compile(r"/officer/$"))
    other.context.close()

    # Their own password, changed from the header.
    page.locator("header").get_by_role("link", name=USERNAME).click()
    page.wait_for_url(re.compile(r"/accounts/password_change/$"))
    page.get_by_label("旧密码").fill(PASSWORD)
    page.get_by_label("新密码", exact=True).fill("Passw0rd!")
    page.get_by_label("新密码确认").fill("Passw0rd!")
    page.locator("main").get_by_role("button", name="修改密码").click()
    assert page.locator(".errorlist").count() >= 1
