"""Red flags on the fund's decisions and earmarks (#19): pure rules over facts, and one
screening of real records."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation
from djmoney.money import Money

from reports.redflags import projects as rules
from reports.redflags.projects import MeetingFact, PaymentFact, ProjectFact
from reports.redflags.rules import PersonFact

D = dt.date(2026, 5, 1)


def pay(i, fen, day=1, project=1, reason=""):
    return PaymentFact(i, dt.date(2026, 5, day), fen, "绿美园艺公司", project, reason)


def project(payments=(), decided=300000, accepted_on=None, provider="绿美园艺公司"):
    return ProjectFact(
        7, 1, "楼道绿化", "progress", decided, provider, accepted_on, tuple(payments)
    )


def kinds(**facts):
    return sorted(f.rule for f in rules.screen(**facts))


def test_a_payment_without_an_earmark_is_flagged_once_earmarks_are_used():
    p = pay(1, 10000, project=None)
    assert kinds(unearmarked=[p], uses_earmarks=False) == []
    (flag,) = rules.screen(unearmarked=[p], uses_earmarks=True)
    assert (flag.rule, flag.severity) == ("project_no_earmark", "high")
    (flag,) = rules.screen(
        unearmarked=[pay(2, 10, project=None, reason="抢修")], uses_earmarks=True
    )
    assert flag.severity == "medium"


def test_a_chain_of_payments_near_or_past_the_earmark_is_flagged():
    near = [pay(i, 90000, day=i) for i in range(1, 4)]  # 2,700 of 3,000
    (flag,) = [
        f for f in rules.screen(projects=[project(near)]) if f.rule == "project_earmark_chain"
    ]
    assert flag.severity == "medium" and flag.params["count"] == 3
    two = [pay(1, 150000), pay(2, 150000)]
    assert "project_earmark_chain" not in kinds(projects=[project(two, accepted_on=D)])
    over = [pay(i, 110000, day=i) for i in range(1, 4)]
    (flag,) = [
        f for f in rules.screen(projects=[project(over)]) if f.rule == "project_earmark_chain"
    ]
    assert flag.severity == "high"


def test_a_project_paid_in_full_before_acceptance_is_flagged():
    full = [pay(1, 300000, day=10)]
    assert "project_paid_before_acceptance" in kinds(projects=[project(full)])
    late = project(full, accepted_on=dt.date(2026, 5, 20))
    assert "project_paid_before_acceptance" in kinds(projects=[late])
    ok = project(full, accepted_on=dt.date(2026, 5, 9))
    assert "project_paid_before_acceptance" not in kinds(projects=[ok])


def test_decisions_without_quorum_are_flagged():
    short = MeetingFact(3, "议〔2026〕2号", D, 3, 5, 1)
    assert kinds(meetings=[short]) == ["project_no_quorum"]
    assert kinds(meetings=[MeetingFact(3, "x", D, 3, 5, 0)]) == []
    assert kinds(meetings=[MeetingFact(3, "x", D, 5, 5, 2)]) == []


def test_a_beneficiary_who_decides_or_was_declared_is_flagged():
    people = [PersonFact("li", "李四", "四", "李", (("spouse_business", "绿美园艺 公司", ""),))]
    (flag,) = rules.screen(projects=[project()], people=people)
    assert flag.rule == "project_beneficiary_decides"
    assert flag.params["relation"] == "spouse_business"
    assert kinds(projects=[project(provider="别的公司")], people=people) == []


@pytest.mark.django_db
def test_screening_real_records_finds_the_unearmarked_payment():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fundmgr.projects import services as projects
    from fundmgr.services import payouts
    from fundmgr.services.income import income_record
    from reports.redflags.screening import found_flags
    from tests import factories as f

    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        c = f.community("SQR", threshold="1000000")
        pkg = f.package(c, "YL01")
        officer = f.user("officer", (c, "officer"))
        r1 = f.user("r1", (c, "reviewer"))
        income_record(f.draft(c, pkg, "200000.00", method="bank"), recorded_by=officer)
        p = projects.project_create(community=c, user=officer, title="t", category="other")
        projects.project_review(project=p, user=r1)
        item = f.decided_item(c, officer, r1, held_on=dt.date(2026, 6, 1), major=False)
        projects.project_decide(project=p, item=item, amount=Money("100.00", "CNY"), user=officer)
        d = payouts.disbursement_request(
            community=c,
            payee="某公司",
            purpose="抢修",
            category="other",
            amount=Money("50.00", "CNY"),
            user=officer,
            emergency_reason="水管爆裂",
            attachments=[("invoice", SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"0" * 50))],
        )
        payouts.disbursement_approve(disbursement=d, reviewer=r1)
        found = [fl for fl in found_flags(c) if fl.rule.startswith("project_")]
        assert [(fl.rule, fl.key) for fl in found] == [
            ("project_no_earmark", f"project_no_earmark:{d.pk}")
        ]
