"""Accounts: lock-out after wrong passwords (per username and client address, behind a
trusted proxy too), password rules, self-service password change, the second factor."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fundmgr.accounts import two_factor
from tests import factories as f

pytestmark = pytest.mark.django_db

ENFORCED = override_settings(TWO_FACTOR_ENFORCED=True)


def login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_five_wrong_passwords_lock_the_account_out_even_for_the_right_one():
    f.user("officer")
    client = Client()
    for _ in range(4):
        assert login(client, "officer", "wrong").status_code == 200
    locked = login(client, "officer", "wrong")
    assert locked.status_code == 429
    right = login(client, "officer", "pw-officer")
    assert right.status_code == 429
    assert "密码错误次数太多" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_address_so_a_resident_cannot_lock_the_officer_out():
    f.user("officer")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        login(attacker, "officer", "wrong")
    officer = Client(REMOTE_ADDR="198.51.100.7")
    assert login(officer, "officer", "pw-officer").status_code == 302


def test_an_administrator_lifts_a_lock_out():
    f.user("officer")
    client = Client()
    for _ in range(5):
        login(client, "officer", "wrong")
    assert login(client, "officer", "pw-officer").status_code == 429
    call_command("axes_reset_username", "officer")
    assert login(client, "officer", "pw-officer").status_code == 302


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_trusted_proxy_each_resident_has_their_own_count():
    f.user("officer")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(5):
        login(Client(**proxy), "officer", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert (
        login(
            Client(**proxy), "officer", "pw-officer", HTTP_X_FORWARDED_FOR="203.0.113.9"
        ).status_code
        == 429
    )
    assert (
        login(
            Client(**proxy), "officer", "pw-officer", HTTP_X_FORWARDED_FOR="198.51.100.7"
        ).status_code
        == 302
    )


def test_a_forwarded_for_header_from_an_untrusted_client_is_ignored():
    f.user("officer")
    for n in range(5):
        login(Client(), "officer", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert login(Client(), "officer", "pw-officer").status_code == 429


def _verified(client, user):
    """Log in and enrol a device the way a person does; returns the device."""
    assert login(client, user.username, "pw-" + user.username).status_code == 302
    page = client.get("/accounts/two-factor/?next=/officer/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    answer = client.post(
        "/accounts/two-factor/", {"token": f"{totp(device.bin_key):06d}", "next": "/officer/"}
    )
    assert answer.status_code == 200 and "backup-codes" in answer.content.decode()
    return TOTPDevice.objects.get(user=user, confirmed=True), answer


@ENFORCED
def test_an_officer_must_enrol_a_second_factor_before_any_officer_page():
    c = f.community("SQP")
    officer = f.user("officer", (c, "officer"))
    client = Client()
    login(client, "officer", "pw-officer")
    page = client.get("/officer/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/two-factor/")
    enrol = client.get(page["Location"])
    body = enrol.content.decode()
    assert "<svg" in body and 'id="totp-secret"' in body
    device, answer = _verified(Client(), officer)
    codes = re.findall(r"<li>([0-9a-f]{8})</li>", answer.content.decode())
    assert len(codes) == two_factor.BACKUP_CODES
    assert device.confirmed


@ENFORCED
def test_a_wrong_code_is_refused_with_a_message():
    c = f.community("SQP")
    f.user("officer", (c, "officer"))
    client = Client()
    login(client, "officer", "pw-officer")
    client.get("/accounts/two-factor/")
    wrong = client.post("/accounts/two-factor/", {"token": "000000"})
    assert wrong.status_code == 400 and "验证码不对" in wrong.content.decode()
    assert client.get("/officer/").status_code == 302


@ENFORCED
def test_a_later_login_asks_for_the_code_and_a_backup_code_works_once():
    c = f.community("SQP")
    officer = f.user("officer", (c, "reviewer"))
    _device, answer = _verified(Client(), officer)
    code = re.findall(r"<li>([0-9a-f]{8})</li>", answer.content.decode())[0]
    later = Client()
    login(later, "officer", "pw-officer")
    assert later.get("/officer/").status_code == 302
    ask = later.get("/accounts/two-factor/")
    assert 'id="totp-secret"' not in ask.content.decode()
    assert later.post("/accounts/two-factor/", {"token": code}).status_code == 302
    assert later.get("/officer/").status_code == 200
    again = Client()
    login(again, "officer", "pw-officer")
    assert again.post("/accounts/two-factor/", {"token": code}).status_code == 400


@ENFORCED
def test_the_second_factor_page_does_not_redirect_off_site():
    c = f.community("SQP")
    officer = f.user("officer", (c, "officer"))
    client = Client()
    login(client, "officer", "pw-officer")
    device = two_factor.pending_device(officer)
    answer = client.post(
        "/accounts/two-factor/",
        {"token": f"{totp(device.bin_key):06d}", "next": "https://evil.example/"},
    )
    assert "evil.example" not in answer.content.decode()


@ENFORCED
def test_a_user_without_a_role_needs_no_second_factor_but_staff_do():
    f.user("plain")
    client = Client()
    login(client, "plain", "pw-plain")
    assert client.get("/accounts/password_change/").status_code == 200
    staff = get_user_model().objects.create_user("boss", password="pw-boss", is_staff=True)
    assert two_factor.required_for(staff)


@ENFORCED
@override_settings(DEBUG=True, DEMO_2FA_EXEMPT=True)
def test_the_demo_users_are_exempt_only_in_debug_demo_mode():
    c = f.community("SQP")
    officer = f.user("officer", (c, "officer"))
    other = f.user("someone", (c, "officer"))
    assert not two_factor.required_for(officer)
    assert two_factor.required_for(other)
    with override_settings(DEBUG=False):
        assert two_factor.required_for(officer)


@pytest.mark.parametrize(
    "password", ["Passw0rd!", "12345678901234", "password1234", "officer-2026"]
)
def test_weak_passwords_are_refused_by_the_password_change(password):
    f.user("officer")
    client = Client()
    login(client, "officer", "pw-officer")
    answer = client.post(
        "/accounts/password_change/",
        {"old_password": "pw-officer", "new_password1": password, "new_password2": password},
    )
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()
    user = get_user_model().objects.get(username="officer")
    assert user.check_password("pw-officer")


def test_the_refusal_of_a_short_password_is_in_chinese():
    f.user("officer")
    client = Client()
    login(client, "officer", "pw-officer")
    answer = client.post(
        "/accounts/password_change/",
        {"old_password": "pw-officer", "new_password1": "Passw0rd!", "new_password2": "Passw0rd!"},
    )
    assert "密码太短：至少需要 12 个字符。" in answer.content.decode()


def test_every_logged_in_user_can_change_their_own_password():
    f.user("officer")
    client = Client()
    login(client, "officer", "pw-officer")
    page = client.get("/")
    assert 'href="/accounts/password_change/"' in page.content.decode()
    new = "a-long-and-unusual-phrase-42"
    answer = client.post(
        "/accounts/password_change/",
        {"old_password": "pw-officer", "new_password1": new, "new_password2": new},
    )
    assert answer.status_code == 302 and answer["Location"] == "/accounts/password_change/done/"
    assert get_user_model().objects.get(username="officer").check_password(new)
    assert Client().get("/accounts/password_change/").status_code == 302  # login first
