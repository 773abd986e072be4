"""Officer pages of donations: who may do what, the receipt, bad input is a 400 that
writes nothing."""

import pytest
import time_machine
from django.test import Client

from fundmgr.inflows.models import Donation, Status
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def world():
    c = f.community("DV", threshold="1000")
    return {
        "c": c,
        "officer": f.user("dv-officer", (c, "officer")),
        "reviewer": f.user("dv-reviewer", (c, "reviewer")),
        "auditor": f.user("dv-auditor", (c, "auditor")),
        "stranger": f.user("dv-stranger"),
    }


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


FORM = {
    "donor_kind": "resident",
    "donor_name": "王小明",
    "amount": "1500.00",
    "method": "wechat",
    "received_on": "2026-06-14",
    "reference": "WX1",
}


def test_an_officer_records_a_donation_and_a_reviewer_approves_it(world):
    response = _client(world["officer"]).post("/officer/c/DV/donations/new/", FORM)
    assert response.status_code == 302
    d = Donation.objects.get()
    assert d.status == Status.PENDING
    page = _client(world["officer"]).get(response.url).content.decode()
    assert "不按70/25/5分成" in page and "/approve/" not in page
    response = _client(world["reviewer"]).post(f"/officer/c/DV/donations/{d.pk}/approve/")
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.POSTED
    page = _client(world["auditor"]).get(f"/officer/c/DV/donations/{d.pk}/").content.decode()
    assert "<svg" in page and "/d/" in page


def test_a_donation_to_an_unknown_fund_is_a_400_that_writes_nothing(world):
    response = _client(world["officer"]).post(
        "/officer/c/DV/donations/new/", {**FORM, "fund_code": "NOPE"}
    )
    assert response.status_code == 400
    assert "本社区没有代码为 NOPE 的定向基金或定向用途" in response.content.decode()
    assert Donation.objects.count() == 0


def test_only_officers_record_and_strangers_see_nothing(world):
    assert _client(world["auditor"]).post("/officer/c/DV/donations/new/", FORM).status_code == 404
    assert _client(world["stranger"]).get("/officer/c/DV/inflows/").status_code == 404
    assert _client(world["auditor"]).get("/officer/c/DV/inflows/").status_code == 200
    assert Client().get("/officer/c/DV/inflows/").status_code == 302
    assert Donation.objects.count() == 0
