"""The officer pages of proposals, projects and the annual plan (#19): moderation with
the contact kept to the moderators, a paper proposal, each move of a project through its
service, the acceptance refused to the project's own provider, a decision of another
community refused - each refusal a 400 beside its field with nothing written - and
another community's officer kept out."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from djmoney.money import Money

from fundmgr.projects import services as projects
from fundmgr.projects.models import Acceptance, Milestone, Plan, Project, ProjectStatus, Proposal
from fundmgr.services import payouts
from fundmgr.services.income import income_record
from ledger.models import Entry
from ledger.selectors import balance_fen
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% evidence\n" + b"2" * 80
SHA = "ab" * 32


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False):
        yield


def _client(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def world():
    c = f.community("SQO", threshold="1000000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    auditor = f.user("auditor", (c, "auditor"))
    income_record(f.draft(c, pkg, "200000.00", method="bank"), recorded_by=officer)  # fund 10,000
    other = f.community("SQZ")
    other_officer = f.user("other", (other, "officer"))
    other_reviewer = f.user("other-r", (other, "reviewer"))
    return {
        "c": c,
        "officer": officer,
        "reviewer": reviewer,
        "auditor": auditor,
        "other": other,
        "other_officer": other_officer,
        "other_reviewer": other_reviewer,
    }


def _proposal(c, title="楼下增设长椅"):
    return projects.proposal_submit(
        community=c,
        title=title,
        description="三号楼下放两张长椅",
        category="facilities",
        estimated_cost=Money("800.00", "CNY"),
        contact="13900001111",
    )


def _reviewed(w, provider="王师傅"):
    p = projects.project_create(
        community=w["c"], user=w["officer"], title="长椅", category="facilities", provider=provider
    )
    return projects.project_review(project=p, user=w["reviewer"])


def _decided(w):
    p = _reviewed(w)
    item = f.decided_item(w["c"], w["officer"], w["reviewer"], held_on=dt.date(2026, 6, 1))
    return projects.project_decide(
        project=p, item=item, amount=Money("1000.00", "CNY"), user=w["officer"]
    )


# --- Proposals -------------------------------------------------------------------------
def test_the_queue_shows_the_contact_to_moderators_only(world):
    _proposal(world["c"])
    page = _client(world["officer"]).get("/officer/c/SQO/projects/").content.decode()
    assert "楼下增设长椅" in page and "13900001111" in page
    assert (
        "13900001111" in _client(world["reviewer"]).get("/officer/c/SQO/projects/").content.decode()
    )
    page = _client(world["auditor"]).get("/officer/c/SQO/projects/").content.decode()
    assert "楼下增设长椅" in page and "13900001111" not in page
    assert "13900001111" not in Client().get("/c/SQO/projects/").content.decode()


def test_a_reviewer_accepts_a_proposal_and_it_becomes_public(world):
    p = _proposal(world["c"])
    r = _client(world["reviewer"]).post(
        f"/officer/c/SQO/proposals/{p.pk}/moderate/", {"accept": "1"}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "accepted" and p.moderated_by == world["reviewer"]
    public = Client().get("/c/SQO/projects/").content.decode()
    assert "楼下增设长椅" in public and "13900001111" not in public


def test_declining_without_a_reason_is_refused_and_nothing_changes(world):
    p = _proposal(world["c"])
    r = _client(world["officer"], "zh-hans").post(
        f"/officer/c/SQO/proposals/{p.pk}/moderate/", {"accept": "0", "note": " "}
    )
    assert r.status_code == 400
    p.refresh_from_db()
    assert p.status == "submitted"
    r = _client(world["officer"]).post(
        f"/officer/c/SQO/proposals/{p.pk}/moderate/", {"accept": "0", "note": "已有同类项目"}
    )
    p.refresh_from_db()
    assert p.status == "declined" and p.moderation_note == "已有同类项目"


def test_another_communitys_officer_cannot_see_or_moderate_the_queue(world):
    p = _proposal(world["c"])
    client = _client(world["other_officer"])
    assert client.get("/officer/c/SQO/projects/").status_code == 404
    r = client.post(f"/officer/c/SQO/proposals/{p.pk}/moderate/", {"accept": "1"})
    assert r.status_code == 404
    # Nor through their own community's address.
    r = client.post(f"/officer/c/SQZ/proposals/{p.pk}/moderate/", {"accept": "1"})
    assert r.status_code == 404
    p.refresh_from_db()
    assert p.status == "submitted"


def test_an_officer_enters_a_paper_proposal_and_a_bad_amount_is_refused(world):
    client = _client(world["officer"])
    data = {
        "title": "老年食堂加装扶手",
        "description": "食堂门口台阶加装扶手",
        "category": "elderly",
        "estimated_cost": "1E3",
        "proposer_name": "李阿姨",
        "contact": "13700002222",
    }
    r = client.post("/officer/c/SQO/proposals/new/", data)
    assert r.status_code == 400
    assert r.context["form"].errors["estimated_cost"]
    assert not Proposal.objects.exists()
    r = client.post("/officer/c/SQO/proposals/new/", data | {"estimated_cost": "1000"})
    assert r.status_code == 302
    p = Proposal.objects.get()
    assert p.on_paper and p.status == "submitted" and p.proposer_name == "李阿姨"
    assert _client(world["reviewer"]).get("/officer/c/SQO/proposals/new/").status_code == 404


# --- Projects --------------------------------------------------------------------------
def test_a_proposal_goes_through_the_pages_to_a_closed_project(world):
    c, officer, reviewer = world["c"], world["officer"], world["reviewer"]
    proposal = _proposal(c)
    projects.proposal_moderate(proposal=proposal, accept=True, user=reviewer)
    oc, rc = _client(officer), _client(reviewer)
    assert f"?proposal={proposal.pk}" in oc.get("/officer/c/SQO/projects/").content.decode()
    r = oc.post("/officer/c/SQO/projects/new/", {"proposal": proposal.pk, "provider": "王师傅"})
    assert r.status_code == 302
    project = Project.objects.get()
    assert project.title == "楼下增设长椅" and project.status == ProjectStatus.PROPOSED
    base = f"/officer/c/SQO/projects/{project.number}/"
    assert rc.post(base + "review/", {"review-note": "可行"}).status_code == 302
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 6, 1))
    page = oc.get(base).content.decode()
    assert f'value="{item.pk}"' in page
    r = oc.post(base + "decide/", {"decide-decision": item.pk, "decide-amount": "900"})
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.status == "decided" and balance_fen(c.book, project.earmark_code) == 90000
    assert oc.post(base + "start/", {}).status_code == 302
    r = oc.post(
        base + "milestone/",
        {
            "milestone-title": "长椅安装",
            "milestone-due_on": "2026-06-10",
            "milestone-done_on": "2026-06-12",
            "milestone-evidence": SimpleUploadedFile("photo.pdf", PDF, "application/pdf"),
        },
    )
    assert r.status_code == 302
    assert Milestone.objects.get().evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    r = rc.post(
        base + "accept/",
        {
            "accept-representatives": "王大妈\n李大爷",
            "accept-on": "2026-06-14",
            "accept-evidence_sha256": SHA,
        },
    )
    assert r.status_code == 302
    d = payouts.disbursement_request(
        community=c,
        payee="王师傅",
        purpose="长椅",
        category="other",
        amount=Money("700.00", "CNY"),
        user=officer,
        project=project,
        final=True,
        attachments=[("invoice", SimpleUploadedFile("fapiao.pdf", PDF))],
    )
    payouts.disbursement_approve(disbursement=d, reviewer=reviewer)
    page = oc.get(base).content.decode()
    assert f"/officer/disbursements/{d.pk}/" in page
    assert "¥700.00" in page and "¥200.00" in page  # paid, remaining
    assert f"?project={project.pk}" in page
    assert (
        f'value="{project.pk}" selected'
        in oc.get(f"/officer/c/SQO/disbursements/new/?project={project.pk}").content.decode()
    )
    assert oc.post(base + "close/", {"close-reason": ""}).status_code == 302
    project.refresh_from_db()
    assert project.status == "closed" and project.released == Money("200.00", "CNY")
    assert balance_fen(c.book, project.earmark_code) == 0
    public = Client().get(f"/c/SQO/project/{project.number}/").content.decode()
    assert "王*" in public and "王大妈" not in public


def test_acceptance_by_the_projects_own_provider_is_refused_and_nothing_written(world):
    project = _decided(world)
    projects.project_start(project=project, user=world["officer"])
    r = _client(world["reviewer"]).post(
        f"/officer/c/SQO/projects/{project.number}/accept/",
        {
            "accept-representatives": "王师傅、李大爷",
            "accept-on": "2026-06-14",
            "accept-evidence_sha256": SHA,
        },
    )
    assert r.status_code == 400
    form = dict((a, fm) for a, fm, _b in r.context["offered"])["accept"]
    assert "cannot accept their own work" in str(form.errors["representatives"])
    page = r.content.decode()
    assert 'id="field-accept-representatives"' in page and "cannot accept their own work" in page
    project.refresh_from_db()
    assert project.status == ProjectStatus.IN_PROGRESS
    assert not Acceptance.objects.exists()


def test_a_decision_of_another_community_is_refused_and_nothing_written(world):
    project = _reviewed(world)
    foreign = f.decided_item(
        world["other"], world["other_officer"], world["other_reviewer"], held_on=dt.date(2026, 6, 1)
    )
    entries = Entry.objects.count()
    r = _client(world["officer"]).post(
        f"/officer/c/SQO/projects/{project.number}/decide/",
        {"decide-decision": foreign.pk, "decide-amount": "500"},
    )
    assert r.status_code == 400
    assert 'id="field-decide-decision"' in r.content.decode()
    assert dict(r.context["offered"][0][1].errors).keys() == {"decision"}
    project.refresh_from_db()
    assert project.status == ProjectStatus.REVIEWED and project.earmark_entry_id is None
    assert Entry.objects.count() == entries


def test_a_typed_amount_goes_through_the_one_reader(world):
    project = _reviewed(world)
    item = f.decided_item(
        world["c"], world["officer"], world["reviewer"], held_on=dt.date(2026, 6, 1)
    )
    r = _client(world["officer"]).post(
        f"/officer/c/SQO/projects/{project.number}/decide/",
        {"decide-decision": item.pk, "decide-amount": "1E3"},
    )
    assert r.status_code == 400
    project.refresh_from_db()
    assert project.status == ProjectStatus.REVIEWED


def test_a_reviewer_cannot_decide_and_an_auditor_cannot_act(world):
    project = _reviewed(world)
    item = f.decided_item(
        world["c"], world["officer"], world["reviewer"], held_on=dt.date(2026, 6, 1)
    )
    data = {"decide-decision": item.pk, "decide-amount": "500"}
    url = f"/officer/c/SQO/projects/{project.number}/decide/"
    assert _client(world["reviewer"]).post(url, data).status_code == 403
    assert _client(world["auditor"]).post(url, data).status_code == 404
    page = _client(world["reviewer"]).get(f"/officer/c/SQO/projects/{project.number}/")
    assert page.status_code == 200 and 'id="decide-form"' not in page.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.REVIEWED


def test_another_communitys_officer_gets_404_on_a_project(world):
    project = _reviewed(world)
    client = _client(world["other_officer"])
    assert client.get(f"/officer/c/SQO/projects/{project.number}/").status_code == 404
    r = client.post(f"/officer/c/SQO/projects/{project.number}/reject/", {"reject-reason": "x"})
    assert r.status_code == 404
    project.refresh_from_db()
    assert project.status == ProjectStatus.REVIEWED


def test_rejecting_and_cancelling_need_a_reason(world):
    project = _decided(world)
    client = _client(world["officer"])
    base = f"/officer/c/SQO/projects/{project.number}/"
    assert client.post(base + "cancel/", {"cancel-reason": ""}).status_code == 400
    project.refresh_from_db()
    assert project.status == ProjectStatus.DECIDED
    assert client.post(base + "cancel/", {"cancel-reason": "资金另有安排"}).status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.CANCELLED
    assert balance_fen(world["c"].book, project.earmark_code) == 0
    assert client.post(base + "nonsense/", {}).status_code == 404


def test_a_move_the_status_does_not_allow_is_refused(world):
    project = _reviewed(world)
    r = _client(world["officer"]).post(f"/officer/c/SQO/projects/{project.number}/start/", {})
    assert r.status_code == 400
    project.refresh_from_db()
    assert project.status == ProjectStatus.REVIEWED


# --- The annual plan -------------------------------------------------------------------
def test_the_plan_is_recorded_citing_a_decision_and_shown_beside_what_was_paid(world):
    c = world["c"]
    item = f.decided_item(c, world["officer"], world["reviewer"], held_on=dt.date(2026, 1, 5))
    client = _client(world["officer"])
    page = client.get("/officer/c/SQO/plan/").content.decode()
    assert 'id="plan-form"' in page
    data = {"year": "2026", "decision": item.pk, "line_facilities": "5000", "line_elderly": "3000"}
    r = client.post("/officer/c/SQO/plan/", data | {"line_culture": "1,0"})
    assert r.status_code == 400 and not Plan.objects.exists()
    r = client.post("/officer/c/SQO/plan/", data)
    assert r.status_code == 302
    plan = Plan.objects.get()
    assert {line.category: line.amount for line in plan.lines.all()} == {
        "elderly": Money("3000.00", "CNY"),
        "facilities": Money("5000.00", "CNY"),
    }
    project = _decided(world)
    d = payouts.disbursement_request(
        community=c,
        payee="王师傅",
        purpose="长椅",
        category="other",
        amount=Money("400.00", "CNY"),
        user=world["officer"],
        project=project,
        attachments=[("invoice", SimpleUploadedFile("fapiao.pdf", PDF))],
    )
    payouts.disbursement_approve(disbursement=d, reviewer=world["reviewer"])
    page = _client(world["auditor"]).get("/officer/c/SQO/plan/?year=2026").content.decode()
    assert "¥5,000.00" in page and "¥400.00" in page and 'id="plan-form"' not in page
    assert client.post("/officer/c/SQO/plan/", data).status_code == 400  # once a year
    assert Plan.objects.count() == 1


def test_a_plan_citing_another_communitys_decision_is_refused(world):
    foreign = f.decided_item(
        world["other"], world["other_officer"], world["other_reviewer"], held_on=dt.date(2026, 1, 5)
    )
    r = _client(world["officer"]).post(
        "/officer/c/SQO/plan/", {"year": "2026", "decision": foreign.pk, "line_other": "100"}
    )
    assert r.status_code == 400 and "decision" in r.context["form"].errors
    assert not Plan.objects.exists()
    assert _client(world["reviewer"]).post("/officer/c/SQO/plan/", {}).status_code == 403
    assert _client(world["other_officer"]).get("/officer/c/SQO/plan/").status_code == 404
