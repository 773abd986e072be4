"""Officer pages of charity markets and purchase contracts: the happy paths through the
pages, each refusal a 400 that names the field and writes nothing, another community's
officer sees nothing, and the beneficiaries' identifiers never come back."""

import datetime as dt
import logging

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from fundmgr.inflows.models import (
    BeneficiaryToken,
    ContractDelivery,
    ContractLine,
    CountSheet,
    LineExtension,
    Market,
    PurchaseContract,
    Stall,
)
from fundmgr.models import Income
from ledger.models import Entry
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def world():
    c = f.community("MK")
    other = f.community("MO")
    officer = f.user("mk-officer", (c, "officer"))
    officer2 = f.user("mk-officer2", (c, "officer"))
    reviewer = f.user("mk-reviewer", (c, "reviewer"))
    return {
        "c": c,
        "pkg": f.package(c, "WH01"),
        "officer": officer,
        "officer2": officer2,
        "reviewer": reviewer,
        "auditor": f.user("mk-auditor", (c, "auditor")),
        "other": f.user("mo-officer", (other, "officer")),
        "item": f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 2, 20), title="合同"),
    }


def _client(user, lang="en"):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client


def _market_form(world, **extra):
    data = {
        "code": "M1",
        "name": "六月公益集市",
        "held_on": "2026-06-14",
        "method": "cash",
        "stalls-TOTAL_FORMS": "3",
        "stalls-INITIAL_FORMS": "0",
        "stalls-0-code": "S1",
        "stalls-0-name": "手工组",
        "stalls-0-holder": "group",
        "stalls-0-rule": "fund",
        "stalls-1-code": "S2",
        "stalls-1-name": "体验",
        "stalls-1-holder": "provider",
        "stalls-1-rule": "package",
        "stalls-1-package": str(world["pkg"].pk),
        # An empty row, as a browser sends it: ignored.
        "stalls-2-code": "",
        "stalls-2-name": "",
        "stalls-2-holder": "",
        "stalls-2-rule": "",
        "stalls-2-package": "",
    }
    data.update(extra)
    return data


def _market(world):
    response = _client(world["officer"]).post("/officer/c/MK/markets/new/", _market_form(world))
    assert response.status_code == 302, response.content.decode()
    return Market.objects.get()


def _count(user, market, s1, s2):
    stalls = {s.code: s.pk for s in market.stalls.all()}
    return _client(user).post(
        f"/officer/c/MK/markets/{market.pk}/count/",
        {f"stall_{stalls['S1']}": s1, f"stall_{stalls['S2']}": s2},
    )


# --- markets --------------------------------------------------------------------------
def test_a_market_is_created_counted_twice_and_posted(world):
    m = _market(world)
    assert [s.code for s in m.stalls.all()] == ["S1", "S2"]
    page = _client(world["officer"]).get(f"/officer/c/MK/markets/{m.pk}/").content.decode()
    assert "count-form" in page and "post-form" not in page
    assert _count(world["officer"], m, "300.00", "200.00").status_code == 302
    # The second person counts blind: the first sheet's amounts are not on the page.
    page = _client(world["reviewer"]).get(f"/officer/c/MK/markets/{m.pk}/").content.decode()
    assert "300.00" not in page and "count-form" in page
    assert _count(world["reviewer"], m, "290.00", "200.00").status_code == 302
    page = _client(world["officer"]).get(f"/officer/c/MK/markets/{m.pk}/").content.decode()
    assert "differ for 1 stall" in page and "¥300.00" in page and "¥290.00" in page
    assert "post-form" in page
    before = Entry.objects.count()
    response = _client(world["officer"]).post(f"/officer/c/MK/markets/{m.pk}/post/")
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.posted
    s1, s2 = m.stalls.order_by("code")
    assert s1.posted_amount.amount == 290 and s1.entry is not None
    assert s2.income is not None and Income.objects.filter(pk=s2.income_id).exists()
    assert Entry.objects.count() > before
    assert Entry.objects.filter(pk=s1.entry_id, memo__contains="不参与70/25/5分成").exists()


def test_the_same_person_cannot_count_twice(world):
    m = _market(world)
    assert _count(world["officer"], m, "300.00", "200.00").status_code == 302
    response = _count(world["officer"], m, "300.00", "200.00")
    assert response.status_code == 400
    assert "the second count must be entered by another person" in response.content.decode()
    assert CountSheet.objects.count() == 1
    zh = _client(world["officer"], "zh-hans").post(
        f"/officer/c/MK/markets/{m.pk}/count/",
        {f"stall_{s.pk}": "1.00" for s in m.stalls.all()},
    )
    assert zh.status_code == 400 and "第二次清点必须由另一个人录入" in zh.content.decode()


def test_a_count_with_a_bad_amount_is_refused_and_writes_nothing(world):
    m = _market(world)
    for bad in ("1E3", "-5", "1.234", ""):
        response = _count(world["officer"], m, bad, "200.00")
        assert response.status_code == 400, bad
        assert "field-stall_" in response.content.decode()
    assert CountSheet.objects.count() == 0


