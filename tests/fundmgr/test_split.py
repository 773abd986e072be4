"""The split of DESIGN 4.2: property tests and the worked examples."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.lib.split import Shares, split

gross = st.integers(min_value=0, max_value=10**13)


@st.composite
def policies(draw):
    a = draw(st.integers(0, 10000))
    b = draw(st.integers(0, 10000 - a))
    return (a, b, 10000 - a - b)


@pytest.mark.parametrize(
    ("yuan_fen", "expected"),
    [
        (1, (1, 0, 0)),
        (10, (7, 2, 1)),
        (10000, (7000, 2500, 500)),
        (0, (0, 0, 0)),
        (3, (2, 1, 0)),
        (20, (14, 5, 1)),
        (99, (69, 25, 5)),
        (123456, (86419, 30864, 6173)),
    ],
)
def test_worked_examples(yuan_fen, expected):
    assert split(yuan_fen) == Shares(*expected)


@given(gross, policies())
def test_shares_sum_to_the_gross_exactly(g, bp):
    assert split(g, *bp).total == g


@given(gross, policies())
def test_each_share_is_within_one_fen_of_its_exact_percentage(g, bp):
    shares = split(g, *bp)
    for got, part in zip((shares.provider, shares.hub, shares.fund), bp, strict=True):
        exact = Fraction(g * part, 10000)
        assert abs(got - exact) < 1
        assert got >= 0


@given(gross, policies())
def test_it_is_the_largest_remainder_rule_with_fund_hub_provider_ties(g, bp):
    shares = split(g, *bp)
    got = {"provider": shares.provider, "hub": shares.hub, "fund": shares.fund}
    exact = dict(zip(("provider", "hub", "fund"), bp, strict=True))
    bumped = [p for p in got if got[p] != g * exact[p] // 10000]
    kept = [p for p in got if p not in bumped]
    frac = {p: (g * exact[p]) % 10000 for p in got}
    rank = {"fund": 0, "hub": 1, "provider": 2}
    # Every party given a fen ranks before every party that was not.
    for b in bumped:
        assert got[b] == g * exact[b] // 10000 + 1
        for k in kept:
            assert (-frac[b], rank[b]) < (-frac[k], rank[k])


@given(gross, policies())
def test_it_is_deterministic(g, bp):
    assert split(g, *bp) == split(g, *bp)


@given(st.integers(0, 10**9))
def test_the_default_is_70_25_5(g):
    assert split(g) == split(g, 7000, 2500, 500)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1,), "non-negative"),
        ((1.5,), "whole number"),
        ((100, 7000, 2500, 400), "sum to 10000"),
        ((100, 7000, 3500, -500), "basis points"),
    ],
)
def test_it_refuses_what_is_not_a_split(args, message):
    with pytest.raises(ValueError, match=message):
        split(*args)
