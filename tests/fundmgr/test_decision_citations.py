"""#19 item 3: a split policy cites the passed decision item that adopted it; rows made
before keep their free text, the migration links only what it can read off them, and the
months published before keep their digest."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fundmgr.models import SplitPolicy
from fundmgr.services.setup import policy_create
from reports import disclosure
from tests import factories as f


def _policy(c, decision, effective_from=dt.date(2026, 4, 1)):
    return policy_create(
        community=c,
        provider_bp=6000,
        hub_bp=3000,
        fund_bp=1000,
        effective_from=effective_from,
        decision=decision,
    )


@pytest.mark.django_db
def test_a_policy_needs_a_passed_item_of_its_community_held_by_its_start():
    from tests.fundmgr.test_payouts import _failed_item

    c, other = f.community(), f.community()
    officer, reviewer = f.user(None, (c, "officer")), f.user(None, (c, "reviewer"))
    o_officer, o_reviewer = f.user(None, (other, "officer")), f.user(None, (other, "reviewer"))
    refusals = [
        (None, "请选择批准此事的决议事项"),
        (_failed_item(c, officer, reviewer), "没有通过"),
        (f.decided_item(other, o_officer, o_reviewer), "其他社区"),
        (f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 4, 2)), "晚于2026-04-01"),
    ]
    for item, words in refusals:
        with pytest.raises(ValidationError) as err:
            _policy(c, item)
        assert list(err.value.message_dict) == ["decision"]
        assert words in err.value.message_dict["decision"][0]
    assert SplitPolicy.objects.filter(community=c).count() == 1  # nothing written
    adopted = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 4, 1))
    policy = _policy(c, adopted)
    assert (policy.version, policy.decision, policy.approved_by) == (2, adopted, "")


@pytest.mark.django_db
def test_the_month_document_names_the_decision_and_old_policies_keep_their_keys():
    c = f.community()
    officer, reviewer = f.user(None, (c, "officer")), f.user(None, (c, "reviewer"))
    from reports.models import Period

    period = Period.objects.create(community=c, month=dt.date(2026, 3, 1))
    before = disclosure.build(period)
    # Held on the day it starts, so March's decisions are March's as before.
    adopted = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 4, 1))
    _policy(c, adopted)
    # A policy from April is not in March's document: its bytes and digest are unchanged.
    assert disclosure.digest_of(disclosure.build(period)) == disclosure.digest_of(before)
    (old,) = before["policies"]
    assert "decision" not in old and old["approved_by"] == "默认方案"
    april = Period.objects.create(community=c, month=dt.date(2026, 4, 1))
    new = disclosure.build(april)["policies"][-1]
    assert new["decision"]["meeting"] == adopted.meeting.reference
    assert new["decision"]["held_on"] == "2026-04-01"
    assert new["decision"]["votes"] == {"for": 6, "against": 1, "abstain": 0}


BEFORE = [("fundmgr", "0009_income_price_note"), ("decisions", "0001_initial")]
AFTER = [("fundmgr", "0011_cite_recorded_decisions")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_only_what_the_typed_references_name(ledger_purge):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    Book = old.get_model("ledger", "Book")
    Hub = old.get_model("fundmgr", "HubEnterprise")
    Community = old.get_model("fundmgr", "Community")
    Policy = old.get_model("fundmgr", "SplitPolicy")
    Disbursement = old.get_model("fundmgr", "Disbursement")
    Meeting = old.get_model("decisions", "Meeting")
    Item = old.get_model("decisions", "DecisionItem")
    user = User.objects.create(username="mig")
    hub = Hub.objects.create(code="MH3", name="枢纽", subdistrict="街道")
    c = Community.objects.create(
        code="MIG3", name="迁移", subdistrict="街道", hub=hub, book=Book.objects.create(code="M3")
    )

    def meeting(ref, held_on, outcomes):
        m = Meeting.objects.create(
            community=c,
            body="joint",
            reference=ref,
            held_on=held_on,
            members_entitled=9,
            members_present=7,
            quorum=5,
            minutes_sha256="ab" * 32,
            recorded_by=user,
        )
        return [
            Item.objects.create(
                meeting=m,
                number=n,
                title="事项",
                outcome=o,
                votes_for=6,
                votes_against=1,
                votes_abstain=0,
            )
            for n, o in enumerate(outcomes, start=1)
        ]

    (passed,) = meeting("议〔1〕号", dt.date(2026, 1, 5), ["passed"])
    meeting("议〔2〕号", dt.date(2026, 1, 5), ["passed", "passed"])  # which one? ambiguous
    meeting("议〔3〕号", dt.date(2026, 1, 5), ["rejected"])
    meeting("议〔4〕号", dt.date(2026, 9, 1), ["passed"])  # held after

    def policy(v, ref, text="居委会"):
        return Policy.objects.create(
            community=c,
            version=v,
            effective_from=dt.date(2026, v, 1),
            approved_by=text,
            decision_ref=ref,
        )

    linked = policy(2, "议〔1〕号")
    unlinked = [
        policy(3, "议〔2〕号"),
        policy(4, "议〔3〕号"),
        policy(5, "议〔4〕号"),
        policy(6, ""),
    ]

    def disbursement(ref, votes_for):
        return Disbursement.objects.create(
            community=c,
            payee="甲",
            purpose="购置",
            category="other",
            amount=30000,
            amount_currency="CNY",
            tier="committee",
            requested_by=user,
            votes_for=votes_for,
            votes_against=1,
            members_present=7,
            minutes_ref=ref,
            status="rejected",
        )

    d_linked = disbursement("议〔1〕号", 6)
    d_unlinked = [disbursement("议〔1〕号", 5), disbursement("纪要1", 6)]  # votes differ; none

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Policy = new.get_model("fundmgr", "SplitPolicy")
    Disbursement = new.get_model("fundmgr", "Disbursement")
    assert Policy.objects.get(pk=linked.pk).decision_id == passed.pk
    for p in unlinked:
        row = Policy.objects.get(pk=p.pk)
        assert (row.decision_id, row.approved_by, row.decision_ref) == (
            None,
            "居委会",
            p.decision_ref,
        )
    assert Disbursement.objects.get(pk=d_linked.pk).decision_id == passed.pk
    for d in d_unlinked:
        row = Disbursement.objects.get(pk=d.pk)
        assert (row.decision_id, row.votes_for, row.minutes_ref) == (
            None,
            d.votes_for,
            d.minutes_ref,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
