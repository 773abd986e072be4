"""Staff pages print amounts through the one money filter too (issue 14): an officer's
receipt, list and dashboard and an auditor's receipt sample show ¥12,345.60 in both
languages - never 12345.60, CN¥ or djmoney's own format."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record
from reports.services import period_close, period_publish
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    c = f.community("SQM", threshold="50000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    auditor = f.user("auditor", (c, "auditor"))
    paid = timezone.make_aware(dt.datetime(2026, 3, 5, 10))
    income = income_record(f.draft(c, pkg, "12345.60", paid_at=paid), recorded_by=officer)[0]
    period_close(community=c, month=dt.date(2026, 3, 1), actor="officer", today=dt.date(2026, 4, 2))
    period_publish(community=c, month=dt.date(2026, 3, 1), actor="officer")
    return c, income, officer, auditor


def page(user, url: str, lang: str) -> str:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = lang
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_one_format(html: str) -> None:
    assert "¥12,345.60" in html
    assert "12345.60" not in html and "CN¥" not in html


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_officer_page_prints_the_amount_with_separators(world, lang):
    _c, income, officer, _auditor = world
    receipt = page(officer, f"/officer/receipts/{income.receipt_code}/", lang)
    assert_one_format(receipt)
    # The 70/25/5 shares of the receipt: ¥8,641.92 / ¥3,086.40 / ¥617.28.
    assert "¥8,641.92" in receipt and "¥3,086.40" in receipt and "¥617.28" in receipt
    assert_one_format(page(officer, "/officer/c/SQM/incomes/?month=2026-03", lang))
    # The dashboard's month is the clock's; what the provider is owed is not.
    dashboard = page(officer, "/officer/", lang)
    assert "¥8,641.92" in dashboard and "8641.92" not in dashboard and "CN¥" not in dashboard


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_auditor_page_prints_the_amount_with_separators(world, lang):
    _c, income, _officer, auditor = world
    sample = page(auditor, "/auditor/SQM/receipts/?month=2026-03", lang)
    assert income.receipt_display in sample
    assert_one_format(sample)
