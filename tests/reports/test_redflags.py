"""Each red-flag rule raises on the scheme it looks for and stays quiet on the honest
variant of the same pattern; keys name stable objects only."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.lib import workcalendar
from fundmgr.lib.names import normal_account, normal_invoice, normal_name
from reports.redflags import rules as rf

T0 = dt.datetime(2026, 3, 2, 10, 0)  # a Monday
CAL = workcalendar.build()
P = dict(
    rf.RULE_DEFAULTS,
    today=dt.date(2026, 3, 31),
    one_reviewer_up_to=Decimal("2000"),
    committee_from=Decimal("20000"),
    calendar=CAL,
)


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
    docs=(),
    by="officer",
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
        requested_by=by,
        approvers=("reviewer",) if approved else (),
        documents=tuple(docs),
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
    reversed_at=None,
    hour=None,
    tier="paid",
    quantity=1,
    price="100.00",
    both=True,
    paid_at=None,
):
    paid = paid_at or T0 + dt.timedelta(minutes=minutes)
    recorded = paid + recorded_after
    if hour is not None:
        recorded = recorded.replace(hour=hour)
    return rf.IncomeFact(
        i,
        f"R{i}",
        payer,
        package,
        provider,
        Decimal(amount),
        paid,
        recorded,
        by,
        reversed_at is not None,
        tier=tier,
        quantity=quantity,
        list_price=Decimal(price) if price else None,
        both_tiers=both,
        reversed_at=reversed_at,
        reversed_by=by if reversed_at else "",
    )


def rules(flags):
    return sorted({f.rule for f in flags})


# --- skimming on sales ------------------------------------------------------------------
def test_a_sale_below_the_listed_price_is_flagged_per_officer_and_month():
    flags = rf.below_list_price([inc(1, "80.00"), inc(2, "70.00", minutes=60)], **P)
    assert rules(flags) == ["below_list_price"] and flags[0].key == "underprice:officer:2026-03"
    assert len(flags[0].evidence) == 2


def test_sales_at_the_listed_price_times_quantity_are_quiet():
    honest = [
        inc(1, "100.00"),
        inc(2, "300.00", quantity=3),
        inc(3, "30.00", tier="low_cost", price="30.00"),
        inc(4, "12.00", tier="public_benefit", price="80.00"),
    ]
    assert rf.below_list_price(honest, **P) == []


def test_a_price_every_officer_records_is_a_price_change_not_skimming():
    lower = [inc(n, "90.00", by=f"o{n % 3}", minutes=n) for n in range(9)]
    assert rf.below_list_price(lower, **P) == []


def _sales(who, n, low_share, rng, start=0):
    return [
        inc(
            start + k,
            "30.00" if low else "100.00",
            by=who,
            minutes=start + k,
            tier="low_cost" if low else "paid",
            price="30.00" if low else "100.00",
            payer=f"p{start + k}",
        )
        for k in range(n)
        for low in [rng.random() < low_share]
    ]


def test_an_officer_recording_far_more_low_cost_sales_than_peers_is_flagged():
    rng = random.Random(4)
    honest = _sales("甲", 300, 0.3, rng) + _sales("乙", 300, 0.3, rng, start=1000)
    cheat = _sales("丙", 200, 0.6, rng, start=2000)
    flags = rf.low_cost_share(honest + cheat, **P)
    assert [f.key for f in flags] == ["lowcost:丙"]
    assert "丙" in flags[0].explanation and flags[0].basis


@pytest.mark.parametrize("seed", range(5))
def test_peers_with_the_same_low_cost_share_are_quiet(seed):
    rng = random.Random(seed)
    sales = [
        s for n, who in enumerate("甲乙丙丁") for s in _sales(who, 300, 0.3, rng, start=1000 * n)
    ]
    assert rf.low_cost_share(sales, **P) == []


def test_a_reversal_followed_by_a_cheaper_re_recording_is_flagged():
    original = inc(1, "100.00", reversed_at=T0 + dt.timedelta(hours=5))
    again = inc(
        2,
        "30.00",
        tier="low_cost",
        price="30.00",
        payer="张 三",
        recorded_after=dt.timedelta(hours=5, minutes=3),
    )
    flags = rf.rerecorded_lower([original, again], **P)
    assert rules(flags) == ["rerecorded_lower"] and flags[0].key == "rerecord:R1"


def test_honest_corrections_by_reversal_are_quiet():
    fixed_method = [
        inc(1, reversed_at=T0 + dt.timedelta(hours=1)),
        inc(2, recorded_after=dt.timedelta(hours=1, minutes=2)),
    ]
    fixed_quantity = [
        inc(3, "200.00", quantity=2, reversed_at=T0 + dt.timedelta(hours=1)),
        inc(4, "100.00", recorded_after=dt.timedelta(hours=1, minutes=2)),
    ]
    weeks_later = [
        inc(5, reversed_at=T0 + dt.timedelta(hours=1)),
        inc(6, "30.00", tier="low_cost", price="30.00", recorded_after=dt.timedelta(days=20)),
    ]
    assert rf.rerecorded_lower(fixed_method + fixed_quantity + weeks_later, **P) == []


def test_duplicate_payment_within_minutes_but_not_when_one_was_reversed():
    assert rules(rf.duplicate_payments([inc(1), inc(2, minutes=5)], **P)) == ["duplicate_payment"]
    corrected = [inc(1), inc(2, minutes=5, reversed_at=T0 + dt.timedelta(hours=1))]
    assert rf.duplicate_payments(corrected, **P) == []
    assert rf.duplicate_payments([inc(1), inc(2, minutes=60)], **P) == []
    assert rf.duplicate_payments([inc(1), inc(2, minutes=5, payer="李四")], **P) == []
    orders = [
        inc(1, tier="public_benefit", payer="街道办"),
        inc(2, minutes=3, tier="public_benefit", payer="街道办"),
    ]
    assert rf.duplicate_payments(orders, **P) == []


def test_false_voids_against_peers_and_not_corrections():
    voids = [
        inc(i, by="甲", payer=f"p{i}", reversed_at=T0 + dt.timedelta(days=3) if i < 4 else None)
        for i in range(40)
    ]
    peers = [inc(100 + i, by="乙", payer=f"q{i}") for i in range(40)]
    flags = rf.reversal_rates(voids + peers, **P)
    assert [f.key for f in flags] == ["rev:甲"] and len(flags[0].evidence) == 4
    redone = [
        inc(200 + i, by="甲", payer=f"p{i}", recorded_after=dt.timedelta(days=3, minutes=5))
        for i in range(4)
    ]
    assert rf.reversal_rates(voids + peers + redone, **P) == []


def test_income_recorded_twelve_working_days_late_is_back_dated():
    late = [inc(i, recorded_after=dt.timedelta(days=14 + i), minutes=i) for i in range(3)]
    flags = rf.backdating(late, **P)
    assert rules(flags) == ["backdated"] and len(flags[0].evidence) == 3
    assert flags[0].key.startswith("backdate:officer:")


def test_a_holiday_week_is_not_a_delay():
    # Paid on the eve of the 2026 Spring Festival holiday, recorded when work resumed.
    eve = dt.datetime(2026, 2, 13, 16)
    resumed = dt.datetime(2026, 2, 24, 9) - eve
    assert rf.backdating([inc(1, paid_at=eve, recorded_after=resumed)], **P) == []
    assert rf.backdating([inc(1, recorded_after=dt.timedelta(days=3))], **P) == []


def test_night_and_holiday_work_but_not_the_official_working_saturday():
    holiday = dt.datetime(2026, 10, 3, 10)  # National Day
    odd = [inc(i, paid_at=holiday, recorded_after=dt.timedelta(minutes=i)) for i in range(3)]
    flags = rf.off_hours(odd, **P)
    assert [f.key for f in flags] == ["hours:officer:2026-10"]
    working_saturday = dt.datetime(2026, 9, 20, 10)  # 调休
    assert CAL.is_workday(working_saturday.date())
    worked = [
        inc(i, paid_at=working_saturday, recorded_after=dt.timedelta(minutes=i)) for i in range(5)
    ]
    assert rf.off_hours(worked, **P) == []
    assert rf.off_hours([inc(1, hour=23), inc(2, hour=2)], **P) == []  # fewer than three


def test_night_reversals_count_for_whoever_reversed():
    night = dt.datetime(2026, 3, 4, 23, 30)
    items = [inc(i, reversed_at=night + dt.timedelta(minutes=i)) for i in range(3)]
    flags = rf.off_hours(items, **P)
    assert flags and {e["ref"] for e in flags[0].evidence} == {f"reversal:{i}" for i in range(3)}


# --- payouts ----------------------------------------------------------------------------
def test_split_under_the_one_reviewer_limit():
    run = [d(1, "1900.00"), d(2, "1950.00", days=2), d(3, "1800.00", days=4)]
    flags = rf.split_payments(run, **P)
    assert [f.key for f in flags] == ["split:one:甲公司"] and len(flags[0].evidence) == 3


def test_split_under_the_committee_limit():
    flags = rf.split_payments([d(1, "18500.00"), d(2, "19000.00", days=3)], **P)
    assert [f.key for f in flags] == ["split:committee:甲公司"]


def test_regular_payments_a_month_apart_and_small_ones_are_not_splits():
    assert rf.split_payments([d(1, "1900.00"), d(2, "1900.00", days=31)], **P) == []
    assert rf.split_payments([d(1, "500.00"), d(2, "600.00", days=1)], **P) == []
    assert rf.split_payments([d(1, "1900.00"), d(2, "1900.00", payee="乙", days=1)], **P) == []


def test_round_grants_to_one_payee_but_not_a_fixed_rent_or_one_grant_each():
    honest = [d(10 + n, "1000.00", payee=f"学生{n}") for n in range(5)]
    rent = [d(20 + n, "3000.00", payee="活动中心", days=30 * n) for n in range(6)]
    grants = [
        d(n, a, payee="李建国", days=9 * n)
        for n, a in enumerate(["3000.00", "2000.00", "5000.00", "3000.00"])
    ]
    flags = rf.round_grants(honest + rent + grants, **P)
    assert [f.key for f in flags] == ["round:李建国"]
    assert rf.round_grants(honest + rent, **P) == []


def test_benford_only_on_payments_spread_over_orders_of_magnitude():
    rng = random.Random(7)
    natural = [d(i, f"{10 ** rng.uniform(1.5, 4.5):.2f}") for i in range(400)]
    assert rf.benford_disbursements(natural, **P) == []
    invented = natural[:100] + [
        d(1000 + i, f"{rng.randint(500, 999)}.00", days=i) for i in range(150)
    ]
    flags = rf.benford_disbursements(invented, **P)
    assert [f.key for f in flags] == ["benford:disbursements"] and "incomes" in flags[0].basis
    narrow = [d(i, f"{rng.randint(500, 999)}.00") for i in range(200)]
    assert rf.benford_disbursements(narrow, **P) == []  # one order of magnitude: no test
    assert rf.benford_disbursements(invented[:50], **P) == []  # too few


def test_chi_square_survival_matches_known_values():
    assert rf.chi2_sf_8(15.507) == pytest.approx(0.05, abs=1e-3)
    assert rf.chi2_sf_8(26.124) == pytest.approx(0.001, abs=1e-4)


def test_an_invoice_number_used_twice_whatever_the_amount_or_date():
    flags = rf.duplicate_invoices(
        [
            d(1, invoice="FP-00118", invoice_date=dt.date(2026, 3, 1)),
            d(2, "999.00", invoice="fp 118", invoice_date=dt.date(2026, 3, 9)),
        ],
        **P,
    )
    assert [f.key for f in flags] == ["invoice:FP118"]
    assert "amount" in flags[0].explanation and "date" in flags[0].explanation


def test_two_sellers_numbering_alike_are_quiet():
    assert (
        rf.duplicate_invoices(
            [
                d(1, "356.00", payee="甲", invoice="00012345"),
                d(2, "88.50", payee="乙", invoice="12345"),
            ],
            **P,
        )
        == []
    )
    assert rf.duplicate_invoices([d(1), d(2)], **P) == []


def test_the_same_evidence_file_exact_or_re_saved():
    exact = [d(1, attachments=("x",)), d(2, attachments=("x",))]
    assert rules(rf.duplicate_attachments(exact)) == ["duplicate_attachment"]
    text = [
        d(1, docs=[rf.DocumentFact(1, "invoice", "a", text_digest="t")]),
        d(2, docs=[rf.DocumentFact(2, "invoice", "b", text_digest="t")]),
    ]
    assert rules(rf.duplicate_attachments(text)) == ["duplicate_attachment"]
    near = "f" * 63 + "e"
    image = [
        d(1, docs=[rf.DocumentFact(1, "invoice", "a", image_hash="f" * 64)]),
        d(2, docs=[rf.DocumentFact(2, "invoice", "b", image_hash=near)]),
    ]
    assert rules(rf.duplicate_attachments(image)) == ["duplicate_attachment"]


def test_different_files_and_shared_minutes_are_quiet():
    assert rf.duplicate_attachments([d(1, attachments=("x",)), d(2, attachments=("y",))]) == []
    minutes = [
        d(1, docs=[rf.DocumentFact(1, "minutes", "m")]),
        d(2, docs=[rf.DocumentFact(2, "minutes", "m")]),
    ]
    assert rf.duplicate_attachments(minutes) == []
    far = [
        d(1, docs=[rf.DocumentFact(1, "invoice", "a", image_hash="0" * 64)]),
        d(2, docs=[rf.DocumentFact(2, "invoice", "b", image_hash="0" * 56 + "f" * 8)]),
    ]
    assert rf.duplicate_attachments(far) == []


def test_keys_do_not_depend_on_order_or_on_more_evidence():
    ds = [d(1, attachments=("x",)), d(2, attachments=("x",))]
    key = [f.key for f in rf.duplicate_attachments(ds)]
    assert key == [f.key for f in rf.duplicate_attachments(list(reversed(ds)))]
    assert key == [f.key for f in rf.duplicate_attachments([*ds, d(3, attachments=("x",))])]


def test_payee_matching_staff_or_declared_relatives_and_accounts():
    people = [
        rf.PersonFact(
            "li",
            "秀英 李",
            "秀英",
            "李",
            (("spouse", "张伟", ""), ("self", "", "6222 0300 1234 5678")),
        )
    ]
    ds = [d(1, payee="張 偉"), d(2, payee="李秀英"), d(3, payee="周某", account="6222030012345678")]
    flags = rf.payee_conflicts(ds, people=people)
    assert sorted(f.key for f in flags) == ["coi:周某", "coi:张伟", "coi:李秀英"]
    honest = [d(4, payee="李小明"), d(5, payee="张伟强"), d(6, payee="周某", account="6222")]
    assert rf.payee_conflicts(honest, people=people) == []


def test_no_supporting_document_and_shared_accounts():
    assert rules(rf.no_evidence([d(1, attachments=())])) == ["no_evidence"]
    assert rf.no_evidence([d(1), d(2, attachments=(), paid=False)]) == []
    assert rules(
        rf.shared_accounts(
            [d(1, payee="甲", account="6222 0001"), d(2, payee="乙", account="62220001")]
        )
    ) == ["shared_account"]
    assert (
        rf.shared_accounts([d(1, payee="甲", account="6222"), d(2, payee="甲 ", account="6222")])
        == []
    )


def test_rubber_stamp_reviews():
    quick = [d(i, approved_after=dt.timedelta(seconds=40), days=i) for i in range(3)]
    assert rules(rf.quick_approvals(quick, **P)) == ["quick_approval"]
    assert rf.quick_approvals(quick[:2], **P) == []
    assert rf.quick_approvals([d(1, approved_after=dt.timedelta(hours=3))], **P) == []


def test_concentration_on_one_payee():
    ds = [d(1, "9000.00", payee="甲")] + [d(i, "500.00", payee=f"乙{i}") for i in range(2, 6)]
    assert rules(rf.concentration(ds, **P)) == ["concentration"]
    assert rf.concentration([d(i, payee=f"丙{i}") for i in range(6)], **P) == []


def test_a_final_settlement_after_income_stops_is_quiet_a_second_one_is_not():
    last = inc(1, paid_at=dt.datetime(2026, 1, 10, 10))
    final = rf.SettlementFact("P1", dt.date(2026, 4, 10), 1)
    assert rf.stopped_packages([last], [final], **P) == []
    more = rf.SettlementFact("P1", dt.date(2026, 5, 10), 2)
    assert rules(rf.stopped_packages([last], [final, more], **P)) == ["stopped_income"]
    earning = [last, inc(2, paid_at=dt.datetime(2026, 4, 1, 10))]
    assert rf.stopped_packages(earning, [final], **P) == []


# --- helpers, exhaustively --------------------------------------------------------------
@given(st.text(alphabet="张王李伟秀英 　·ABCａｂｃ", min_size=1, max_size=8))
def test_normal_names_ignore_spacing_and_width(name):
    spaced = " ".join(name)
    assert normal_name(spaced) == normal_name(name)
    assert normal_name(name) == normal_name(normal_name(name))


@given(st.from_regex(r"[0-9]{4,19}", fullmatch=True))
def test_accounts_and_invoices_ignore_spaces_and_full_width_digits(digits):
    wide = "".join(chr(ord(c) + 0xFEE0) for c in digits)
    assert normal_account(" ".join(digits)) == normal_account(wide) == digits
    assert normal_invoice(f"00{digits}") == normal_invoice(digits)


@given(st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_the_calendar_knows_2026_and_weekends_are_off_unless_adjusted(day):
    assert CAL.known(day)
    if day.weekday() >= 5 and not CAL.is_adjusted_workday(day):
        assert not CAL.is_workday(day)
    if CAL.is_holiday(day):
        assert not CAL.is_workday(day)


def test_the_calendar_override_fills_a_year_the_package_does_not_know():
    assert not CAL.known(dt.date(2099, 1, 1))
    cal = workcalendar.build({"2099": {"holidays": ["2099-01-01"], "workdays": ["2099-01-03"]}})
    assert cal.known(dt.date(2099, 1, 1)) and not cal.is_workday(dt.date(2099, 1, 1))
    assert cal.is_workday(dt.date(2099, 1, 3))  # a Saturday made a working day
    assert cal.workdays_between(dt.date(2099, 1, 1), dt.date(2099, 1, 5)) == 3


@given(st.lists(st.integers(min_value=1, max_value=1999_00), min_size=0, max_size=12), st.randoms())
def test_split_keys_are_stable_whatever_the_order(fen, rnd):
    ds = [d(i, f"{Decimal(f).scaleb(-2):.2f}", days=i % 5) for i, f in enumerate(fen)]
    shuffled = list(ds)
    rnd.shuffle(shuffled)
    assert {f.key for f in rf.split_payments(ds, **P)} == {
        f.key for f in rf.split_payments(shuffled, **P)
    }
