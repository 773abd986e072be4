import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fundmgr.models import Disbursement, Settlement
from fundmgr.services.income import income_record
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n" + b"1" * 64


@pytest.fixture
def world():
    c = f.community("SQV", threshold="1000000")
    pkg = f.package(c, "YL01")
    users = {
        "officer": f.user("officer", (c, "officer")),
        "reviewer": f.user("reviewer", (c, "reviewer")),
        "auditor": f.user("auditor", (c, "auditor")),
        "outsider": f.user("outsider", (f.community(), "officer")),
    }
    income_record(f.draft(c, pkg, "100000.00", method="bank"), recorded_by=users["officer"])
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return c, pkg, clients


def test_a_request_with_evidence_is_approved_by_a_reviewer(world):
    c, _, as_ = world
    response = as_["officer"].post(
        "/officer/c/SQV/disbursements/new/",
        {
            "payee": "阳光助老服务社",
            "purpose": "重阳节慰问品",
            "category": "elderly",
            "amount": "800.00",
            "method": "bank",
            "invoice": SimpleUploadedFile("fapiao.pdf", PDF, "application/pdf"),
        },
    )
    d = Disbursement.objects.get()
    assert response.url == f"/officer/disbursements/{d.pk}/"
    page = as_["officer"].get(response.url).content.decode()
    assert "fapiao.pdf" in page and 'value="approve"' not in page  # not the requester's call
    assert (
        as_["auditor"]
        .post(f"/officer/disbursements/{d.pk}/decide/", {"action": "approve"})
        .status_code
        == 403
    )
    assert as_["outsider"].get(f"/officer/disbursements/{d.pk}/").status_code == 404
    attachment = d.attachments.get()
    assert as_["outsider"].get(f"/officer/attachments/{attachment.pk}/").status_code == 404
    as_["reviewer"].post(
        f"/officer/disbursements/{d.pk}/decide/", {"action": "approve", "reference": "BK-1"}
    )
    d.refresh_from_db()
    assert d.status == "posted" and d.payment_reference == "BK-1"
    assert "阳光助老服务社" in as_["reviewer"].get("/officer/c/SQV/payouts/").content.decode()


def test_bad_requests_are_refused_by_field(world):
    _, _, as_ = world
    response = as_["officer"].post(
        "/officer/c/SQV/disbursements/new/",
        {
            "payee": "",
            "purpose": "x",
            "category": "elderly",
            "amount": "1.005",
            "method": "bank",
            "invoice": SimpleUploadedFile("a.pdf", b"MZ", "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert {"payee", "amount"} <= set(response.context["form"].errors)
    assert Disbursement.objects.count() == 0
    assert as_["reviewer"].get("/officer/c/SQV/disbursements/new/").status_code == 404


def test_a_settlement_form_refuses_more_than_owed(world):
    c, pkg, as_ = world
    officer, reviewer = (User.objects.get(username=n) for n in ("officer", "reviewer"))
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 3, 1))
    url = "/officer/c/SQV/settlements/new/"
    response = as_["officer"].get(url)
    assert f'<option value="{item.pk}">' in response.content.decode()  # passed items offered
    form = {
        "party": pkg.provider.code,
        "amount": "70000.01",
        "method": "bank",
        "bank_reference": "BK-5",
        "paid_on": "2026-03-10",
    }
    response = as_["officer"].post(url, {**form, "amount": "70000.00"})
    assert response.status_code == 200 and "decision" in response.context["form"].errors
    form["decision"] = item.pk
    response = as_["officer"].post(url, form)
    assert response.status_code == 200 and "amount" in response.context["form"].errors
    response = as_["officer"].post(url, {**form, "amount": "70000.00"})
    assert response.status_code == 302 and Settlement.objects.count() == 1


def test_a_swapped_file_shows_as_changed(world):
    c, _, as_ = world
    as_["officer"].post(
        "/officer/c/SQV/disbursements/new/",
        {
            "payee": "甲",
            "purpose": "购置灭火器",
            "category": "other",
            "amount": "300.00",
            "method": "bank",
            "invoice": SimpleUploadedFile("fp.pdf", PDF, "application/pdf"),
        },
    )
    d = Disbursement.objects.get()
    url = f"/officer/disbursements/{d.pk}/"
    assert "CHANGED" not in as_["auditor"].get(url).content.decode()
    with open(d.attachments.get().file.path, "ab") as fh:
        fh.write(b"tampered")
    body = as_["auditor"].get(url).content.decode()
    assert "上传后已被改动" in body or "CHANGED" in body
