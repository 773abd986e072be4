"""Projects decided by a decision item reserve an earmark in the ledger; payments cite
it and cannot pass it; closing returns the remainder; acceptance by residents, never by
the provider. The fund's free balance, earmarks and payments reconcile to the ledger."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from djmoney.money import Money

from fundmgr.decisions import services as decisions
from fundmgr.models import Disbursement
from fundmgr.projects import services as projects
from fundmgr.projects.models import Project, ProjectPayment, ProjectStatus, Proposal
from fundmgr.services import payouts
from fundmgr.services.income import income_record
from ledger.models import Entry
from ledger.verify import verify
from reports.checks import check_community
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% minimal\n" + b"0" * 100
SHA = "cd" * 32


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


def cny(x):
    return Money(x, "CNY")


@pytest.fixture
def world():
    c = f.community("SQP", threshold="1000000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    r1, r2 = f.user("r1", (c, "reviewer")), f.user("r2", (c, "reviewer"))
    income_record(f.draft(c, pkg, "200000.00", method="bank"), recorded_by=officer)
    return c, officer, r1, r2  # fund 10,000.00


def balance_fen(c, code):
    from ledger.selectors import balance_fen

    return balance_fen(c.book, code)


def decided(c, officer, r1, amount="3000.00", provider="绿美园艺公司", title="楼道绿化"):
    proposal = projects.proposal_submit(
        community=c,
        title=title,
        description="在三号楼前种花",
        category="environment",
        estimated_cost=cny(amount),
        location="三号楼",
        contact="13800000000",
    )
    projects.proposal_moderate(proposal=proposal, accept=True, user=r1)
    project = projects.project_create(community=c, user=officer, proposal=proposal)
    projects.project_review(project=project, user=r1)
    item = f.decided_item(c, officer, r1, title=title, held_on=dt.date(2026, 6, 1), major=False)
    return projects.project_decide(
        project=project, item=item, amount=cny(amount), user=officer, provider=provider
    )


def pay(c, officer, reviewer, amount, project=None, **kw):
    d = payouts.disbursement_request(
        community=c,
        payee="绿美园艺公司",
        purpose="楼道绿化",
        category="environment",
        amount=cny(amount),
        user=officer,
        project=project,
        attachments=[("invoice", SimpleUploadedFile("fapiao.pdf", PDF))],
        **kw,
    )
    return payouts.disbursement_approve(disbursement=d, reviewer=reviewer)


def test_deciding_a_project_earmarks_its_amount_and_the_free_balance_falls(world):
    c, officer, r1, _r2 = world
    project = decided(c, officer, r1)
    assert project.status == ProjectStatus.DECIDED
    assert project.proposal.status == "project"
    assert balance_fen(c, "3101") == 700000
    assert balance_fen(c, "3101.E.1") == 300000
    assert check_community(c) == []


def test_a_proposal_goes_to_a_closed_project_and_everything_reconciles(world):
    c, officer, r1, r2 = world
    project = decided(c, officer, r1)
    projects.project_start(project=project, user=officer)
    projects.milestone_record(
        project=project,
        title="完成种植",
        due_on=dt.date(2026, 6, 10),
        done_on=dt.date(2026, 6, 12),
        evidence_sha256=SHA,
        user=officer,
    )
    first = pay(c, officer, r1, "1000.00", project)
    assert first.status == "posted"
    assert balance_fen(c, "3101.E.1") == 200000
    with pytest.raises(ValidationError) as exc:
        pay(c, officer, r1, "1500.00", project, final=True)
    assert "only after the residents' representatives accept" in str(exc.value)
    projects.project_accept(
        project=project, representatives=["王大妈", "李大爷"], evidence_sha256=SHA, user=r2
    )
    pay(c, officer, r1, "1500.00", project, final=True)
    project = projects.project_close(project=project, user=officer, reason="验收合格，项目完成")
    assert project.status == ProjectStatus.CLOSED
    assert project.released == cny("500.00")
    assert balance_fen(c, "3101.E.1") == 0
    # Free 7,000 + 500 back = 7,500; the fund paid 2,500 in all.
    assert balance_fen(c, "3101") == 750000
    assert all(r.ok for r in verify())
    assert check_community(c) == []
    with pytest.raises(ValidationError) as exc:
        pay(c, officer, r1, "10.00", project)
    assert "is Closed: no payment may cite it" in str(exc.value)


def test_a_payment_beyond_the_earmark_is_refused_and_nothing_written(world):
    c, officer, r1, _r2 = world
    project = decided(c, officer, r1, amount="1500.00")
    pay(c, officer, r1, "1000.00", project)
    before = (Disbursement.objects.count(), Entry.objects.count())
    with pytest.raises(ValidationError) as exc:
        pay(c, officer, r1, "500.01", project)
    assert exc.value.message_dict["amount"] == [
        "This payment of 500.01 is more than the 500.00 that remains of the earmark of project SQP-1."  # noqa: E501
    ]
    assert (Disbursement.objects.count(), Entry.objects.count()) == before


def test_waiting_payments_count_against_the_earmark(world):
    c, officer, r1, _r2 = world
    project = decided(c, officer, r1, amount="1500.00")
    payouts.disbursement_request(
        community=c,
        payee="绿美园艺公司",
        purpose="a",
        category="environment",
        amount=cny("1000.00"),
        user=officer,
        project=project,
    )
    with pytest.raises(ValidationError):
        pay(c, officer, r1, "600.00", project)


def test_acceptance_by_the_projects_own_provider_is_refused(world):
    c, officer, r1, r2 = world
    project = decided(c, officer, r1)
    projects.project_start(project=project, user=officer)
    with pytest.raises(ValidationError) as exc:
        projects.project_accept(
            project=project,
            representatives=["王大妈", "绿美园艺 公司"],
            evidence_sha256=SHA,
            user=r2,
        )
    assert "cannot accept their own work" in str(exc.value)
    project.refresh_from_db()
    assert project.status == ProjectStatus.IN_PROGRESS
    assert not hasattr(project, "acceptance") or project.acceptance is None


def test_a_project_decided_by_an_item_that_did_not_pass_is_refused(world):
    c, officer, r1, _r2 = world
    project = projects.project_create(
        community=c, user=officer, title="健身器材", category="facilities"
    )
    projects.project_review(project=project, user=r1)
    meeting = decisions.meeting_record(
        community=c,
        body="council",
        reference="议〔2026〕9号",
        held_on=dt.date(2026, 6, 1),
        members_entitled=9,
        members_present=7,
        user=officer,
        minutes_sha256=f.MINUTES_SHA,
        items=[{"title": "健身器材"}],
    )
    item = meeting.items.get()
    for who in (officer, r1):
        decisions.tally_enter(item=item, user=who, votes_for=2, votes_against=5, votes_abstain=0)
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        projects.project_decide(project=project, item=item, amount=cny("800.00"), user=officer)
    assert "was not passed" in str(exc.value)
    project.refresh_from_db()
    assert project.status == ProjectStatus.REVIEWED
    assert Entry.objects.count() == entries


def test_an_earmark_beyond_the_free_balance_is_refused(world):
    c, officer, r1, _r2 = world
    with pytest.raises(ValidationError) as exc:
        decided(c, officer, r1, amount="10000.01")
    assert "3101" in str(exc.value)
    assert not Project.objects.filter(status="decided").exists()


def test_once_earmarks_are_used_a_payment_without_one_needs_an_emergency_reason(world):
    c, officer, r1, _r2 = world
    pay(c, officer, r1, "100.00")  # before any earmark: as it always was
    decided(c, officer, r1)
    with pytest.raises(ValidationError) as exc:
        pay(c, officer, r1, "100.00")
    assert "project" in exc.value.message_dict
    d = pay(c, officer, r1, "100.00", emergency_reason="暴雨后排水抢修")
    assert d.status == "posted"
    assert ProjectPayment.objects.get(disbursement=d).emergency_reason == "暴雨后排水抢修"
    assert balance_fen(c, "3101") == 1000000 - 300000 - 20000
    assert check_community(c) == []


def test_cancelling_returns_the_whole_earmark_with_the_reason(world):
    c, officer, r1, _r2 = world
    project = decided(c, officer, r1)
    with pytest.raises(ValidationError):
        projects.project_cancel(project=project, user=officer, reason="")
    project = projects.project_cancel(project=project, user=officer, reason="场地无法使用")
    assert project.status == ProjectStatus.CANCELLED
    assert balance_fen(c, "3101") == 1000000
    assert "场地无法使用" in project.release_entry.memo
    assert list(project.changes.values_list("to_status", flat=True)) == [
        "proposed",
        "reviewed",
        "decided",
        "cancelled",
    ]


def test_status_moves_only_forward_through_the_services(world):
    c, officer, r1, _r2 = world
    project = projects.project_create(community=c, user=officer, title="x", category="other")
    with pytest.raises(ValidationError):
        projects.project_start(project=project, user=officer)
    projects.project_reject(project=project, user=r1, reason="重复")
    with pytest.raises(ValidationError):
        projects.project_review(project=project, user=r1)


def test_a_declined_proposal_needs_a_reason_and_cannot_become_a_project(world):
    c, officer, r1, _r2 = world
    p = projects.proposal_submit(
        community=c,
        title="t",
        description="d",
        category="other",
        estimated_cost=cny("10.00"),
    )
    with pytest.raises(ValidationError):
        projects.proposal_moderate(proposal=p, accept=False, user=r1)
    projects.proposal_moderate(proposal=p, accept=False, user=r1, note="不属于基金用途")
    with pytest.raises(ValidationError):
        projects.project_create(community=c, user=officer, proposal=p)
    assert Proposal.objects.get().status == "declined"


def test_check_books_names_an_earmark_moved_outside_a_payment(world):
    from ledger import services as ledger

    c, officer, r1, _r2 = world
    decided(c, officer, r1)
    accounts = ledger.accounts_of(c.book_id, ["3101", "3101.E.1"])
    # An insider moves 100 out of the earmark straight back to the free balance.
    ledger.post(
        book=c.book,
        date=dt.date(2026, 6, 15),
        actor="insider",
        memo="调整",
        legs=[
            ledger.debit(accounts["3101.E.1"], cny("100.00")),
            ledger.credit(accounts["3101"], cny("100.00")),
        ],
    )
    found = check_community(c)
    assert [v.kind for v in found] == ["earmark"]
    assert "3101.E.1 holds 2900.00 but the project's records leave 3000.00" in found[0].message


def test_the_month_document_carries_earmarks_projects_and_the_plan(world):
    c, officer, r1, _r2 = world
    item = f.decided_item(c, officer, r1, title="2026年度使用计划", held_on=dt.date(2026, 1, 5))
    projects.plan_record(
        community=c, year=2026, item=item, lines={"environment": cny("5000.00")}, user=officer
    )
    project = decided(c, officer, r1)
    pay(c, officer, r1, "1200.00", project)
    from fundmgr.projects.selectors import document_part

    part = document_part(c, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert part["earmarks"] == {
        "free": "7000.00",
        "earmarked": "1800.00",
        "rows": [
            {
                "project": 1,
                "account": "3101.E.1",
                "decided": "3000.00",
                "paid": "1200.00",
                "released": "0.00",
                "remaining": "1800.00",
                "ledger": "1800.00",
            }
        ],
    }
    assert part["plan"]["lines"] == [
        {
            "category": "environment",
            "planned": "5000.00",
            "paid_by_month": {"06": "1200.00"},
            "paid": "1200.00",
        }
    ]
    (p,) = part["projects"]
    assert (p["status"], p["decided"], p["paid"], p["remaining"]) == (
        "decided",
        "3000.00",
        "1200.00",
        "1800.00",
    )
    assert p["payments"][0]["evidence"] and p["decision"]["outcome"] == "passed"
    assert "13800000000" not in str(part)
