"""The residents' side of #19: a proposal sent without an account, moderated, turned
into a project, paid, accepted and closed, with each step on the public pages and the
API - and never the proposer's contact."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from djmoney.money import Money

from fundmgr.projects import services as projects
from fundmgr.projects.models import Proposal
from fundmgr.services import payouts
from fundmgr.services.income import income_record
from reports.checks import check_community
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% minimal\n" + b"0" * 100
SHA = "cd" * 32
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"  # messages asserted as their msgids
    return client


@pytest.fixture
def world():
    c = f.community("SQW", threshold="1000000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    r1, r2 = f.user("r1", (c, "reviewer")), f.user("r2", (c, "reviewer"))
    income_record(f.draft(c, pkg, "200000.00", method="bank"), recorded_by=officer)
    return c, officer, r1, r2


def _propose(client, c, **kw):
    data = {
        "title": "小区长椅",
        "description": "在花园放四张长椅",
        "category": "facilities",
        "estimated_cost": "2,400.00",
        "location": "中心花园",
        "contact": PHONE,
    } | kw
    return client.post(f"/c/{c.code}/projects/", data)


def _pay(c, officer, reviewer, amount, project, final=False):
    d = payouts.disbursement_request(
        community=c,
        payee="王师傅",
        payee_is_person=True,
        purpose="长椅",
        category="other",
        amount=Money(amount, "CNY"),
        user=officer,
        project=project,
        final=final,
        attachments=[("invoice", SimpleUploadedFile("fapiao.pdf", PDF))],
    )
    return payouts.disbursement_approve(disbursement=d, reviewer=reviewer)


def test_a_residents_proposal_is_followed_to_a_closed_project(client, world):
    c, officer, r1, r2 = world
    response = _propose(client, c)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.contact, proposal.status) == (PHONE, "submitted")
    page = client.get(f"/c/{c.code}/projects/").content.decode()
    assert "小区长椅" not in page  # waits for moderation

    projects.proposal_moderate(proposal=proposal, accept=True, user=r1)
    page = client.get(f"/c/{c.code}/projects/").content.decode()
    assert "小区长椅" in page and PHONE not in page

    project = projects.project_create(
        community=c, user=officer, proposal=proposal, provider="王师傅"
    )
    projects.project_review(project=project, user=r1)
    item = f.decided_item(
        c, officer, r1, title="小区长椅", held_on=dt.date(2026, 6, 2), major=False
    )
    projects.project_decide(
        project=project, item=item, amount=Money("2400.00", "CNY"), user=officer
    )
    projects.project_start(project=project, user=officer)
    projects.milestone_record(
        project=project,
        title="长椅安装",
        due_on=dt.date(2026, 6, 12),
        done_on=dt.date(2026, 6, 13),
        evidence_sha256=SHA,
        user=officer,
    )
    _pay(c, officer, r1, "1000.00", project)
    projects.project_accept(
        project=project, representatives=["赵阿姨", "钱叔叔"], evidence_sha256=SHA, user=r2
    )
    _pay(c, officer, r1, "1200.00", project, final=True)
    projects.project_close(project=project, user=officer, reason="验收合格")

    page = client.get(f"/c/{c.code}/project/1/").content.decode()
    assert "Closed" in page
    assert re.search(r'id="project-remaining">¥0.00', page)
    # Every amount through |yuan (issue 14): ¥2,400.00, never the document's bare 2400.00.
    assert "¥2,400.00" in page and "¥2,200.00" in page and "¥200.00" in page
    assert "¥1,000.00" in page and "¥1,200.00" in page  # the two payments
    assert not re.search(r"¥\d{4}", page)
    assert "6 for, 1 against, 0 abstaining" in page
    assert "赵*" in page and "赵阿姨" not in page
    assert "王*" in page  # the private payee, masked
    assert PHONE not in page
    listed = client.get(f"/c/{c.code}/projects/").content.decode()
    assert "Free to decide: ¥7,800.00." in listed and "<td>¥2,400.00</td>" in listed
    assert not re.search(r"¥\d{4}", listed)

    api = client.get(f"/api/v1/communities/{c.code}/projects/").json()
    (p,) = api["projects"]
    assert (p["status"], p["decided"], p["paid"], p["released"], p["remaining"]) == (
        "closed",
        "2400.00",
        "2200.00",
        "200.00",
        "0.00",
    )
    assert len(p["payments"]) == 2 and all(x["evidence"] for x in p["payments"])
    assert api["earmarks"]["earmarked"] == "0.00"
    assert api["earmarks"]["free"] == "7800.00"  # 10,000 - 2,200 paid
    assert PHONE not in str(api)
    csv = client.get(f"/api/v1/communities/{c.code}/projects/?format=csv").content.decode()
    assert "2400.00,2200.00,200.00,0.00" in csv
    assert check_community(c) == []


def test_a_bad_proposal_is_refused_with_the_field_named_and_nothing_written(client, world):
    c, *_ = world
    response = _propose(client, c, estimated_cost="12.345")
    assert response.status_code == 400
    assert "two decimal places" in response.content.decode()
    response = _propose(client, c, estimated_cost="很多")
    assert response.status_code == 400
    assert "Enter the estimated cost" in response.content.decode()
    response = _propose(client, c, title="")
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_proposals_are_rate_limited_per_client(client, world):
    c, *_ = world
    for _n in range(5):
        assert _propose(client, c).status_code == 302
    response = _propose(client, c)
    assert response.status_code == 429
    assert Proposal.objects.count() == 5


def test_unknown_community_and_project_are_404(client, world):
    c, *_ = world
    assert client.get("/c/NOPE/projects/").status_code == 404
    assert client.get(f"/c/{c.code}/project/99/").status_code == 404
    response = client.get("/api/v1/communities/NOPE/projects/")
    assert response.status_code == 404 and "error" in response.json()
