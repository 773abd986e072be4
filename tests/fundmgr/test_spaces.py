"""Space agreements (一元租金·资源换服务): what is refused, the rent posted outside the
split, deliveries and their confirmation, and the meter."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation
from djmoney.money import Money
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.chart import FUND_ACCOUNT, SPACE_RENT_ACCOUNT
from fundmgr.spaces import meter, selectors
from fundmgr.spaces import services as spaces
from fundmgr.spaces.models import Agreement, Delivery, Obligation, RentPayment
from ledger.models import Account
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    # Messages asserted in English (the msgids); one test reads them in Chinese.
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


@pytest.fixture
def world():
    c = f.community()
    officer = f.user(None, (c, "officer"))
    reviewer = f.user(None, (c, "reviewer"))
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2025, 12, 20))
    pkg = f.package(c)
    staff, rep = f.user("staff"), f.user("rep")
    a = f.agreement(c, officer, item, pkg=pkg, operator_staff=[staff], resident_reps=[rep])
    return {
        "c": c,
        "officer": officer,
        "reviewer": reviewer,
        "item": item,
        "pkg": pkg,
        "a": a,
        "staff": staff,
        "rep": rep,
    }


def test_an_agreement_without_a_decision_is_refused_and_nothing_written(world):
    w = world
    with pytest.raises(ValidationError) as exc:
        f.agreement(w["c"], w["officer"], None, number="NODEC", pkg=w["pkg"])
    assert "decision" in exc.value.message_dict
    assert not Agreement.objects.filter(number="NODEC").exists()


def test_overlapping_agreements_for_one_space_are_refused(world):
    w = world
    item2 = f.decided_item(w["c"], w["officer"], w["reviewer"], held_on=dt.date(2026, 5, 1))
    with pytest.raises(ValidationError) as exc:
        f.agreement(
            w["c"],
            w["officer"],
            item2,
            sp=w["a"].space,
            pkg=w["pkg"],
            number="OVER",
            starts=dt.date(2026, 6, 1),
            ends=dt.date(2027, 5, 31),
        )
    assert "may not overlap" in exc.value.message_dict["starts_on"][0]
    assert not Agreement.objects.filter(number="OVER").exists()
    assert Obligation.objects.count() == 1
    # The day after the term ends is free.
    f.agreement(
        w["c"],
        w["officer"],
        item2,
        sp=w["a"].space,
        pkg=w["pkg"],
        number="NEXT",
        starts=dt.date(2027, 1, 1),
        ends=dt.date(2027, 12, 31),
        follows=w["a"],
    )


def test_a_renewal_reusing_the_old_decision_is_refused(world):
    w = world
    with pytest.raises(ValidationError) as exc:
        f.agreement(
            w["c"],
            w["officer"],
            w["item"],
            sp=w["a"].space,
            pkg=w["pkg"],
            number="RENEW",
            starts=dt.date(2027, 1, 1),
            ends=dt.date(2027, 12, 31),
            follows=w["a"],
        )
    assert "its own decision" in exc.value.message_dict["decision"][0]


def test_an_obligation_for_another_providers_package_or_the_paid_tier_is_refused(world):
    w = world
    other = f.package(w["c"])
    for ob in (
        {"package": other, "tier": "public_benefit", "per_month": 2},
        {"package": w["pkg"], "tier": "paid", "per_month": 2},
    ):
        with pytest.raises(ValidationError) as exc:
            spaces.agreement_create(
                community=w["c"],
                space=f.space(w["c"], w["officer"]),
                number="BADOB",
                operator=w["pkg"].provider,
                starts_on=dt.date(2026, 1, 1),
                ends_on=dt.date(2026, 12, 31),
                rent=Money(1, "CNY"),
                market_rent_month=Money(3000, "CNY"),
                market_rent_source="估价",
                paid_income_foreseen_month=Money(0, "CNY"),
                decision=w["item"],
                obligations=[ob],
                user=w["officer"],
            )
        assert "obligations" in exc.value.message_dict


def _deliver(w, user=None, **kw):
    args = {
        "agreement": w["a"],
        "package": w["pkg"],
        "tier": "public_benefit",
        "delivered_on": dt.date(2026, 6, 3),
        "participants": 12,
        "user": user or w["staff"],
        "evidence_sha256": "cd" * 32,
        **kw,
    }
    return spaces.delivery_record(**args)


def test_a_delivery_outside_the_term_or_for_a_package_not_named_is_refused(world):
    w = world
    with pytest.raises(ValidationError) as exc:
        _deliver(w, delivered_on=dt.date(2025, 12, 31))
    assert "outside the agreement's term" in exc.value.message_dict["delivered_on"][0]
    with pytest.raises(ValidationError) as exc:
        _deliver(w, package=f.package(w["c"], prov=w["pkg"].provider))
    assert spaces.NOT_NAMED in exc.value.message_dict["package"][0]
    with pytest.raises(ValidationError) as exc:
        _deliver(w, tier="low_cost")
    assert "package" in exc.value.message_dict
    assert not Delivery.objects.exists()


def test_nobody_confirms_their_own_delivery_record(world):
    w = world
    d = _deliver(w, user=w["officer"])
    assert d.entered_as == "officer"
    with pytest.raises(ValidationError) as exc:
        spaces.delivery_confirm(delivery=d, user=w["officer"])
    assert spaces.OWN_RECORD in exc.value.message_dict["confirmed_by"][0]
    d.refresh_from_db()
    assert d.confirmed_by is None
    with pytest.raises(PermissionError):
        spaces.delivery_confirm(delivery=d, user=w["staff"])  # staff is no confirmer
    spaces.delivery_confirm(delivery=d, user=w["rep"])
    d.refresh_from_db()
    assert d.confirmed_as == "resident"


def test_a_stranger_cannot_enter_a_delivery(world):
    with pytest.raises(PermissionError):
        _deliver(world, user=f.user("stranger"))


def test_the_rent_is_posted_to_its_own_income_account_not_split(world):
    w = world
    fund_before = Account.objects.get(book=w["c"].book, code=FUND_ACCOUNT).credit_fen
    rent = spaces.rent_record(
        agreement=w["a"],
        amount=Money("1.00", "CNY"),
        method="cash",
        reference="ZJ-1",
        paid_on=dt.date(2026, 1, 2),
        user=w["officer"],
    )
    lines = {ln.account.code: ln.amount_fen for ln in rent.entry.lines.select_related("account")}
    assert lines == {"1001": 100, SPACE_RENT_ACCOUNT: -100}
    assert Account.objects.get(book=w["c"].book, code=FUND_ACCOUNT).credit_fen == fund_before
    assert "不参与70/25/5分成" in rent.entry.memo
    with pytest.raises(ValidationError) as exc:  # more than the agreement's rent
        spaces.rent_record(
            agreement=w["a"],
            amount=Money("1.00", "CNY"),
            method="cash",
            reference="ZJ-2",
            paid_on=dt.date(2026, 1, 3),
            user=w["officer"],
        )
    assert "amount" in exc.value.message_dict
    assert RentPayment.objects.count() == 1


def test_the_meter_counts_only_confirmed_deliveries(world):
    w = world
    for day in (1, 2, 3):
        d = _deliver(w, delivered_on=dt.date(2026, 5, day))
        if day < 3:
            spaces.delivery_confirm(delivery=d, user=w["rep"])
    this, total = selectors.figures(w["a"], dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert (this.units_owed, this.units_delivered) == (4, 2)
    assert this.value_owed_fen == 4 * 8000 and this.value_delivered_fen == 2 * 8000
    assert this.rent_forgone_fen == 300000
    assert total.units_owed == 20  # January to May
    doc = selectors.agreement_doc(w["a"], dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert doc["this_month"] == {
        "sessions_owed": 4,
        "sessions_delivered": 2,
        "value_owed": "320.00",
        "value_delivered": "160.00",
        "rent_forgone": "3000.00",
    }
    assert doc["rent"]["split"] is False
    assert all("entered_by" not in d for d in doc["deliveries"])


@given(
    per_month=st.integers(1, 500),
    start_day=st.integers(1, 28),
    price=st.integers(0, 10**6),
)
def test_a_full_month_owes_the_whole_obligation_and_a_part_month_no_more(
    per_month, start_day, price
):
    owed = [meter.Owed(1, per_month, price)]
    kw = {
        "ends": dt.date(2030, 1, 1),
        "through": dt.date(2030, 1, 1),
        "owed": owed,
        "done": [],
        "market_rent_month_fen": 100000,
    }
    full = meter.month_figures(dt.date(2026, 3, 1), starts=dt.date(2026, 3, 1), **kw)
    assert full.units_owed == per_month and full.value_owed_fen == per_month * price
    part = meter.month_figures(dt.date(2026, 3, 1), starts=dt.date(2026, 3, start_day), **kw)
    assert 0 <= part.units_owed <= per_month
    assert part.rent_forgone_fen <= 100000


def test_the_refusal_reads_in_chinese_for_a_chinese_officer(world):
    w = world
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        _deliver(w, delivered_on=dt.date(2025, 12, 31))
    assert exc.value.message_dict["delivered_on"] == [
        "2025-12-31不在协议期限内（2026-01-01至2026-12-31）。"
    ]
