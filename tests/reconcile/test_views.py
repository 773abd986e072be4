"""The officer's reconciliation pages: scoped by role, upload refused cleanly, a
proposal confirmed, a deposit approved by someone else."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fundmgr.reconcile import samples
from fundmgr.reconcile.models import CashDeposit, Match, StatementLine
from fundmgr.services.income import income_record
from tests import factories as f

from .conftest import at, sample

D = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 4, 5, 12, tzinfo=dt.UTC)


@pytest.fixture
def logged(client, world):
    c, pkg, officer, reviewer = world
    client.force_login(officer)
    return client, c, pkg, officer, reviewer


def upload(client, c, text, fmt="wechat_funds", name="wx.csv"):
    return client.post(
        reverse("officer:reconcile-upload", args=[c.code]),
        {"format": fmt, "file": SimpleUploadedFile(name, text.encode("utf-8-sig"))},
    )


@time_machine.travel(NOW, tick=False)
def test_an_officer_imports_a_bill_and_confirms_the_proposed_match(logged):
    client, c, pkg, officer, _r = logged
    income, _ = income_record(
        f.draft(c, pkg, "18.00", ref="SQR-1", paid_at=at(D)), recorded_by=officer
    )
    response = upload(client, c, samples.wechat_funds([sample(D, 1800, "F1", "SQR-1")]))
    assert response.status_code == 302
    page = client.get(reverse("officer:reconcile-month", args=[c.code, "1012.01", "2026-03"]))
    assert page.status_code == 200 and "F1" in page.content.decode()
    line = StatementLine.objects.get()
    client.post(
        reverse("officer:reconcile-confirm", args=[c.code, "1012.01", "2026-03"]),
        {"line": line.pk, "item": f"income:{income.pk}", "method": "exact"},
    )
    assert Match.objects.get().line == line
    overview = client.get(reverse("officer:reconcile", args=[c.code]))
    assert overview.status_code == 200


@time_machine.travel(NOW, tick=False)
def test_a_bad_file_gets_a_clear_error_and_writes_nothing(logged):
    client, c, *_ = logged
    response = upload(client, c, "not,a,statement\n1,2,3\n")
    assert response.status_code == 200
    assert "表头" in response.content.decode() or "header" in response.content.decode()
    assert not StatementLine.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_an_unexplained_payment_links_to_the_income_form_filled_in(logged):
    client, c, *_ = logged
    upload(client, c, samples.wechat_funds([sample(D, 2500, "F9", "WX-UNRECORDED")]))
    page = client.get(reverse("officer:reconcile-month", args=[c.code, "1012.01", "2026-03"]))
    html = page.content.decode()
    assert "external_ref=WX-UNRECORDED" in html and "amount=25.00" in html
    form = client.get(
        reverse("officer:record", args=[c.code])
        + "?amount=25.00&method=wechat&external_ref=WX-UNRECORDED"
    )
    assert 'value="WX-UNRECORDED"' in form.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_deposit_is_approved_only_by_a_reviewer(logged, client):
    client, c, pkg, officer, reviewer = logged
    income_record(
        f.draft(c, pkg, "300.00", ref="C1", method="cash", paid_at=at(D)), recorded_by=officer
    )
    response = client.post(
        reverse("officer:deposit-new", args=[c.code]),
        {"amount": "300.00", "deposited_on": "2026-03-03", "slip_reference": "JK1"},
    )
    assert response.status_code == 302
    deposit = CashDeposit.objects.get()
    assert (
        client.post(
            reverse("officer:deposit-decide", args=[deposit.pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    client.force_login(reviewer)
    client.post(reverse("officer:deposit-decide", args=[deposit.pk]), {"decision": "approve"})
    assert CashDeposit.objects.get().status == "posted"


def test_pages_of_another_community_do_not_exist(client, world):
    c, *_ = world
    other = f.community("OTHER")
    stranger = f.user("stranger", (other, "officer"))
    client.force_login(stranger)
    assert client.get(reverse("officer:reconcile", args=[c.code])).status_code == 404
    assert (
        client.get(reverse("officer:reconcile-month", args=[c.code, "1002", "2026-03"])).status_code
        == 404
    )
    client.logout()
    assert client.get(reverse("officer:reconcile", args=[c.code])).status_code == 302
