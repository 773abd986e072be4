"""Settlements and fund disbursements: approval tiers, self-approval refused, evidence
kept by hash, and no balance ever below zero."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from djmoney.money import Money

from fundmgr.models import Disbursement, Settlement
from fundmgr.services import payouts
from fundmgr.services.income import income_record
from ledger.models import Entry
from ledger.verify import verify
from tests import factories as f

PDF = b"%PDF-1.4\n% minimal\n" + b"0" * 100


@pytest.fixture
def fund(db):
    c = f.community("SQF", threshold="1000000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    r1, r2 = f.user("r1", (c, "reviewer")), f.user("r2", (c, "reviewer"))
    income_record(f.draft(c, pkg, "800000.00", method="bank"), recorded_by=officer)
    return c, pkg, officer, r1, r2  # fund 40,000.00; provider owed 560,000.00


@pytest.fixture
def passed(fund):
    """A passed major decision item of the fund's community, held on 2026-01-05."""
    c, _, officer, r1, _ = fund
    return f.decided_item(c, officer, r1, title="同意支付", held_on=dt.date(2026, 1, 5))


def cny(x):
    return Money(x, "CNY")


def balance(c, code):
    return c.book.accounts.get(code=code).balance


def request(c, officer, amount, **kw):
    kw.setdefault("attachments", [("invoice", SimpleUploadedFile("fapiao.pdf", PDF))])
    return payouts.disbursement_request(
        community=c,
        payee="阳光助老服务社",
        purpose="重阳节慰问",
        category="elderly",
        amount=cny(amount),
        user=officer,
        **kw,
    )


@pytest.mark.django_db
def test_a_settlement_pays_what_is_owed_and_no_more(fund, passed):
    c, pkg, officer, *_ = fund
    s = payouts.settlement_record(
        community=c,
        provider=pkg.provider,
        amount=cny("60000.00"),
        method="bank",
        bank_reference="BK-001",
        paid_on=dt.date(2026, 3, 10),
        user=officer,
        decision=passed,
    )
    assert [(ln.account.code, ln.amount_fen) for ln in s.entry.lines.order_by("position")] == [
        (f"2202.{pkg.provider.code}", 6000000),
        ("1002", -6000000),
    ]
    assert balance(c, f"2202.{pkg.provider.code}") == cny("500000.00")
    with pytest.raises(ValidationError) as err:
        payouts.settlement_record(
            community=c,
            provider=pkg.provider,
            amount=cny("500000.01"),
            method="bank",
            bank_reference="BK-002",
            paid_on=dt.date(2026, 3, 10),
            user=officer,
            decision=passed,
        )
    assert "500000.00" in str(err.value)
    hub = payouts.settlement_record(
        community=c,
        provider=None,
        amount=cny("200000.00"),
        method="bank",
        bank_reference="BK-003",
        paid_on=dt.date(2026, 3, 10),
        user=officer,
        decision=passed,
    )
    assert hub.payee_name == c.hub.name and balance(c, "2241") == cny("0.00")
    with pytest.raises(ValidationError):
        payouts.settlement_record(
            community=c,
            provider=None,
            amount=cny("1.00"),
            method="bank",
            bank_reference="BK-003",
            paid_on=dt.date(2026, 3, 10),
            user=officer,
        )
    assert Settlement.objects.count() == 2 and all(r.ok for r in verify())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "tier"),
    [("2000.00", "one"), ("2000.01", "two"), ("19999.99", "two"), ("20000.00", "committee")],
)
def test_the_tier_follows_the_amount(fund, passed, amount, tier):
    c, _, officer, *_ = fund
    decision = passed if tier == "committee" else None
    assert request(c, officer, amount, decision=decision).tier == tier


