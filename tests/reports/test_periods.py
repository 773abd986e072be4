"""Closing and publishing months: the rules of DESIGN 4.4, and a signed, verifiable head."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundmgr.services.income import income_approve, income_record, income_reverse
from ledger import merkle
from ledger.log import inclusion
from ledger.verify import verify
from reports import disclosure, signing
from reports.models import Disclosure, PeriodState
from reports.services import period_close, period_publish
from tests import factories as f
from tests.ledger.tamper import execute

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def world():
    c = f.community("SQP", threshold="5000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    incomes = [
        income_record(
            f.draft(c, pkg, amount, paid_at=at(dt.date(2026, 3, d)), payer="张三丰"),
            recorded_by=officer,
        )[0]
        for d, amount in ((2, "100.00"), (15, "0.10"), (31, "33.33"))
    ]
    return c, pkg, officer, reviewer, incomes


def test_a_month_closes_only_when_it_has_ended_and_nothing_waits(world):
    c, pkg, officer, reviewer, _ = world
    with pytest.raises(ValidationError, match="尚未结束|has not ended"):
        period_close(community=c, month=MARCH, actor="officer", today=dt.date(2026, 3, 31))
    pending, _ = income_record(
        f.draft(c, pkg, "9000.00", paid_at=at(dt.date(2026, 3, 20))), recorded_by=officer
    )
    with pytest.raises(ValidationError):
        period_close(community=c, month=MARCH, actor="officer", today=dt.date(2026, 4, 2))
    income_approve(income=pending, reviewer=reviewer)
    with pytest.raises(ValidationError):
        period_close(
            community=c,
            month=MARCH,
            actor="officer",
            confirmed_by="officer",
            today=dt.date(2026, 4, 2),
        )
    period = period_close(
        community=c,
        month=MARCH,
        actor="officer",
        confirmed_by="reviewer",
        today=dt.date(2026, 4, 2),
    )
    assert period.state == PeriodState.CLOSED
    assert c.book.closed_through == dt.date(2026, 3, 31)
    with pytest.raises(ValidationError):
        period_close(community=c, month=MARCH, actor="officer", today=dt.date(2026, 4, 2))


def test_months_close_in_order(world):
    c, *_ = world
    with pytest.raises(ValidationError):
        period_close(community=c, month=APRIL, actor="officer", today=dt.date(2026, 5, 2))


def test_late_income_and_corrections_land_in_the_next_open_month_as_adjustments(world):
    c, pkg, officer, _, incomes = world
    period_close(community=c, month=MARCH, actor="officer", today=dt.date(2026, 4, 2))
    late, _ = income_record(
        f.draft(c, pkg, "50.00", paid_at=at(dt.date(2026, 3, 30))), recorded_by=officer
    )
    assert late.entry.date == APRIL
    assert late.entry.memo.startswith("【调整】")
    reversed_ = income_reverse(income=incomes[0], actor=officer, reason="重复登记")
    assert reversed_.reversal_entry.date >= APRIL
    assert all(r.ok for r in verify())


def test_publishing_makes_an_immutable_signed_disclosure(world):
    c, _, _, _, incomes = world
    with pytest.raises(ValidationError):
        period_publish(community=c, month=MARCH, actor="officer")
    period_close(community=c, month=MARCH, actor="officer", today=dt.date(2026, 4, 2))
    record = period_publish(community=c, month=MARCH, actor="officer")
    document = json.loads(record.document)

    assert document["totals"] == {
        "income": "133.43",
        "reversed": "0.00",
        "net": "133.43",
        "count": 3,
        "reversals": 0,
        "provider": "93.40",
        "hub": "33.35",
        "fund": "6.68",
    }
    assert [i["receipt"] for i in document["incomes"]] == [i.receipt_display for i in incomes]
    assert document["incomes"][1]["split"] == {"provider": "0.07", "hub": "0.02", "fund": "0.01"}
    assert {i["payer"] for i in document["incomes"]} == {"张**"}
    assert "张三丰" not in record.document
    assert document["balances"]["closing"]["fund"] == "6.68"
    assert disclosure.digest_of(document) == record.digest

    head = json.loads(record.signed_head)
    assert head["document_digest"] == record.digest and head["tree_size"] == 3
    assert signing.verify(signing.public_key_raw(), record.signed_head.encode(), record.signature)
    assert not signing.verify(
        signing.public_key_raw(), record.signed_head.encode() + b" ", record.signature
    )

    proof = inclusion(c.book, incomes[1].entry.seq, record.tree_size)
    assert proof["root"] == record.tree_root
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["leaf_index"],
        proof["tree_size"],
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(record.tree_root),
    )

    with pytest.raises(ValidationError):
        period_publish(community=c, month=MARCH, actor="officer")
    with pytest.raises(IntegrityError), transaction.atomic():
        execute("UPDATE reports_disclosure SET document = '{}' WHERE id = %s", [record.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        execute("DELETE FROM reports_disclosure WHERE id = %s", [record.pk])
    assert Disclosure.objects.get().digest == record.digest


def test_the_commands_close_and_publish_and_refuse_bad_arguments(world):
    c, *_ = world
    out = io.StringIO()
    call_command("close_period", "SQP", "2026-03", "--by", "officer", stdout=out)
    call_command("publish_period", "SQP", "2026-03", stdout=out)
    assert "closed SQP 2026-03" in out.getvalue() and "published SQP 2026-03" in out.getvalue()
    for args, message in (
        (["NOPE", "2026-03"], "no such community"),
        (["SQP", "2026-13"], "YYYY-MM"),
        (["SQP", "March"], "YYYY-MM"),
        (["SQP", "2026-03"], "已经公示|already published"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("publish_period", *args)


def test_officers_request_reviewers_confirm_and_officers_publish_in_the_ui(world):
    from django.test import Client

    c, pkg, officer, reviewer, _ = world
    both = f.user("both", (c, "officer"), (c, "reviewer"))
    auditor = f.user("auditor", (c, "auditor"))
    as_ = {}
    for user in (officer, reviewer, both, auditor):
        as_[user.username] = Client()
        as_[user.username].force_login(user)
    base = "/officer/periods/SQP/2026-03/"
    page = as_["officer"].get("/officer/periods/").content.decode()
    assert 'data-month="2026-03"' in page and "request/" in page
    assert as_["auditor"].post(base + "request/").status_code == 403
    assert as_["reviewer"].post(base + "request/").status_code == 403
    as_["both"].post(base + "request/")
    as_["both"].post(base + "confirm/")  # the requester cannot confirm
    assert c.periods.get(month=MARCH).state == "open"
    assert as_["officer"].post(base + "confirm/").status_code == 403
    as_["reviewer"].post(base + "confirm/")
    period = c.periods.get(month=MARCH)
    assert (period.state, period.closed_by, period.close_confirmed_by) == (
        "closed",
        "both",
        "reviewer",
    )
    assert as_["reviewer"].post(base + "publish/").status_code == 403
    as_["officer"].post(base + "publish/")  # no tick: nothing is published
    assert c.periods.get(month=MARCH).state == "closed"
    as_["officer"].post(base + "publish/", {"confirm": "on"})
    assert c.periods.get(month=MARCH).state == "published"
    outsider = Client()
    outsider.force_login(f.user("outsider", (f.community(), "officer")))
    assert outsider.post(base + "request/").status_code == 404
