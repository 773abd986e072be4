"""The check of meaning's ledger half: day-end balances below zero, and what a payment
dated on a day may take out given every later day."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import services
from ledger.meaning import imbalance_fen, lowest_from, overdrafts, shortfalls
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date(2026, 3, 1)


def pay(b, amount: str, on: dt.date, frm: str = "1001", to: str = "2201"):
    """Dr `to` (a payable settled) / Cr `frm` (the cash that pays it)."""
    return services.post(
        book=b,
        date=on,
        memo="结算",
        actor="officer",
        legs=[
            services.debit(f.account(b, to), f.cny(amount)),
            services.credit(f.account(b, frm), f.cny(amount)),
        ],
    )


def test_a_back_dated_payment_overdraws_every_later_day_and_is_named_on_its_first():
    b = f.book()
    f.income(b, "100.00", "70.00", "25.00", "5.00", date=D)
    pay(b, "60.00", D + dt.timedelta(days=9))  # cash 40, provider payable 10
    f.income(b, "100.00", "70.00", "25.00", "5.00", date=D + dt.timedelta(days=20))
    assert overdrafts(b) == []
    # Paid on the 5th, recorded later: on the 5th cash held 100 and the provider was owed
    # 70, but from the 10th on there were only 40 and 10 left.
    pay(b, "50.00", D + dt.timedelta(days=4))
    found = overdrafts(b)
    assert [(o.account, o.date, o.balance_fen) for o in found] == [
        ("1001", D + dt.timedelta(days=9), -1000),
        ("2201", D + dt.timedelta(days=9), -4000),
    ]
    assert imbalance_fen(b) == 0


def test_lowest_from_looks_at_the_day_and_every_later_one():
    b = f.book()
    f.income(b, "100.00", date=D)
    pay(b, "60.00", D + dt.timedelta(days=9))
    f.income(b, "100.00", date=D + dt.timedelta(days=20))
    cash = f.account(b, "1001")
    assert lowest_from(b, cash, D) == lowest_from(b, cash, D + dt.timedelta(days=9))
    assert lowest_from(b, cash, D).balance_fen == 4000
    assert lowest_from(b, cash, D).date == D + dt.timedelta(days=9)
    assert lowest_from(b, cash, D + dt.timedelta(days=20)).balance_fen == 14000
    assert lowest_from(b, cash, D - dt.timedelta(days=1)).balance_fen == 0
    [short] = shortfalls(b, [(cash, 4001), (f.account(b, "2201"), 100)], D)
    assert short.account == cash and short.short_fen == 1
    assert short.lowest.date == D + dt.timedelta(days=9)


def receive(b, amount: str, on: dt.date):
    """Dr cash / Cr the provider's payable: money in, owed on."""
    return services.post(
        book=b,
        date=on,
        memo="收入",
        actor="officer",
        legs=[
            services.debit(f.account(b, "1001"), f.cny(amount)),
            services.credit(f.account(b, "2201"), f.cny(amount)),
        ],
    )


# Each step: (day offset, money in?, fen), posted in this order whatever its date.
steps = st.lists(
    st.tuples(st.integers(0, 40), st.booleans(), st.integers(1, 50_000)), min_size=1, max_size=12
)


@settings(max_examples=25, deadline=None)
@given(steps=steps, probe=st.integers(-1, 42))
def test_lowest_from_is_the_minimum_day_end_balance_from_that_day(steps, probe):
    b = f.book()
    for offset, money_in, fen in steps:
        amount, on = f"{fen // 100}.{fen % 100:02d}", D + dt.timedelta(days=offset)
        (receive if money_in else pay)(b, amount, on)

    def end_of(day: int) -> int:  # the cash balance at the end of day D + `day`, by hand
        return sum(fen if money_in else -fen for off, money_in, fen in steps if off <= day)

    later = [end_of(d) for d in range(max(probe, 0), 41)]
    lowest = min([end_of(probe)] + later) if probe >= 0 else min([0] + later)
    assert lowest_from(b, f.account(b, "1001"), D + dt.timedelta(days=probe)).balance_fen == lowest
    negative_days = [d for d in range(41) if end_of(d) < 0]
    found = overdrafts(b, ["1001"])
    assert (
        [o.date for o in found] == [D + dt.timedelta(days=negative_days[0])]
        if negative_days
        else found == []
    )


def test_a_window_sees_an_overdraft_carried_into_it_but_not_one_healed_before_it():
    b = f.book()
    pay(b, "10.00", D)  # cash -10 from the 1st ...
    f.income(b, "100.00", date=D + dt.timedelta(days=4))  # ... healed on the 5th
    pay(b, "200.00", D + dt.timedelta(days=20))  # -110 from the 21st, never healed
    assert [o.date for o in overdrafts(b, ["1001"])] == [D]
    assert (
        overdrafts(b, ["1001"], since=D + dt.timedelta(days=5), through=D + dt.timedelta(days=19))
        == []
    )
    [carried] = overdrafts(b, ["1001"], since=D + dt.timedelta(days=25))
    assert (carried.date, carried.balance_fen) == (D + dt.timedelta(days=25), -11000)
    [early] = overdrafts(
        b, ["1001"], since=D + dt.timedelta(days=2), through=D + dt.timedelta(days=30)
    )
    assert (early.date, early.balance_fen) == (D + dt.timedelta(days=2), -1000)