@pytest.mark.django_db
def test_one_reviewer_pays_a_small_request_but_never_their_own(fund):
    c, _, officer, r1, _ = fund
    d = request(c, officer, "1500.00")
    both = f.user("both", (c, "officer"), (c, "reviewer"))
    own = request(c, both, "100.00")
    with pytest.raises(ValidationError, match="自己|requested"):
        payouts.disbursement_approve(disbursement=own, reviewer=both)
    with pytest.raises(PermissionError):
        payouts.disbursement_approve(disbursement=d, reviewer=officer)
    paid = payouts.disbursement_approve(disbursement=d, reviewer=r1, payment_reference="BK-9")
    assert paid.status == "posted" and balance(c, "3101") == cny("38500.00")
    assert [(ln.account.code, ln.amount_fen) for ln in paid.entry.lines.order_by("position")] == [
        ("3101", 150000),
        ("1002", -150000),
    ]


@pytest.mark.django_db
def test_two_reviewers_are_needed_between_the_limits(fund):
    c, _, officer, r1, r2 = fund
    d = request(c, officer, "5000.00")
    d = payouts.disbursement_approve(disbursement=d, reviewer=r1)
    assert d.status == "pending" and d.entry is None
    with pytest.raises(ValidationError):
        payouts.disbursement_approve(disbursement=d, reviewer=r1)
    d = payouts.disbursement_approve(disbursement=d, reviewer=r2)
    assert d.status == "posted"


def _failed_item(c, officer, tallier):
    from fundmgr.decisions import services as decisions

    meeting = decisions.meeting_record(
        community=c,
        body="joint",
        reference="联席〔2026〕否决",
        held_on=dt.date(2026, 1, 6),
        members_entitled=9,
        members_present=7,
        user=officer,
        minutes_sha256=f.MINUTES_SHA,
        items=[{"title": "同意支付"}],
    )
    item = meeting.items.get()
    for who in (officer, tallier):
        decisions.tally_enter(item=item, user=who, votes_for=2, votes_against=5, votes_abstain=0)
    item.refresh_from_db()
    return item


def _bad_items(c, officer, r1, *, later=True):
    """A failed item, another community's passed item, and (`later`) one held after the
    payment's day, 2026-03-10; each with the refusal's words."""
    other = f.community("SQO")
    o_officer = f.user("o-officer", (other, "officer"))
    o_reviewer = f.user("o-reviewer", (other, "reviewer"))
    bad = [
        (_failed_item(c, officer, r1), "没有通过"),
        (f.decided_item(other, o_officer, o_reviewer), "其他社区"),
    ]
    if later:
        bad.append((f.decided_item(c, officer, r1, held_on=dt.date(2026, 3, 20)), "晚于2026-03-10"))
    return bad


@pytest.mark.django_db
@time_machine.travel("2026-03-10 12:00 +08:00")
def test_a_disbursement_from_the_collective_limit_cites_a_passed_item(fund, passed):
    c, _, officer, r1, _ = fund
    with pytest.raises(ValidationError) as err:
        request(c, officer, "20000.00")
    assert list(err.value.message_dict) == ["decision"]
    assert "20000.00" in err.value.message_dict["decision"][0]
    # A meeting cannot be recorded before it is held: none is later than today's request.
    for item, why in _bad_items(c, officer, r1, later=False):
        with pytest.raises(ValidationError, match=why) as err:
            request(c, officer, "30000.00", decision=item)
        assert list(err.value.message_dict) == ["decision"]
    assert not Disbursement.objects.exists()  # nothing written
    d = request(c, officer, "30000.00", decision=passed)
    assert (d.tier, d.decision) == ("committee", passed)
    with pytest.raises(ValidationError, match="三重一大"):
        payouts.disbursement_approve(disbursement=d, reviewer=r1)
    paid = payouts.disbursement_committee(disbursement=d, reviewer=r1)
    assert paid.status == "posted" and paid.decision == passed
    assert (paid.votes_for, paid.minutes_ref) == (None, "")  # the old free text stays empty
    note = paid.approvals.get().note
    assert passed.meeting.reference in note and "赞成 6" in note
    assert balance(c, "3101") == cny("10000.00")


