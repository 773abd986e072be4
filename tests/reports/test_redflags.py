"""Each red-flag rule raises on the pattern it looks for and stays quiet otherwise."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from reports.redflags import rules as rf

T0 = dt.datetime(2026, 3, 2, 10, 0)
P = dict(rf.RULE_DEFAULTS, today=dt.date(2026, 3, 31), one_reviewer_up_to=Decimal("2000"))


def d(
    i,
    amount="1000.00",
    payee="甲公司",
    account="",
    days=0,
    approved_after=None,
    paid=True,
    invoice="",
    invoice_date=None,
    attachments=("h1",),
):
    requested = T0 + dt.timedelta(days=days)
    approved = requested + approved_after if approved_after is not None else None
    return rf.DisbursementFact(
        i,
        payee,
        account,
        Decimal(amount),
        requested,
        approved,
        paid,
        invoice,
        invoice_date,
        tuple(attachments),
    )


def inc(
    i,
    amount="100.00",
    payer="张三",
    package="YL",
    provider="P1",
    minutes=0,
    recorded_after=dt.timedelta(minutes=30),
    by="officer",
    reversed_=False,
    hour=None,
):
    paid = T0 + dt.timedelta(minutes=minutes)
    recorded = paid + recorded_after
    if hour is not None:
        recorded = recorded.replace(hour=hour)
    return rf.IncomeFact(
        i, f"R{i}", payer, package, provider, Decimal(amount), paid, recorded, by, reversed_
    )


def rules(flags):
    return sorted({f.rule for f in flags})


def test_duplicate_attachment():
    assert rules(
        rf.duplicate_attachments([d(1, attachments=("x",)), d(2, attachments=("x",))])
    ) == ["duplicate_attachment"]
    assert rf.duplicate_attachments([d(1, attachments=("x",)), d(2, attachments=("y",))]) == []


def test_duplicate_invoice():
    same = dict(invoice="FP-1", invoice_date=dt.date(2026, 3, 1))
    assert rules(rf.duplicate_invoices([d(1, **same), d(2, **same)])) == ["duplicate_invoice"]
    assert rf.duplicate_invoices([d(1, **same), d(2, amount="999.00", **same)]) == []
    assert rf.duplicate_invoices([d(1), d(2)]) == []  # no invoice numbers: nothing to match


def test_duplicate_payment_within_minutes():
    assert rules(rf.duplicate_payments([inc(1), inc(2, minutes=5)], **P)) == ["duplicate_payment"]
    assert rf.duplicate_payments([inc(1), inc(2, minutes=60)], **P) == []
    assert rf.duplicate_payments([inc(1), inc(2, minutes=5, payer="李四")], **P) == []


def test_split_payments_just_under_the_limit():
    run = [d(1, "1900.00", days=0), d(2, "1950.00", days=10), d(3, "1800.00", days=20)]
    flags = rf.split_payments(run, **P)
    assert rules(flags) == ["split_payment"] and len(flags[0].evidence) >= 2
    assert rf.split_payments([d(1, "1900.00"), d(2, "1900.00", days=45)], **P) == []
    assert rf.split_payments([d(1, "500.00"), d(2, "600.00", days=1)], **P) == []
    assert rf.split_payments([d(1, "1900.00"), d(2, "1900.00", payee="乙", days=1)], **P) == []


def test_no_supporting_document():
    assert rules(rf.no_evidence([d(1, attachments=())])) == ["no_evidence"]
    assert rf.no_evidence([d(1), d(2, attachments=(), paid=False)]) == []


def test_one_account_for_several_payees():
    assert rules(
        rf.shared_accounts(
            [d(1, payee="甲", account="6222 0001"), d(2, payee="乙", account="62220001")]
        )
    ) == ["shared_account"]
    assert (
        rf.shared_accounts([d(1, payee="甲", account="6222"), d(2, payee="甲", account="6222")])
        == []
    )


def test_amount_outlier():
    normal = [d(i, f"{1000 + i * 10}.00") for i in range(10)]
    assert rules(rf.amount_outliers([*normal, d(99, "9000.00")], **P)) == ["amount_outlier"]
    assert rf.amount_outliers(normal, **P) == []
    assert rf.amount_outliers([d(1, "1.00"), d(2, "9000.00")], **P) == []  # too few to judge


def test_round_numbers():
    rounds = [d(i, f"{(i + 1) * 100}.00") for i in range(12)]
    assert rules(rf.round_numbers(rounds, **P)) == ["round_numbers"]
    repeated = [d(i, f"{(i + 1) * 100 + 37}.45") for i in range(12)]
    assert rules(rf.round_numbers(repeated, **P)) == ["repeated_ending"]
    rng = random.Random(3)
    natural = [d(i, f"{rng.randint(100, 5000)}.{rng.randint(0, 99):02d}") for i in range(12)]
    assert rf.round_numbers(natural, **P) == []


def test_recorded_at_night_or_on_a_weekend_one_flag_per_officer_and_month():
    flags = rf.off_hours([inc(1, hour=23), inc(2, hour=2)], **P)
    assert rules(flags) == ["off_hours"] and len(flags) == 1 and len(flags[0].evidence) == 2
    saturday = inc(3, minutes=5 * 24 * 60)  # T0 is a Monday
    assert rules(rf.off_hours([saturday], **P)) == ["off_hours"]
    assert rf.off_hours([inc(1, hour=15)], **P) == []
    assert rules(rf.off_hours([inc(1, hour=15)], holidays={T0.date()}, **P)) == ["off_hours"]


def test_backdating():
    assert rules(rf.backdating([inc(1, recorded_after=dt.timedelta(days=45))], **P)) == [
        "backdated"
    ]
    assert rf.backdating([inc(1, recorded_after=dt.timedelta(days=3))], **P) == []


def test_high_reversal_rate_for_one_officer():
    items = [inc(i, by="甲", reversed_=i < 3) for i in range(30)]
    assert rules(rf.reversal_rates(items, **P)) == ["reversal_rate"]
    items = [inc(i, by="乙", reversed_=i < 1) for i in range(30)]
    assert rf.reversal_rates(items, **P) == []


def test_very_quick_approval():
    assert rules(rf.quick_approvals([d(1, approved_after=dt.timedelta(seconds=40))], **P)) == [
        "quick_approval"
    ]
    assert rf.quick_approvals([d(1, approved_after=dt.timedelta(hours=3))], **P) == []


def test_concentration_on_one_payee():
    ds = [d(1, "9000.00", payee="甲"), d(2, "500.00", payee="乙"), d(3, "500.00", payee="丙")]
    assert rules(rf.concentration(ds, **P)) == ["concentration"]
    even = [d(1, payee="甲"), d(2, payee="乙"), d(3, payee="丙")]
    assert rf.concentration(even, **P) == []


def test_income_stops_while_provider_is_paid():
    settled = [rf.SettlementFact("P1", dt.date(2026, 3, 20))]
    old = inc(1, minutes=-100 * 24 * 60)
    assert rules(rf.stopped_packages([old], settled, **P)) == ["stopped_income"]
    assert rf.stopped_packages([inc(2)], settled, **P) == []


def test_benford_by_mean_absolute_deviation():
    rng = random.Random(7)
    natural = [Decimal(str(round(10 ** rng.uniform(1, 5), 2))) for _ in range(1000)]
    assert rf.benford_band(rf.benford_mad(natural)) in {"close", "acceptable"}
    assert rf.benford(natural, scope="x", **P) == []
    invented = [Decimal(rng.choice(["500", "600", "700", "800", "900"])) for _ in range(400)]
    assert rules(rf.benford(invented, scope="x", **P)) == ["benford"]
    assert rf.benford(invented[:100], scope="x", **P) == []  # too few amounts to judge


@pytest.mark.parametrize(
    ("mad", "band"),
    [(0.005, "close"), (0.01, "acceptable"), (0.014, "marginal"), (0.02, "nonconforming")],
)
def test_nigrini_bands(mad, band):
    assert rf.benford_band(mad) == band


def test_flags_have_stable_keys_for_the_same_evidence():
    ds = [d(1, attachments=("x",)), d(2, attachments=("x",))]
    assert [f.key for f in rf.duplicate_attachments(ds)] == [
        f.key for f in rf.duplicate_attachments(list(reversed(ds)))
    ]
