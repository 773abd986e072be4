"""Donations, restricted and named funds, purchase contracts and charity markets
(issue 18): what is posted where, what is refused, and that nothing is written then."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from djmoney.money import Money

from fundmgr.chart import FUND_ACCOUNT
from fundmgr.inflows import services as inflows
from fundmgr.inflows.models import (
    BeneficiaryToken,
    ContractDelivery,
    CountSheet,
    Donation,
    RestrictedSpending,
    Status,
)
from fundmgr.models import Income, IncomeStatus
from fundmgr.services.income import income_approve, income_record
from ledger.models import Account, Entry
from ledger.selectors import balance_fen
from reports.checks import ledger_violations
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


def cny(v: str) -> Money:
    return Money(v, "CNY")


@pytest.fixture
def world():
    c = f.community(threshold="5000")
    officer = f.user(None, (c, "officer"))
    reviewer = f.user(None, (c, "reviewer"))
    item = f.decided_item(
        c, officer, reviewer, title="同意签订政府购买服务合同", held_on=dt.date(2025, 12, 20)
    )
    pkg = f.package(c)
    return {"c": c, "officer": officer, "reviewer": reviewer, "item": item, "pkg": pkg}


def _held(account: Account) -> int:
    return balance_fen(account.book, account.code)


def _bal(c, code: str) -> int:
    return _held(Account.objects.get(book_id=c.book_id, code=code))


def _named(w, code="HX"):
    return inflows.fund_open(
        community=w["c"],
        code=code,
        kind="named",
        name="和信助老基金",
        purpose_code="elderly-meals",
        purpose="老年助餐",
        donor_name="和信科技有限公司",
        donor_kind="company",
        donor_named=True,
        rules="仅用于70岁以上老人助餐补贴",
        user=w["officer"],
    )


def _donate(w, amount="200.00", ref="D1", **kw):
    args = {
        "community": w["c"],
        "donor_kind": "resident",
        "donor_name": "王小明",
        "amount": cny(amount),
        "method": "wechat",
        "received_on": dt.date(2026, 6, 10),
        "reference": ref,
        "user": w["officer"],
    }
    args.update(kw)
    return inflows.donation_record(**args)


# --- donations ------------------------------------------------------------------------
def test_an_unrestricted_donation_goes_whole_to_the_fund_not_split(world):
    d = _donate(world)
    assert d.status == Status.POSTED
    assert _bal(world["c"], FUND_ACCOUNT) == 20000
    assert [line.account.code for line in d.entry.lines.order_by("pk")] == ["1012.01", "3101"]
    assert "不参与70/25/5分成" in d.entry.memo
    assert len(d.receipt_code) == 16
    assert d.public_donor == "王**"


def test_a_restricted_donation_goes_to_the_named_funds_sub_account(world):
    fund = _named(world)
    assert fund.account.code == "3101.N.HX" and fund.account.type == "equity"
    _donate(world, fund_code="HX")
    assert _held(fund.account) == 20000
    assert _bal(world["c"], FUND_ACCOUNT) == 0
    assert fund.public_donor == "和信科技有限公司"


def test_a_donation_to_a_purpose_that_does_not_exist_is_refused_and_writes_nothing(world):
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        _donate(world, fund_code="NOPE")
    assert exc.value.message_dict["fund"] == [
        "There is no restricted fund or purpose NOPE in this community."
    ]
    assert Donation.objects.count() == 0 and Entry.objects.count() == entries


def test_anonymous_donors_are_never_named_and_residents_may_not_be(world):
    d = _donate(world, donor_name="", anonymous=True)
    assert d.public_donor == "匿名" and d.donor_name == ""
    with pytest.raises(ValidationError) as exc:
        _donate(world, ref="D2", named_publicly=True)
    assert "named_publicly" in exc.value.message_dict


def test_a_large_donation_waits_for_a_reviewer_who_did_not_record_it(world):
    both = f.user(None, (world["c"], "officer"), (world["c"], "reviewer"))
    d = _donate(world, amount="8000.00", user=both)
    assert d.status == Status.PENDING and d.entry is None
    with pytest.raises(ValidationError):
        inflows.donation_approve(donation=d, reviewer=both)
    d = inflows.donation_approve(donation=d, reviewer=world["reviewer"])
    assert d.status == Status.POSTED and _bal(world["c"], FUND_ACCOUNT) == 800000


def test_an_auditor_may_not_record_a_donation(world):
    auditor = f.user(None, (world["c"], "auditor"))
    with pytest.raises(PermissionError):
        _donate(world, user=auditor)


def test_bad_donation_amounts_are_refused(world):
    for bad in ("0", "-5", "1.234"):
        with pytest.raises(ValidationError) as exc:
            _donate(world, amount=bad)
        assert "amount" in exc.value.message_dict
    assert Donation.objects.count() == 0


# --- spending from a restricted fund --------------------------------------------------
def test_a_restricted_fund_pays_only_for_its_purpose(world):
    fund = _named(world)
    _donate(world, amount="500.00", fund_code="HX")
    with pytest.raises(ValidationError) as exc:
        inflows.spending_request(
            fund=fund,
            purpose_code="festival",
            purpose="中秋晚会",
            payee="某演艺公司",
            amount=cny("100.00"),
            method="bank",
            user=world["officer"],
        )
    assert exc.value.message_dict["purpose_code"] == [
        "和信助老基金 may be spent only for its purpose (老年助餐), not for festival."
    ]
    assert RestrictedSpending.objects.count() == 0
    s = inflows.spending_request(
        fund=fund,
        purpose_code="elderly-meals",
        purpose="6月助餐补贴",
        payee="长者食堂",
        amount=cny("300.00"),
        method="wechat",
        user=world["officer"],
    )
    with pytest.raises(PermissionError):
        inflows.spending_approve(spending=s, reviewer=world["officer"])
    s = inflows.spending_approve(spending=s, reviewer=world["reviewer"])
    assert s.status == Status.POSTED and _held(fund.account) == 20000


def test_a_restricted_fund_is_never_spent_past_its_balance(world):
    fund = _named(world)
    _donate(world, amount="100.00", fund_code="HX")
    s = inflows.spending_request(
        fund=fund,
        purpose_code="elderly-meals",
        purpose="助餐",
        payee="长者食堂",
        amount=cny("150.00"),
        method="wechat",
        user=world["officer"],
    )
    with pytest.raises(ValidationError) as exc:
        inflows.spending_approve(spending=s, reviewer=world["reviewer"])
    assert "3101.N.HX" in str(exc.value)
    assert ledger_violations(world["c"]) == []


# --- purchase contracts ---------------------------------------------------------------
def _contract(w, number="GM-2026-01", ends=dt.date(2026, 12, 31), units=10):
    return inflows.contract_create(
        community=w["c"],
        buyer="街道办事处",
        number=number,
        starts_on=dt.date(2026, 1, 1),
        ends_on=ends,
        decision=w["item"],
        lines=[
            {
                "package": w["pkg"],
                "units": units,
                "unit_price": cny("80.00"),
                "cap": cny(str(80 * units)),
            }
        ],
        user=w["officer"],
    )


def _pb_draft(w, line, amount="160.00", quantity=2, ref="G1", on=None):
    d = f.draft(
        w["c"],
        w["pkg"],
        amount,
        tier="public_benefit",
        ref=ref,
        payer="街道办事处",
        method="bank",
        paid_at=on or timezone.make_aware(dt.datetime(2026, 6, 12, 10, 0)),
    )
    d.quantity, d.contract_line = quantity, line
    return d


def test_a_delivery_is_a_receivable_and_the_buyers_payment_clears_it(world):
    c = _contract(world)
    line = c.lines.get()
    inflows.delivery_bill(
        line=line,
        delivered_on=dt.date(2026, 6, 3),
        beneficiaries=["110101195001011234", "110101195201021111"],
        user=world["officer"],
    )
    assert _held(c.receivable) == 16000
    tokens = list(BeneficiaryToken.objects.values_list("token", flat=True))
    assert len(tokens) == 2 and all(len(t) == 64 for t in tokens)
    assert "110101195001011234" not in str(list(BeneficiaryToken.objects.values()))
    income, _ = income_record(_pb_draft(world, line), recorded_by=world["officer"])
    assert income.status == IncomeStatus.POSTED
    assert income.fund_share == cny("8.00")  # package income: split as usual
    assert _held(c.receivable) == 0 and _held(c.billed) == 0
    assert inflows.line_paid(line) == (2, cny("160.00"))


def test_billing_past_a_lines_units_is_refused_unless_extended_by_a_decision(world):
    c = _contract(world, units=2)
    line = c.lines.get()
    inflows.delivery_bill(
        line=line,
        delivered_on=dt.date(2026, 6, 3),
        beneficiaries=["A1", "A2"],
        user=world["officer"],
    )
    with pytest.raises(ValidationError) as exc:
        inflows.delivery_bill(
            line=line, delivered_on=dt.date(2026, 6, 4), beneficiaries=["A3"], user=world["officer"]
        )
    assert "contract_line" in exc.value.message_dict
    assert ContractDelivery.objects.count() == 1
    inflows.line_extend(
        line=line, units=1, cap=cny("80.00"), decision=world["item"], user=world["officer"]
    )
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 6, 4), beneficiaries=["A3"], user=world["officer"]
    )
    assert inflows.line_used(line) == (3, cny("240.00"))


def test_a_public_benefit_income_citing_an_expired_contract_is_refused(world):
    c = _contract(world, ends=dt.date(2026, 3, 31))
    line = c.lines.get()
    with pytest.raises(ValidationError) as exc:
        income_record(_pb_draft(world, line), recorded_by=world["officer"])
    assert exc.value.message_dict["contract_line"] == [
        "Contract GM-2026-01 runs from 2026-01-01 to 2026-03-31; 2026-06-12 is outside it."
    ]
    assert Income.objects.count() == 0


def test_a_public_benefit_income_beyond_what_was_delivered_is_refused(world):
    c = _contract(world)
    line = c.lines.get()
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 6, 3), beneficiaries=["A1"], user=world["officer"]
    )
    with pytest.raises(ValidationError) as exc:
        income_record(_pb_draft(world, line), recorded_by=world["officer"])
    assert "contract_line" in exc.value.message_dict
    assert Income.objects.count() == 0


def test_with_contracts_a_public_benefit_income_must_cite_a_line(world):
    draft = _pb_draft(world, None)
    income, _ = income_record(draft, recorded_by=world["officer"])  # no contracts yet: as before
    assert income.contract_line is None if hasattr(income, "contract_line") else True
    _contract(world)
    with pytest.raises(ValidationError) as exc:
        income_record(_pb_draft(world, None, ref="G2"), recorded_by=world["officer"])
    assert "contract_line" in exc.value.message_dict


def test_a_large_contract_payment_clears_the_receivable_when_approved(world):
    c = _contract(world, units=100)
    line = c.lines.get()
    inflows.delivery_bill(
        line=line,
        delivered_on=dt.date(2026, 6, 3),
        beneficiaries=[f"R{i}" for i in range(70)],
        user=world["officer"],
    )
    income, _ = income_record(_pb_draft(world, line, "5600.00", 70), recorded_by=world["officer"])
    assert income.status == IncomeStatus.PENDING and _held(c.receivable) == 560000
    income_approve(income=income, reviewer=world["reviewer"])
    assert _held(c.receivable) == 0


def test_the_same_beneficiary_gives_the_same_token_whatever_the_spacing():
    assert inflows.beneficiary_token("110101 19500101 123x") == inflows.beneficiary_token(
        "11010119500101123X"
    )


def test_a_contract_needs_a_passed_decision(world):
    with pytest.raises(ValidationError) as exc:
        inflows.contract_create(
            community=world["c"],
            buyer="民政局",
            number="X1",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            decision=None,
            lines=[
                {"package": world["pkg"], "units": 1, "unit_price": cny("1.00"), "cap": cny("1.00")}
            ],
            user=world["officer"],
        )
    assert "decision" in exc.value.message_dict


# --- charity markets ------------------------------------------------------------------
def _market(w):
    return inflows.market_create(
        community=w["c"],
        code="M1",
        name="六月公益集市",
        held_on=dt.date(2026, 6, 13),
        stalls=[
            {"code": "S1", "name": "居民手工组", "holder": "group", "rule": "fund"},
            {
                "code": "S2",
                "name": "助老服务体验",
                "holder": "provider",
                "rule": "package",
                "package": w["pkg"],
            },
        ],
        user=w["officer"],
    )


def test_two_people_count_a_market_and_the_takings_are_posted_by_stall_rule(world):
    m = _market(world)
    inflows.count_enter(
        market=m, counts={"S1": cny("320.00"), "S2": cny("100.00")}, user=world["officer"]
    )
    with pytest.raises(ValidationError) as exc:
        inflows.count_enter(
            market=m, counts={"S1": cny("320.00"), "S2": cny("100.00")}, user=world["officer"]
        )
    assert "counted_by" in exc.value.message_dict
    assert CountSheet.objects.count() == 1
    inflows.count_enter(
        market=m, counts={"S1": cny("318.50"), "S2": cny("100.00")}, user=world["reviewer"]
    )
    diffs = inflows.count_differences(m)
    assert [(s.code, a, b) for s, a, b in diffs] == [("S1", cny("320.00"), cny("318.50"))]
    inflows.market_post(market=m, user=world["officer"])
    assert _bal(world["c"], FUND_ACCOUNT) == 31850 + 500  # stall S1 whole, S2's 5 % share
    income = Income.objects.get()
    assert income.amount == cny("100.00") and income.provider_share == cny("70.00")
    assert ledger_violations(world["c"]) == []


def test_a_market_is_not_posted_on_one_count(world):
    m = _market(world)
    inflows.count_enter(market=m, counts={"S1": cny("1.00"), "S2": cny("0")}, user=world["officer"])
    with pytest.raises(ValidationError):
        inflows.market_post(market=m, user=world["officer"])


def test_check_books_names_a_named_fund_spent_past_its_balance_outside_the_service(world):
    # An insider posting straight to the ledger, past the service's check.
    from ledger import services as ledger

    fund = _named(world)
    _donate(world, amount="100.00", fund_code="HX")
    cash = Account.objects.get(book_id=world["c"].book_id, code="1012.01")
    _donate(world, amount="500.00", ref="D9")
    ledger.post(
        book=world["c"].book,
        date=dt.date(2026, 6, 12),
        actor="insider",
        memo="挪用",
        legs=[ledger.debit(fund.account, cny("300.00")), ledger.credit(cash, cny("300.00"))],
    )
    found = ledger_violations(world["c"])
    assert [(v.kind, v.account) for v in found] == [("overspent", "3101.N.HX")]
