"""The officer pages of spaces and decisions: who may see and do what, and refusals that
answer 400 with nothing written."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from fundmgr.decisions.models import Tally
from fundmgr.spaces.models import Agreement, Delivery
from tests import factories as f

pytestmark = pytest.mark.django_db
SHA = "ab" * 32


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def w():
    c = f.community("SVW")
    officer = f.user("off", (c, "officer"))
    reviewer = f.user("rev", (c, "reviewer"))
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2025, 12, 20))
    pkg = f.package(c, "PKV")
    staff, rep = f.user("staff"), f.user("rep")
    a = f.agreement(
        c, officer, item, pkg=pkg, number="AV1", operator_staff=[staff], resident_reps=[rep]
    )
    return {
        "c": c,
        "officer": officer,
        "reviewer": reviewer,
        "pkg": pkg,
        "a": a,
        "staff": staff,
        "rep": rep,
    }


def client(user):
    cl = Client()
    cl.force_login(user)
    return cl


def url(w, tail=""):
    return f"/officer/c/SVW/agreements/AV1/{tail}"


def delivery_post(w, **kw):
    return {
        "obligation": f"{w['pkg'].pk}:public_benefit",
        "delivered_on": "2026-06-02",
        "quantity": 1,
        "participants": 8,
        "evidence_sha256": SHA,
        **kw,
    }


def test_a_stranger_sees_nothing_and_named_people_see_their_agreement(w):
    assert client(f.user("nobody")).get(url(w)).status_code == 404
    assert client(w["staff"]).get(url(w)).status_code == 200
    assert client(w["rep"]).get(url(w)).status_code == 200
    assert client(w["staff"]).get("/officer/").status_code == 200
    assert "AV1" in client(w["rep"]).get("/officer/").content.decode()
    assert client(w["staff"]).get("/officer/c/SVW/spaces/").status_code == 404


def test_staff_enter_residents_confirm_and_nobody_confirms_their_own(w):
    response = client(w["staff"]).post(url(w, "deliveries/"), delivery_post(w))
    assert response.status_code == 302
    d = Delivery.objects.get()
    assert d.entered_as == "operator"
    assert client(w["staff"]).post(url(w, f"deliveries/{d.pk}/confirm/")).status_code == 400
    assert client(w["officer"]).post(url(w, f"deliveries/{d.pk}/confirm/")).status_code == 403
    assert client(w["rep"]).post(url(w, f"deliveries/{d.pk}/confirm/")).status_code == 302
    d.refresh_from_db()
    assert d.confirmed_as == "resident"


def test_a_bad_delivery_answers_400_and_writes_nothing(w):
    officer = client(w["officer"])
    for bad in (
        {"delivered_on": "2025-12-31"},
        {"evidence_sha256": "xyz"},
        {"obligation": "0:paid"},
        {"participants": "-1"},
    ):
        assert officer.post(url(w, "deliveries/"), delivery_post(w, **bad)).status_code == 400
    assert not Delivery.objects.exists()


def test_an_agreement_without_a_decision_answers_400(w):
    form = {
        "space": f.space(w["c"], w["officer"]).pk,
        "number": "AV2",
        "operator": w["pkg"].provider.pk,
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "rent": "1",
        "market_rent_month": "1000",
        "market_rent_source": "估价",
        "paid_income_foreseen_month": "0",
        "package": w["pkg"].pk,
        "tier": "public_benefit",
        "per_month": "2",
        "unit": "session",
    }
    response = client(w["officer"]).post("/officer/c/SVW/agreements/new/", form)
    assert response.status_code == 400
    assert not Agreement.objects.filter(number="AV2").exists()


def test_one_person_cannot_tally_twice_through_the_page(w):
    officer = client(w["officer"])
    from fundmgr.decisions import services

    meeting = services.meeting_record(
        community=w["c"],
        body="council",
        reference="页面〔1〕号",
        held_on=dt.date(2026, 6, 1),
        members_entitled=9,
        members_present=7,
        user=w["officer"],
        minutes_sha256=SHA,
        items=[{"title": "小事"}],
    )
    tally = f"/officer/c/SVW/meetings/{meeting.pk}/items/1/tally/"
    votes = {"votes_for": 5, "votes_against": 1, "votes_abstain": 1}
    assert officer.post(tally, votes).status_code == 302
    assert officer.post(tally, votes).status_code == 400
    assert Tally.objects.filter(item__meeting=meeting).count() == 1
    assert client(f.user("x")).post(tally, votes).status_code == 404


def test_the_public_pages_name_nobody(w):
    from fundmgr.spaces import services

    d = services.delivery_record(
        agreement=w["a"],
        package=w["pkg"],
        tier="public_benefit",
        delivered_on=dt.date(2026, 6, 2),
        participants=3,
        user=w["staff"],
        evidence_sha256=SHA,
    )
    services.delivery_confirm(delivery=d, user=w["rep"])
    meeting = w["a"].decision.meeting
    for path in (
        "/c/SVW/space/AV1/",
        f"/c/SVW/decision/{meeting.pk}/",
        "/c/SVW/",
        "/api/v1/communities/SVW/spaces/",
        "/api/v1/communities/SVW/decisions/",
    ):
        text = Client().get(path).content.decode()
        for name in ("staff", "rep", "off", "rev"):
            assert f">{name}<" not in text and f'"{name}"' not in text, (path, name)
