"""The officer's disbursement form cites a project's earmark (#19): within what remains
it is recorded against the project; beyond it, or without a project or an emergency
reason once earmarks are used, it is refused beside the form and nothing is written."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from djmoney.money import Money

from fundmgr.models import Disbursement
from fundmgr.projects import services as projects
from fundmgr.projects.models import ProjectPayment
from fundmgr.services.income import income_record
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n" + b"1" * 64


@pytest.fixture
def world():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False):
        c = f.community("SQX", threshold="1000000")
        pkg = f.package(c, "YL01")
        officer = f.user("officer", (c, "officer"))
        reviewer = f.user("reviewer", (c, "reviewer"))
        income_record(f.draft(c, pkg, "100000.00", method="bank"), recorded_by=officer)
        p = projects.project_create(community=c, user=officer, title="长椅", category="facilities")
        projects.project_review(project=p, user=reviewer)
        item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 6, 1), major=False)
        p = projects.project_decide(
            project=p, item=item, amount=Money("1000.00", "CNY"), user=officer
        )
        client = Client()
        client.force_login(officer)
        client.cookies["django_language"] = "en"
        yield c, p, client


def _post(client, **kw):
    return client.post(
        "/officer/c/SQX/disbursements/new/",
        {
            "payee": "王师傅",
            "purpose": "长椅",
            "category": "other",
            "amount": "600.00",
            "method": "bank",
            "invoice": SimpleUploadedFile("fapiao.pdf", PDF, "application/pdf"),
        }
        | kw,
    )


def test_the_form_cites_the_project_and_refuses_beyond_its_earmark(world):
    c, project, client = world
    page = client.get("/officer/c/SQX/disbursements/new/").content.decode()
    assert "1. 长椅" in page
    response = _post(client, project=str(project.pk), amount="1000.01")
    assert response.status_code == 200
    assert "more than the 1000.00 that remains" in response.content.decode()
    assert not Disbursement.objects.exists()
    response = _post(client)
    assert "Name the project whose earmark pays this" in response.content.decode()
    assert not Disbursement.objects.exists()
    response = _post(client, project=str(project.pk))
    assert response.status_code == 302
    assert ProjectPayment.objects.get().project == project
    response = _post(client, emergency_reason="水管爆裂抢修", amount="50.00")
    assert response.status_code == 302
    assert ProjectPayment.objects.filter(project=None).get().emergency_reason == "水管爆裂抢修"
