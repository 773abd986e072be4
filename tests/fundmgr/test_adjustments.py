"""A payment dated in a closed month is never moved silently: the officer is told where
it will be booked and confirms; its voucher, receipt, lists and the audit trail of the
month it lands in say so, with both dates."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from fundmgr.models import Income, Settlement
from fundmgr.services.income import income_record
from reports.auditor.statements import audit_trail
from reports.services import period_close
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC), tick=True):
        c = f.community("SQJ", threshold="1000000")
        pkg = f.package(c, "YL01")
        officer = f.user("officer", (c, "officer"))
        auditor = f.user("auditor", (c, "auditor"))
        income_record(
            f.draft(
                c,
                pkg,
                "1000.00",
                method="bank",
                ref="SEP",
                paid_at=dt.datetime(2026, 9, 5, 2, tzinfo=dt.UTC),
            ),
            recorded_by=officer,
        )
        for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1)):
            period_close(community=c, month=month, actor="officer")
        client = Client()
        client.force_login(officer)
        yield c, pkg, client, auditor


def test_a_settlement_dated_in_a_closed_month_is_confirmed_then_booked_as_an_adjustment(world):
    c, pkg, client, _auditor = world
    url = "/officer/c/SQJ/settlements/new/"
    form = {
        "party": pkg.provider.code,
        "amount": "50.00",
        "method": "bank",
        "bank_reference": "BK-OCT",
        "paid_on": "2026-10-15",
    }
    response = client.post(url, form)
    # Nothing written: the officer first reads where it will go.
    assert response.status_code == 200 and not Settlement.objects.exists()
    page = response.content.decode()
    assert "2026-10-15" in page and "2026-11-01" in page and "book_as_adjustment" in page
    response = client.post(url, {**form, "book_as_adjustment": "on"}, follow=True)
    s = Settlement.objects.get()
    assert (s.paid_on, s.entry.date) == (dt.date(2026, 10, 15), dt.date(2026, 11, 1))
    assert s.entry.memo.startswith("【调整】") and "2026-10-15" in s.entry.memo
    assert s.adjustment_of == dt.date(2026, 10, 1)
    page = response.content.decode()
    assert "2026-11-01" in page and "2026-10" in page  # the message and the list
    assert "2026-11-01" in client.get("/officer/c/SQJ/payouts/").content.decode()
    trail = audit_trail(c, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    [rows] = [sec.rows for sec in trail.sections]
    assert any(r[2] == "登记结算" and "BK-OCT" in r[3] and "调整" in r[3] for r in rows)


def test_an_income_dated_in_a_closed_month_is_confirmed_and_shows_both_dates(world):
    c, pkg, client, _auditor = world
    url = "/officer/c/SQJ/incomes/new/"
    form = {
        "package": pkg.pk,
        "tier": "paid",
        "quantity": "1",
        "amount_0": "100.00",
        "amount_1": "CNY",
        "paid_at": "2026-10-20T09:00",
        "method": "wechat",
        "payer": "王五",
        "external_ref": "WX-LATE",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and not Income.objects.filter(external_ref="WX-LATE")
    assert "2026-11-01" in response.content.decode()
    response = client.post(url, {**form, "book_as_adjustment": "on"})
    income = Income.objects.get(external_ref="WX-LATE")
    assert response.status_code == 302
    assert income.entry.date == dt.date(2026, 11, 1) and income.adjustment_of == dt.date(
        2026, 10, 1
    )
    receipt = client.get(response.url).content.decode()
    assert 'id="booked-on"' in receipt and "2026-11-01" in receipt and "2026-10-20" in receipt
    listing = client.get("/officer/c/SQJ/incomes/").content.decode()
    assert "2026-11-01" in listing
    trail = audit_trail(c, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    [rows] = [sec.rows for sec in trail.sections]
    assert any(r[2] == "登记收入" and "调整" in r[3] for r in rows)


def test_a_date_in_an_open_month_needs_no_confirmation(world):
    _c, pkg, client, _auditor = world
    response = client.post(
        "/officer/c/SQJ/settlements/new/",
        {
            "party": pkg.provider.code,
            "amount": "50.00",
            "method": "bank",
            "bank_reference": "BK-NOV",
            "paid_on": "2026-11-02",
        },
    )
    assert response.status_code == 302
    assert Settlement.objects.get().adjustment_of is None