@pytest.mark.django_db
@time_machine.travel("2026-03-10 12:00 +08:00")
def test_a_committee_request_without_an_item_names_one_when_it_is_paid(fund, passed):
    c, _, officer, r1, _ = fund
    d = request(c, officer, "25000.00", decision=passed)
    Disbursement.objects.filter(pk=d.pk).update(decision=None)  # as requested before #19
    with pytest.raises(ValidationError) as err:
        payouts.disbursement_committee(disbursement=d, reviewer=r1)
    assert list(err.value.message_dict) == ["decision"]
    d.refresh_from_db()
    assert d.status == "pending" and not d.approvals.exists()
    failed = _failed_item(c, officer, r1)
    with pytest.raises(ValidationError, match="没有通过"):
        payouts.disbursement_committee(disbursement=d, reviewer=r1, decision=failed)
    paid = payouts.disbursement_committee(disbursement=d, reviewer=r1, decision=passed)
    assert paid.status == "posted" and paid.decision == passed


@pytest.mark.django_db
def test_below_the_collective_limit_nothing_is_asked(fund):
    c, pkg, officer, r1, r2 = fund
    d = request(c, officer, "19999.99")
    assert (d.tier, d.decision) == ("two", None)
    s = payouts.settlement_record(
        community=c,
        provider=pkg.provider,
        amount=cny("19999.99"),
        method="bank",
        bank_reference="BK-SMALL",
        paid_on=dt.date(2026, 3, 10),
        user=officer,
    )
    assert s.decision is None


@pytest.mark.django_db
def test_a_settlement_from_the_collective_limit_cites_a_passed_item(fund, passed):
    c, pkg, officer, r1, _ = fund
    kwargs = dict(
        community=c,
        provider=pkg.provider,
        amount=cny("20000.00"),
        method="bank",
        bank_reference="BK-BIG",
        paid_on=dt.date(2026, 3, 10),
        user=officer,
    )
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as err:
        payouts.settlement_record(**kwargs)
    assert list(err.value.message_dict) == ["decision"]
    for item, why in _bad_items(c, officer, r1):
        with pytest.raises(ValidationError, match=why):
            payouts.settlement_record(**kwargs, decision=item)
    assert Entry.objects.count() == entries and not Settlement.objects.exists()
    s = payouts.settlement_record(**kwargs, decision=passed)
    assert s.decision == passed and s.entry is not None


@pytest.mark.django_db
def test_a_rejection_needs_a_reason_and_pays_nothing(fund):
    c, _, officer, r1, _ = fund
    d = request(c, officer, "100.00")
    with pytest.raises(ValidationError):
        payouts.disbursement_reject(disbursement=d, reviewer=r1, reason=" ")
    d = payouts.disbursement_reject(disbursement=d, reviewer=r1, reason="缺少签收单")
    assert d.status == "rejected"
    with pytest.raises(ValidationError):
        payouts.disbursement_approve(disbursement=d, reviewer=f.user("r9", (c, "reviewer")))
    assert Entry.objects.count() == 1


