"""Named funds (冠名基金) and restricted purposes (定向) in the officer pages and from the
shell: opening one, asking to pay from it for its own purpose only, a reviewer's approval;
bad input names the field and writes nothing."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from djmoney.money import Money

from fundmgr.inflows import services
from fundmgr.inflows.models import RestrictedFund, RestrictedSpending, Status
from ledger.models import Entry
from tests import factories as f

pytestmark = pytest.mark.django_db

FUND = {
    "kind": "named",
    "code": "HX",
    "name": "和信助老基金",
    "purpose_code": "meals",
    "purpose": "老年助餐",
    "donor_name": "和信科技有限公司",
    "donor_kind": "company",
    "donor_named": "on",
    "rules": "只用于助餐",
}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def world():
    c = f.community("FV")
    officer = f.user("fv-officer", (c, "officer"))
    reviewer = f.user("fv-reviewer", (c, "reviewer"))
    return c, officer, reviewer


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _gift(c, officer, amount="500.00"):
    services.donation_record(
        community=c,
        donor_kind="company",
        donor_name="和信科技有限公司",
        amount=Money(amount, "CNY"),
        method="bank",
        received_on=dt.date(2026, 6, 10),
        reference="GIFT-1",
        fund_code="HX",
        user=officer,
        named_publicly=True,
    )


def test_an_officer_opens_a_named_fund_and_a_repeat_is_refused(world):
    c, officer, _reviewer = world
    client = _as(officer)
    assert client.get("/officer/c/FV/funds/new/").status_code == 200
    response = client.post("/officer/c/FV/funds/new/", FUND)
    assert response.status_code == 302
    fund = RestrictedFund.objects.get(community=c, code="HX")
    assert fund.account.code == "3101.N.HX" and fund.donor_named
    again = client.post("/officer/c/FV/funds/new/", FUND)
    assert again.status_code == 400 and "code" in again.context["form"].errors
    nameless = client.post("/officer/c/FV/funds/new/", {**FUND, "code": "HY", "donor_name": ""})
    assert nameless.status_code == 400 and "donor_name" in nameless.context["form"].errors
    assert RestrictedFund.objects.filter(community=c).count() == 1


def test_paying_from_a_fund_only_for_its_purpose_then_a_reviewer_approves(world):
    c, officer, reviewer = world
    _as(officer).post("/officer/c/FV/funds/new/", FUND)
    _gift(c, officer)
    form = {
        "fund": RestrictedFund.objects.get(code="HX").pk,
        "purpose_code": "meals",
        "purpose": "6月助餐",
        "payee": "长者食堂",
        "amount": "300.00",
        "method": "bank",
    }
    client = _as(officer)
    for bad, field in (({"purpose_code": "trips"}, "purpose_code"), ({"amount": "1E3"}, "amount")):
        response = client.post("/officer/c/FV/spendings/new/", {**form, **bad})
        assert response.status_code == 400 and field in response.context["form"].errors
    assert not RestrictedSpending.objects.exists()
    assert client.post("/officer/c/FV/spendings/new/", form).status_code == 302
    spending = RestrictedSpending.objects.get()
    assert spending.status == Status.PENDING
    entries = Entry.objects.count()
    _as(reviewer).post(f"/officer/c/FV/spendings/{spending.pk}/approve/")
    spending.refresh_from_db()
    assert spending.status == Status.POSTED and Entry.objects.count() == entries + 1


def test_another_communitys_officer_cannot_open_or_spend(world):
    f.community("FW")
    stranger = f.user("fw-officer", (f.community("FX"), "officer"))
    client = _as(stranger)
    assert client.get("/officer/c/FV/funds/new/").status_code in (403, 404)
    assert client.post("/officer/c/FV/funds/new/", FUND).status_code in (403, 404)
    assert not RestrictedFund.objects.exists()


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_fund_command_opens_spends_and_approves(world, tmp_path):
    c, officer, reviewer = world
    spec = tmp_path / "fund.json"
    spec.write_text(json.dumps({**FUND, "donor_named": True}, ensure_ascii=False))
    assert "3101.N.HX" in _run(
        "fund", "open", "FV", "--user", officer.username, "--json", str(spec)
    )
    _gift(c, officer)
    args = ["--purpose", "6月助餐", "--payee", "长者食堂", "--method", "bank"]
    with pytest.raises(CommandError, match="purpose_code"):
        _run("fund", "spend", "FV", "HX", "--user", officer.username, "--purpose-code", "trips",
             "--amount", "300.00", *args)  # fmt: skip
    with pytest.raises(CommandError, match="--amount"):
        _run("fund", "spend", "FV", "HX", "--user", officer.username, "--purpose-code", "meals",
             "--amount", "1E3", *args)  # fmt: skip
    assert not RestrictedSpending.objects.exists()
    out = _run("fund", "spend", "FV", "HX", "--user", officer.username, "--purpose-code",
               "meals", "--amount", "300.00", *args)  # fmt: skip
    spending = RestrictedSpending.objects.get()
    assert f"payment {spending.pk}" in out
    with pytest.raises(CommandError, match="审核人|reviewer"):
        _run("fund", "approve", "FV", str(spending.pk), "--user", officer.username)
    assert "posted" in _run("fund", "approve", "FV", str(spending.pk), "--user", reviewer.username)


@pytest.mark.parametrize(
    "change,field",
    [({"kind": "other"}, "kind"), ({"code": ""}, "code"), ({"donor_named": "yes"}, "donor_named")],
)
def test_a_bad_fund_file_names_the_field_and_writes_nothing(world, tmp_path, change, field):
    _c, officer, _reviewer = world
    spec = tmp_path / "fund.json"
    spec.write_text(json.dumps({**FUND, "donor_named": True, **change}, ensure_ascii=False))
    with pytest.raises(CommandError, match=field):
        _run("fund", "open", "FV", "--user", officer.username, "--json", str(spec))
    assert not RestrictedFund.objects.exists()
