"""Recording, reviewing and reversing income: the split lands in the ledger exactly."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from djmoney.money import Money

from fundmgr.models import Income, IncomeStatus
from fundmgr.services.drafts import draft_validate, income_build
from fundmgr.services.income import income_approve, income_record, income_reject, income_reverse
from fundmgr.services.posting import incomes_save
from fundmgr.services.setup import membership_grant, policy_create
from ledger.models import Entry
from ledger.verify import verify
from tests import factories as f
from tests.ledger.tamper import execute

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    c = f.community("SQA", threshold="5000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    return c, pkg, officer, reviewer


def lines(entry):
    return [(ln.account.code, ln.amount_fen) for ln in entry.lines.order_by("position")]


def test_an_income_is_split_70_25_5_and_posted_in_one_entry(setup):
    c, pkg, officer, _ = setup
    income, created = income_record(f.draft(c, pkg, "100.00", ref="WX001"), recorded_by=officer)
    assert created
    assert income.status == IncomeStatus.POSTED
    assert (income.provider_share, income.hub_share, income.fund_share) == (
        Money("70.00", "CNY"),
        Money("25.00", "CNY"),
        Money("5.00", "CNY"),
    )
    assert lines(income.entry) == [
        ("1012.01", 10000),
        (f"2202.{pkg.provider.code}", -7000),
        ("2241", -2500),
        ("3101", -500),
    ]
    assert income.entry.date == dt.date(2026, 3, 5)
    assert income.entry.actor == "officer"
    assert income.receipt_display in income.entry.memo
    assert income.policy.version == 1
    assert all(r.ok for r in verify())


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.01", [("1012.01", 1), ("P", -1)]),
        ("0.10", [("1012.01", 10), ("P", -7), ("2241", -2), ("3101", -1)]),
        ("33.33", [("1012.01", 3333), ("P", -2333), ("2241", -833), ("3101", -167)]),
    ],
)
def test_small_and_odd_amounts_split_to_the_fen_without_zero_lines(setup, amount, expected):
    c, pkg, officer, _ = setup
    income, _ = income_record(f.draft(c, pkg, amount), recorded_by=officer)
    provider_code = f"2202.{pkg.provider.code}"
    assert lines(income.entry) == [(provider_code if a == "P" else a, n) for a, n in expected]
    assert (income.provider_share + income.hub_share + income.fund_share) == income.amount


def test_each_payment_method_debits_its_own_account(setup):
    c, pkg, officer, _ = setup
    codes = {}
    for method in ("cash", "bank", "wechat", "alipay", "other"):
        income, _ = income_record(f.draft(c, pkg, method=method), recorded_by=officer)
        codes[method] = lines(income.entry)[0][0]
    assert codes == {
        "cash": "1001",
        "bank": "1002",
        "wechat": "1012.01",
        "alipay": "1012.02",
        "other": "1012.99",
    }


def test_the_same_payment_reference_records_once(setup):
    c, pkg, officer, _ = setup
    first, created = income_record(f.draft(c, pkg, ref="WX-9"), recorded_by=officer)
    again, created_again = income_record(f.draft(c, pkg, ref="WX-9"), recorded_by=officer)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Income.objects.count() == 1 and Entry.objects.count() == 1


def test_a_reference_reused_with_other_details_is_refused(setup):
    c, pkg, officer, _ = setup
    income_record(f.draft(c, pkg, "100.00", ref="WX-9"), recorded_by=officer)
    with pytest.raises(ValidationError) as err:
        income_record(f.draft(c, pkg, "120.00", ref="WX-9"), recorded_by=officer)
    assert "external_ref" in err.value.message_dict
    assert Income.objects.count() == 1


def test_the_same_reference_in_another_community_is_another_payment(setup):
    c, pkg, officer, _ = setup
    other = f.community()
    membership_grant(user=officer, community=other, role="officer")
    income_record(f.draft(c, pkg, ref="R1"), recorded_by=officer)
    _, created = income_record(f.draft(other, f.package(other), ref="R1"), recorded_by=officer)
    assert created


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"amount": "1000000.01"}, "amount"),
        ({"amount": None}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"tier": "vip"}, "tier"),
        ({"method": "bitcoin"}, "method"),
        ({"paid_at": "future"}, "paid_at"),
        ({"paid_at": "1999"}, "paid_at"),
        ({"ref": "x" * 65}, "external_ref"),
        ({"payer": "张" * 101}, "payer"),
    ],
)
def test_bad_input_is_refused_by_field_and_writes_nothing(setup, changes, field):
    c, pkg, officer, _ = setup
    kwargs = dict(changes)
    if kwargs.get("paid_at") == "future":
        kwargs["paid_at"] = timezone.now() + dt.timedelta(days=1)
    elif kwargs.get("paid_at") == "1999":
        kwargs["paid_at"] = timezone.make_aware(dt.datetime(1999, 12, 31, 12))
    with pytest.raises(ValidationError) as err:
        income_record(f.draft(c, pkg, **kwargs), recorded_by=officer)
    assert field in err.value.message_dict
    assert Income.objects.count() == 0 and Entry.objects.count() == 0


def test_a_package_of_another_community_or_without_the_tier_is_refused(setup):
    c, pkg, officer, _ = setup
    foreign = f.package(f.community())
    with pytest.raises(ValidationError) as err:
        income_record(f.draft(c, foreign), recorded_by=officer)
    assert "package" in err.value.message_dict
    no_low = f.package(c, low_cost=None)
    with pytest.raises(ValidationError) as err:
        income_record(f.draft(c, no_low, tier="low_cost"), recorded_by=officer)
    assert "tier" in err.value.message_dict


def test_an_officer_records_only_in_their_own_communities(setup):
    c, pkg, _, reviewer = setup
    outsider = f.user("outsider", (f.community(), "officer"))
    for user in (outsider, reviewer):
        with pytest.raises(PermissionError):
            income_record(f.draft(c, pkg), recorded_by=user)
    assert Income.objects.count() == 0


def test_income_above_the_threshold_waits_for_another_reviewer(setup):
    c, pkg, officer, reviewer = setup
    income, _ = income_record(f.draft(c, pkg, "5000.01"), recorded_by=officer)
    assert income.status == IncomeStatus.PENDING and income.entry is None
    assert Entry.objects.count() == 0

    both = f.user("both", (c, "officer"), (c, "reviewer"))
    own, _ = income_record(f.draft(c, pkg, "6000.00"), recorded_by=both)
    with pytest.raises(ValidationError, match="自己登记"):
        income_approve(income=own, reviewer=both)
    with pytest.raises(PermissionError):
        income_approve(income=income, reviewer=officer)

    approved = income_approve(income=income, reviewer=reviewer, note="核对发票无误")
    assert approved.status == IncomeStatus.POSTED
    assert approved.reviewed_by == reviewer
    assert lines(approved.entry)[0] == ("1012.01", 500001)
    with pytest.raises(ValidationError):
        income_approve(income=approved, reviewer=reviewer)
    assert Entry.objects.count() == 1


def test_exactly_the_threshold_is_posted_at_once(setup):
    c, pkg, officer, _ = setup
    income, _ = income_record(f.draft(c, pkg, "5000.00"), recorded_by=officer)
    assert income.status == IncomeStatus.POSTED


def test_a_rejection_needs_a_reason_and_frees_the_reference(setup):
    c, pkg, officer, reviewer = setup
    income, _ = income_record(f.draft(c, pkg, "8000.00", ref="BANK-1"), recorded_by=officer)
    with pytest.raises(ValidationError):
        income_reject(income=income, reviewer=reviewer, reason=" ")
    rejected = income_reject(income=income, reviewer=reviewer, reason="金额与合同不符")
    assert rejected.status == IncomeStatus.REJECTED and rejected.entry is None
    corrected, created = income_record(f.draft(c, pkg, "800.00", ref="BANK-1"), recorded_by=officer)
    assert created and corrected.status == IncomeStatus.POSTED


def test_a_reversal_restores_every_balance_and_keeps_the_original(setup):
    c, pkg, officer, _ = setup
    income, _ = income_record(f.draft(c, pkg, "100.00"), recorded_by=officer)
    reversed_ = income_reverse(income=income, actor=officer, reason="重复登记")
    assert reversed_.status == IncomeStatus.REVERSED
    assert reversed_.reversal_entry.reverses == income.entry
    assert reversed_.reversal_entry.reason == "重复登记"
    for account in c.book.accounts.all():
        assert account.balance_fen == 0
    with pytest.raises(ValidationError):
        income_reverse(income=reversed_, actor=officer, reason="again")
    assert Entry.objects.count() == 2


def test_a_reversal_needs_a_reason_and_an_officer(setup):
    c, pkg, officer, reviewer = setup
    income, _ = income_record(f.draft(c, pkg), recorded_by=officer)
    with pytest.raises(ValidationError):
        income_reverse(income=income, actor=officer, reason="")
    with pytest.raises(PermissionError):
        income_reverse(income=income, actor=reviewer, reason="x")
    assert Entry.objects.count() == 1


def test_a_new_policy_applies_from_its_date_and_never_rewrites_history(setup):
    c, pkg, officer, _ = setup
    march, _ = income_record(f.draft(c, pkg, "100.00"), recorded_by=officer)
    reviewer = f.user(None, (c, "reviewer"))
    adopted = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as err:
        policy_create(
            community=c,
            provider_bp=6000,
            hub_bp=3000,
            fund_bp=1000,
            effective_from=dt.date(2026, 3, 5),
            decision=adopted,
        )
    assert "effective_from" in err.value.message_dict
    with pytest.raises(ValidationError):
        policy_create(
            community=c,
            provider_bp=6000,
            hub_bp=3000,
            fund_bp=900,
            effective_from=dt.date(2026, 4, 1),
            decision=adopted,
        )
    v2 = policy_create(
        community=c,
        provider_bp=6000,
        hub_bp=3000,
        fund_bp=1000,
        effective_from=dt.date(2026, 4, 1),
        decision=adopted,
    )
    april, _ = income_record(
        f.draft(c, pkg, "100.00", paid_at=timezone.make_aware(dt.datetime(2026, 4, 1, 9))),
        recorded_by=officer,
    )
    assert v2.version == 2 and april.policy == v2
    assert april.fund_share == Money("10.00", "CNY")
    march.refresh_from_db()
    assert march.policy.version == 1 and march.fund_share == Money("5.00", "CNY")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE fundmgr_income SET amount = 1 WHERE id = %s",
        "UPDATE fundmgr_income SET fund_share = 0 WHERE id = %s",
        "UPDATE fundmgr_income SET payer = '李四' WHERE id = %s",
        "UPDATE fundmgr_income SET receipt_code = 'AAAAAAAAAAAAAAAA' WHERE id = %s",
        "UPDATE fundmgr_income SET entry_id = NULL, status = 'pending' WHERE id = %s",
        "DELETE FROM fundmgr_income WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_what_was_recorded(setup, sql):
    c, pkg, officer, _ = setup
    income, _ = income_record(f.draft(c, pkg), recorded_by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        execute(sql, [income.pk])
    income.refresh_from_db()
    assert income.amount == Money("100.00", "CNY") and income.status == "posted"


def test_a_hong_kong_dollar_community_keeps_hkd(setup):
    hk = f.community(currency="HKD")
    pkg = f.package(hk)
    officer = f.user(None, (hk, "officer"))
    income, _ = income_record(f.draft(hk, pkg, "10.00"), recorded_by=officer)
    assert income.amount == Money("10.00", "HKD")
    assert income.entry.lines.first().currency == "HKD"
    assert Decimal(income.fund_share.amount) == Decimal("0.50")


def test_the_bulk_path_stores_exactly_what_recording_one_by_one_stores(setup):
    """incomes_save writes plain multi-row SQL from the model's own field list: every
    column must read back as the ORM would have written it."""
    c, pkg, officer, _reviewer = setup
    one, _created = income_record(
        f.draft(c, pkg, "123.45", ref="ONE", payer="李四"), recorded_by=officer
    )
    drafts = [
        f.draft(c, pkg, amount, ref=ref, payer="李四", method=method)
        for amount, ref, method in (
            ("123.45", "B1", "wechat"),
            ("9000.00", "B2", "cash"),
            ("0.01", "B3", "bank"),
        )
    ]
    # Past ledger.bulk.COPY_FROM rows, PostgreSQL writes them through COPY.
    drafts += [
        f.draft(
            c, pkg, f"{n}.{n:02d}", ref=f"M{n}", payer="王\\五\\", method="alipay"
        )  # no tab: refused as a control character (issue 21)
        for n in range(1, 61)
    ]
    built = []
    for d in drafts:
        assert draft_validate(d) == {}
        built.append(income_build(d, recorded_by=officer, now=one.recorded_at))
    with transaction.atomic():
        incomes_save(built, "importer")

    skip = {"id", "external_ref", "receipt_code", "entry"}
    fields = [fl.attname for fl in Income._meta.concrete_fields if fl.name not in skip]
    stored = Income.objects.get(pk=built[0].pk)
    assert {n: getattr(stored, n) for n in fields} == {n: getattr(one, n) for n in fields}
    assert len({i.pk for i in built}) == len(built)
    for income in built:
        again = Income.objects.get(pk=income.pk)
        assert {n: getattr(again, n) for n in [*fields, "receipt_code", "entry_id"]} == {
            n: getattr(income, n) for n in [*fields, "receipt_code", "entry_id"]
        }
    assert Income.objects.get(external_ref="B2").status == IncomeStatus.PENDING
    assert Income.objects.get(external_ref="B2").entry_id is None
    assert Income.objects.get(external_ref="B3").fund_share == Money("0.00", "CNY")
    assert all(report.ok for report in verify([c.book]))
