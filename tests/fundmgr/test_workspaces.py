"""Each role lands on its own workspace, is offered only what it may open, and a refusal
or a missing page is a styled page in the reader's language with a way back (#14)."""

import pytest
from django.test import Client
from django.utils.timezone import localtime

from fundmgr.models import Disbursement
from fundmgr.services.income import income_record
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    c = f.community("SQW", threshold="1000000")
    pkg = f.package(c, "YL01")
    users = {
        "officer": f.user("officer", (c, "officer")),
        "reviewer": f.user("reviewer", (c, "reviewer")),
        "auditor": f.user("auditor", (c, "auditor")),
    }
    income_record(f.draft(c, pkg, "100000.00", method="bank"), recorded_by=users["officer"])
    return c, users


def _login(user, password="pw-for-tests-2026"):
    user.set_password(password)
    user.save()
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    return client, response


@pytest.mark.parametrize(
    "who, lands_on",
    [("officer", "/officer/"), ("reviewer", "/officer/reviews/"), ("auditor", "/auditor/")],
)
def test_each_role_lands_on_its_own_workspace(world, who, lands_on):
    _c, users = world
    client, response = _login(users[who])
    assert response.status_code == 302
    assert client.get(response.url).url == lands_on


def test_the_header_offers_only_pages_the_role_may_open(world):
    _c, users = world
    auditor = Client()
    auditor.force_login(users["auditor"])
    page = auditor.get("/auditor/").content.decode()
    assert 'href="/auditor/"' in page
    assert 'href="/officer/import/"' not in page and 'href="/officer/reviews/"' not in page
    officer = Client()
    officer.force_login(users["officer"])
    page = officer.get("/officer/").content.decode()
    assert 'href="/officer/import/"' in page and 'href="/officer/reviews/"' not in page


def test_a_refusal_is_a_styled_page_in_chinese_with_a_way_back(world):
    _c, users = world
    auditor = Client()
    auditor.force_login(users["auditor"])
    response = auditor.get("/officer/import/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "<header" in page and "只有财务人员" in page  # the layout, and the reason
    assert 'href="/workspace/"' in page and "返回我的工作台" in page
    missing = auditor.get("/officer/c/NOPE/incomes/")
    assert missing.status_code == 404
    assert "<header" in missing.content.decode() and "没有这个页面" in missing.content.decode()


def test_a_disbursement_with_no_evidence_is_not_approved_in_one_click(world):
    c, users = world
    requester = Client()
    requester.force_login(users["officer"])
    requester.post(
        "/officer/c/SQW/disbursements/new/",
        {
            "payee": "阳光助老服务社",
            "purpose": "重阳节慰问品",
            "category": "elderly",
            "amount": "800.00",
            "method": "bank",
        },
    )
    d = Disbursement.objects.get()
    reviewer = Client()
    reviewer.force_login(users["reviewer"])
    queue = reviewer.get("/officer/reviews/").content.decode()
    assert (
        "重阳节慰问品" in queue
        and "白条" in queue
        and localtime(d.requested_at).strftime("%Y-%m-%d") in queue
    )
    page = reviewer.get(f"/officer/disbursements/{d.pk}/").content.decode()
    assert "白条" in page and 'class="danger"' in page
    reviewer.post(f"/officer/disbursements/{d.pk}/decide/", {"action": "approve"})
    d.refresh_from_db()
    assert d.status == "pending"
    reviewer.post(
        f"/officer/disbursements/{d.pk}/decide/",
        {"action": "approve", "note": "超市小票遗失，已电话核实"},
    )
    d.refresh_from_db()
    assert d.status == "posted"
    assert d.approvals.get().note == "超市小票遗失，已电话核实"
