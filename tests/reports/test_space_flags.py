"""The space red flags as pure rules: each raises on its scheme and stays quiet otherwise."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reports.redflags import spaces as rules
from reports.redflags.spaces import AgreementFact, MonthFact

TODAY = dt.date(2026, 6, 10)


def fact(id=1, months=(), **kw):
    base = {
        "id": id,
        "number": f"A{id}",
        "space": "活动室",
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
        "decision_item": id,
        "decision_held_on": dt.date(2025, 12, 20),
        "months": tuple(months),
    }
    return AgreementFact(**{**base, **kw})


def month(m, owed, done):
    return MonthFact(dt.date(2026, m, 1), owed * 100, done * 100, owed, done)


def screen(*facts, **kw):
    return rules.screen(list(facts), today=TODAY, **kw)


def test_shortfall_needs_two_ended_months_running_below_the_share():
    one = fact(months=[month(3, 4, 4), month(4, 4, 1), month(5, 4, 4)])
    assert not screen(one)
    two = fact(months=[month(3, 4, 4), month(4, 4, 1), month(5, 5, 4)])
    assert not screen(two)  # May: 20 % short, not more than the 20 % allowed
    lagging = fact(months=[month(4, 4, 2), month(5, 4, 3)])
    flags = screen(lagging)
    assert [f.rule for f in flags] == ["space_shortfall"] and flags[0].params["months"] == 2
    # The month under way has not ended: it does not count yet.
    assert not screen(fact(months=[month(5, 4, 0), month(6, 4, 0)]))
    # A stricter share is a setting.
    assert screen(two, space_shortfall_share=Decimal("0.1"))[0].rule == "space_shortfall"


@given(st.lists(st.tuples(st.integers(1, 20), st.integers(0, 20)), min_size=1, max_size=5))
def test_full_delivery_never_raises_a_shortfall(rows):
    months = [month(m + 1, owed, owed + extra % 3) for m, (owed, extra) in enumerate(rows)]
    assert not [f for f in screen(fact(months=months)) if f.rule == "space_shortfall"]


def test_a_renewal_reusing_a_decision_or_decided_after_its_start_is_flagged():
    first = fact(1, decision_item=7)
    renewal = fact(2, decision_item=7, starts_on=dt.date(2027, 1, 1), follows=1)
    late = fact(3, decision_item=9, decision_held_on=dt.date(2026, 2, 1))
    flags = {f.subject for f in screen(first, renewal, late) if f.rule == "space_no_decision"}
    assert flags == {"A2", "A3"}


def test_paid_income_far_above_the_agreement_is_private_business():
    quiet = fact(paid_foreseen_month=100000, paid_income={dt.date(2026, 3, 1): 150000})
    assert not screen(quiet)
    loud = fact(paid_foreseen_month=100000, paid_income={dt.date(2026, 3, 1): 250000})
    assert [f.rule for f in screen(loud)] == ["space_private_business"]


def test_deliveries_confirmed_by_the_operators_staff_are_flagged():
    ok = fact(confirmations=((1, dt.date(2026, 3, 2), False),))
    assert not screen(ok)
    own = fact(confirmations=((1, dt.date(2026, 3, 2), False), (2, dt.date(2026, 3, 3), True)))
    flags = screen(own)
    assert [f.rule for f in flags] == ["space_self_confirmed"]
    assert flags[0].refs == {"space_delivery:2"}