def test_posting_before_two_counts_is_refused(world):
    m = _market(world)
    _count(world["officer"], m, "300.00", "200.00")
    response = _client(world["officer"]).post(f"/officer/c/MK/markets/{m.pk}/post/")
    assert response.status_code == 400
    assert "Two people must each enter a count sheet" in response.content.decode()
    m.refresh_from_db()
    assert not m.posted and not Stall.objects.filter(entry__isnull=False).exists()


def test_a_reviewer_counts_but_does_not_post(world):
    m = _market(world)
    _count(world["officer"], m, "300.00", "200.00")
    _count(world["reviewer"], m, "300.00", "200.00")
    assert _client(world["reviewer"]).post(f"/officer/c/MK/markets/{m.pk}/post/").status_code == 404
    assert _count(world["auditor"], m, "1.00", "1.00").status_code == 404
    m.refresh_from_db()
    assert not m.posted


@pytest.mark.parametrize(
    "change, message",
    [
        ({"code": ""}, "This field is required"),
        ({"code": "有 空格"}, "2-32 letters, digits"),
        ({"stalls-1-package": ""}, "package income names a package"),
        ({"stalls-1-code": "S1"}, "each stall code may be used once"),
        ({"stalls-0-rule": "elsewhere"}, "Select a valid choice"),
        ({"held_on": "2026-13-01"}, "Enter a valid date"),
    ],
)
def test_a_bad_market_is_a_400_that_writes_nothing(world, change, message):
    response = _client(world["officer"]).post(
        "/officer/c/MK/markets/new/", _market_form(world, **change)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert Market.objects.count() == 0 and Stall.objects.count() == 0


def test_another_communitys_officer_sees_no_market(world):
    m = _market(world)
    other = _client(world["other"])
    assert other.get(f"/officer/c/MK/markets/{m.pk}/").status_code == 404
    assert other.get(f"/officer/c/MO/markets/{m.pk}/").status_code == 404
    assert _count(world["other"], m, "1.00", "1.00").status_code == 404
    assert other.post(f"/officer/c/MO/markets/{m.pk}/post/").status_code == 404
    assert CountSheet.objects.count() == 0


# --- contracts ------------------------------------------------------------------------
def _contract_form(world, **extra):
    data = {
        "buyer": "街道办事处",
        "number": "GM-1",
        "starts_on": "2026-03-01",
        "ends_on": "2026-12-31",
        "decision": str(world["item"].pk),
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-package": str(world["pkg"].pk),
        "lines-0-units": "3",
        "lines-0-unit_price": "80.00",
        "lines-0-cap": "240.00",
        "lines-1-package": "",
        "lines-1-units": "",
        "lines-1-unit_price": "",
        "lines-1-cap": "",
    }
    data.update(extra)
    return data


def _contract(world):
    response = _client(world["officer"]).post("/officer/c/MK/contracts/new/", _contract_form(world))
    assert response.status_code == 302, response.content.decode()
    return PurchaseContract.objects.get()


def _deliver(world, contract, ids, user=None, on="2026-06-10"):
    return _client(user or world["officer"]).post(
        f"/officer/c/MK/contracts/{contract.pk}/deliveries/",
        {
            "deliver-line": str(contract.lines.get().pk),
            "deliver-delivered_on": on,
            "deliver-beneficiaries": "\n".join(ids),
        },
    )


def test_a_contract_is_created_billed_and_its_burn_down_shows_it(world):
    c = _contract(world)
    line = c.lines.get()
    assert (line.units, line.unit_price.amount, line.cap.amount) == (3, 80, 240)
    assert _deliver(world, c, ["110101199001011234", "110101199001015678"]).status_code == 302
    d = ContractDelivery.objects.get()
    assert (d.units, d.amount.amount) == (2, 160)
    assert BeneficiaryToken.objects.count() == 2
    assert not BeneficiaryToken.objects.filter(token__contains="110101").exists()
    page = _client(world["auditor"]).get(f"/officer/c/MK/contracts/{c.pk}/").content.decode()
    assert '<td class="num units-delivered">2</td>' in page
    assert '<td class="num units-left">1</td>' in page
    assert "¥160.00" in page and "2026-06" in page
    assert "110101199001011234" not in page
    assert "delivery-form" not in page  # an auditor reads, an officer bills


def test_billing_beyond_the_units_is_refused_and_nothing_is_echoed(world, caplog):
    c = _contract(world)
    ids = [f"3301061980010100{n:02d}" for n in range(4)]
    with caplog.at_level(logging.DEBUG):
        response = _deliver(world, c, ids)
    assert response.status_code == 400
    page = response.content.decode()
    assert "has 3 units" in page
    for i in ids:
        assert i not in page and i not in caplog.text
    assert ContractDelivery.objects.count() == 0 and BeneficiaryToken.objects.count() == 0


def test_billing_outside_the_contract_or_in_the_future_is_refused(world):
    c = _contract(world)
    assert _deliver(world, c, ["A1"], on="2026-02-27").status_code == 400
    response = _deliver(world, c, ["A1"], on="2026-07-01")
    assert response.status_code == 400 and "not later than today" in response.content.decode()
    assert _deliver(world, c, [" ", ""]).status_code == 400
    assert ContractDelivery.objects.count() == 0


def test_a_line_is_extended_with_its_decision(world):
    c = _contract(world)
    line = c.lines.get()
    url = f"/officer/c/MK/contracts/{c.pk}/extend/"
    form = {"extend-line": str(line.pk), "extend-units": "2", "extend-cap": "160.00"}
    response = _client(world["officer"]).post(url, form)
    assert response.status_code == 400
    assert "Name the decision item that approved this" in response.content.decode()
    response = _client(world["officer"]).post(url, {**form, "extend-cap": "1E3"})
    assert response.status_code == 400
    assert LineExtension.objects.count() == 0
    ok = {**form, "extend-decision": str(world["item"].pk)}
    assert _client(world["officer"]).post(url, ok).status_code == 302
    assert LineExtension.objects.get().units == 2
    ids = [f"B{n}" for n in range(5)]
    assert _deliver(world, c, ids).status_code == 302
    page = _client(world["officer"]).get(f"/officer/c/MK/contracts/{c.pk}/").content.decode()
    assert '<td class="num units-left">0</td>' in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"decision": ""}, "Name the decision item that approved this"),
        ({"lines-0-unit_price": "1E3"}, "not a number like 1234.56"),
        ({"lines-0-cap": "0.001"}, "more than two decimal places"),
        (
            {
                "lines-0-package": "",
                "lines-0-units": "",
                "lines-0-unit_price": "",
                "lines-0-cap": "",
            },
            "name at least one line",
        ),
        ({"lines-0-package": ""}, "This field is required"),
        ({"ends_on": "2026-01-01"}, "must end on or after"),
        ({"buyer": ""}, "This field is required"),
        ({"number": "GM/2026/1"}, "may not contain"),
        ({"number": "GM-1", "lines-0-units": "0"}, "greater than or equal to 1"),
    ],
)
def test_a_bad_contract_is_a_400_that_writes_nothing(world, change, message):
    response = _client(world["officer"]).post(
        "/officer/c/MK/contracts/new/", _contract_form(world, **change)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert PurchaseContract.objects.count() == 0 and ContractLine.objects.count() == 0


def test_a_decision_of_another_community_cannot_be_cited(world):
    other_c = f.community("MZ")
    o = f.user("mz-officer", (other_c, "officer"))
    r = f.user("mz-reviewer", (other_c, "reviewer"))
    foreign = f.decided_item(other_c, o, r, held_on=dt.date(2026, 2, 1))
    response = _client(world["officer"]).post(
        "/officer/c/MK/contracts/new/", _contract_form(world, decision=str(foreign.pk))
    )
    assert response.status_code == 400
    assert PurchaseContract.objects.count() == 0


def test_another_communitys_officer_sees_no_contract(world):
    c = _contract(world)
    other = _client(world["other"])
    assert other.get(f"/officer/c/MK/contracts/{c.pk}/").status_code == 404
    assert other.get(f"/officer/c/MO/contracts/{c.pk}/").status_code == 404
    assert _deliver(world, c, ["A1"], user=world["other"]).status_code == 404
    response = other.post(
        f"/officer/c/MO/contracts/{c.pk}/extend/",
        {"extend-line": str(c.lines.get().pk), "extend-units": "1", "extend-cap": "1.00"},
    )
    assert response.status_code == 404
    assert ContractDelivery.objects.count() == 0 and LineExtension.objects.count() == 0
    assert _client(world["reviewer"]).get("/officer/c/MK/contracts/new/").status_code == 404


def test_the_list_links_the_new_pages(world):
    m = _market(world)
    c = _contract(world)
    page = _client(world["officer"]).get("/officer/c/MK/inflows/").content.decode()
    assert "/officer/c/MK/markets/new/" in page and "/officer/c/MK/contracts/new/" in page
    assert f"/officer/c/MK/markets/{m.pk}/" in page and f"/officer/c/MK/contracts/{c.pk}/" in page


def test_the_refusals_speak_chinese_by_default(world):
    z = _client(world["officer"], "zh-hans")
    response = z.post("/officer/c/MK/contracts/new/", _contract_form(world, decision=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择批准此事的决议事项" in page and "批准决议" in page
    response = z.post("/officer/c/MK/markets/new/", _market_form(world, **{"stalls-1-package": ""}))
    assert response.status_code == 400 and "举办日期" in response.content.decode()
    assert PurchaseContract.objects.count() == 0 and Market.objects.count() == 0


def test_the_residents_eligible_are_recorded_from_the_form_or_refused(world):
    bad = _client(world["officer"]).post(
        "/officer/c/MK/contracts/new/", _contract_form(world, **{"lines-0-eligible": "0"})
    )
    assert bad.status_code == 400 and not PurchaseContract.objects.exists()
    response = _client(world["officer"]).post(
        "/officer/c/MK/contracts/new/", _contract_form(world, **{"lines-0-eligible": "40"})
    )
    assert response.status_code == 302
    assert PurchaseContract.objects.get().lines.get().eligible == 40