@pytest.mark.django_db
def test_the_fund_never_goes_below_zero(fund):
    c, _, officer, r1, r2 = fund
    big = request(c, officer, "19000.00")
    other = request(c, officer, "19000.00")
    third = request(c, officer, "19000.00")
    for d in (big, other):
        payouts.disbursement_approve(disbursement=d, reviewer=r1)
        payouts.disbursement_approve(disbursement=d, reviewer=r2)
    payouts.disbursement_approve(disbursement=third, reviewer=r1)
    before = Entry.objects.count()
    with pytest.raises(ValidationError, match="2000.00"):
        payouts.disbursement_approve(disbursement=third, reviewer=r2)
    assert Entry.objects.count() == before and balance(c, "3101") == cny("2000.00")
    assert Disbursement.objects.get(pk=third.pk).status == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a pdf", "PDF、JPG 或 PNG"),
        ("photo.png", PDF, "PDF、JPG 或 PNG"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_evidence_must_be_a_real_pdf_jpg_or_png(fund, name, content, message):
    c, _, officer, *_ = fund
    with pytest.raises(ValidationError, match=message):
        request(c, officer, "10.00", attachments=[("invoice", SimpleUploadedFile(name, content))])
    assert Disbursement.objects.count() == 0


@pytest.mark.django_db
def test_oversized_evidence_is_refused(fund, monkeypatch):
    c, _, officer, *_ = fund
    monkeypatch.setattr(payouts, "MAX_ATTACHMENT", 50)
    with pytest.raises(ValidationError, match="10 MB"):
        request(c, officer, "10.00")


@pytest.mark.django_db
def test_a_file_swapped_after_upload_blocks_the_payment(fund):
    c, _, officer, r1, _ = fund
    d = request(c, officer, "100.00")
    attachment = d.attachments.get()
    with open(attachment.file.path, "wb") as fh:
        fh.write(PDF + b"edited")
    with pytest.raises(ValidationError, match="fapiao.pdf"):
        payouts.disbursement_approve(disbursement=d, reviewer=r1)
    assert Disbursement.objects.get(pk=d.pk).status == "pending"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_disbursements_racing_for_the_last_balance_on_postgresql(ledger_purge):
    c = f.community("SQR", threshold="1000000")
    officer = f.user("race_officer", (c, "officer"))
    reviewers = [f.user(f"race_r{i}", (c, "reviewer")) for i in range(2)]
    income_record(f.draft(c, f.package(c), "40000.00", method="bank"), recorded_by=officer)
    # fund: 2,000.00; two requests of 1,500.00, each approved by its own reviewer at once
    requests = [request(c, officer, "1500.00", attachments=[]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(i):
        try:
            barrier.wait()
            payouts.disbursement_approve(
                disbursement=Disbursement.objects.get(pk=requests[i].pk), reviewer=reviewers[i]
            )
            outcomes.append("paid")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["paid", "refused"]
    assert c.book.accounts.get(code="3101").balance == cny("500.00")
    assert all(r.ok for r in verify())


@pytest.fixture
def may_20th():
    """The clock on 2026-05-20, before the fund is set up: the payouts are made that day."""
    with time_machine.travel(dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC), tick=True):
        yield


@pytest.mark.django_db
def test_the_published_month_lists_payouts_without_private_details(may_20th, fund):
    import json

    from django.test import Client

    from reports.services import period_close, period_publish

    c, pkg, officer, r1, r2 = fund
    payouts.settlement_record(
        community=c,
        provider=pkg.provider,
        amount=cny("1000.00"),
        method="bank",
        bank_reference="BK-77",
        paid_on=dt.date(2026, 5, 20),
        user=officer,
    )
    d = payouts.disbursement_request(
        community=c,
        payee="王秀英",
        payee_is_person=True,
        payee_account="6222020200112233",
        purpose="困难老人慰问",
        category="elderly",
        amount=cny("500.00"),
        user=officer,
        attachments=[],
    )
    payouts.disbursement_approve(disbursement=d, reviewer=r1)
    month = dt.date(2026, 5, 1)  # the payouts' month; the income's is March
    for m in (dt.date(2026, 3, 1), dt.date(2026, 4, 1), month):
        period_close(community=c, month=m, actor="officer", today=dt.date(2026, 6, 1))
    period_publish(community=c, month=month, actor="officer")
    doc = json.loads(c.periods.get(month=month).disclosure.document)
    assert doc["settlements"][0]["amount"] == "1000.00"
    entry = doc["disbursements"][0]
    # Staff by role and number, never by login name (issue 21).
    assert entry["payee"] == "王**" and entry["approvals"][0]["reviewer"] == "审核人 1"
    assert entry["requested_by"] == "财务人员 1"
    body = Client().get(f"/c/SQF/{month:%Y-%m}/").content.decode()
    assert "困难老人慰问" in body and "王秀英" not in body and "6222020200112233" not in body
