"""The demo on awkward days: it loads, verifies, publishes every month that has ended and
shows nothing personal in public, whatever day (and time of day) it is run on."""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from fundmgr.lib import dates
from fundmgr.models import Community, Income, IncomeStatus
from fundmgr.services.income import income_record
from reports.models import Period, PeriodState
from tests import factories
from tests.reports.privacy import assert_nothing_personal_public

# Each test loads the whole demo: its code is measured once, by tests/fundmgr/test_demo.py;
# traced again here it only made the coverage pass (dev.py cover) three times slower.
pytestmark = [pytest.mark.django_db, pytest.mark.no_cover]

# (local date and time the demo runs at, why it is awkward)
AWKWARD = [
    ("2026-12-01 00:30", "the 1st, just after midnight (still the 30th in UTC)"),
    ("2027-01-14 23:50", "the 14th, the last day the old demo's pending reviews blocked"),
    ("2027-01-15 08:00", "the 15th"),
    ("2026-11-30 23:59", "the last day of a 30-day month"),
    ("2027-01-01 00:05", "New Year's Day"),
    ("2026-12-31 12:00", "New Year's Eve"),
    ("2028-02-29 10:00", "a leap day"),
    ("2027-03-01 09:00", "the day after a 28-day February"),
]


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--scale", "0.3", *args, stdout=out)
    return out.getvalue()


def _assert_every_ended_month_published(today: dt.date) -> None:
    current = dates.month_start(today)
    for community in Community.objects.all():
        periods = {p.month: p.state for p in Period.objects.filter(community=community)}
        expected = list(dates.months(dates.add_months(current, -12), dates.previous_month(current)))
        assert len(expected) == 12
        assert all(periods.get(m) == PeriodState.PUBLISHED for m in expected), (
            community.code,
            {m: periods.get(m) for m in expected},
        )
        assert periods.get(current, PeriodState.OPEN) == PeriodState.OPEN
        # Reviews still waiting are only in today's month, which stays open.
        waiting = Income.objects.filter(community=community, status=IncomeStatus.PENDING)
        assert all(dates.local_date(i.paid_at) >= current for i in waiting)


@pytest.mark.own_clock
@pytest.mark.parametrize("moment", [m for m, _ in AWKWARD], ids=[w for _, w in AWKWARD])
def test_the_demo_loads_verifies_and_publishes_on_an_awkward_day(moment):
    with time_machine.travel(dt.datetime.fromisoformat(moment + " +08:00"), tick=True):
        today = dates.today()
        out = _demo()
        assert f"demo loaded for {today:%Y-%m-%d}" in out and "left open" not in out
        call_command("verify_ledger", stdout=io.StringIO())
        # The books make sense on every day and every published month agrees with them.
        call_command("check_books", stdout=io.StringIO())
        _assert_every_ended_month_published(today)
        # Corrections happened through the year, each booked in its own month.
        reversed_on = set(
            Income.objects.filter(status=IncomeStatus.REVERSED).values_list(
                "reversal_entry__date", flat=True
            )
        )
        assert len({d.replace(day=1) for d in reversed_on}) >= 6
        # Twelve full months and today's month up to yesterday, no more, no less.
        first = min(Income.objects.values_list("paid_at", flat=True))
        last = max(Income.objects.values_list("paid_at", flat=True))
        assert dates.local_date(first) == dates.add_months(dates.month_start(today), -12)
        assert dates.local_date(last) == today - dt.timedelta(days=1)
        names = {p for p in Income.objects.values_list("payer", flat=True) if len(p) >= 2}
        assert assert_nothing_personal_public(names, receipts=20) > 40


def test_today_sets_the_demo_day_whatever_the_clock_says():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=True):
        out = _demo("--today", "2027-03-01")
        assert "demo loaded for 2027-03-01" in out
        assert dates.today() == dt.date(2026, 6, 15)  # the clock is back afterwards
    last = max(Income.objects.values_list("paid_at", flat=True))
    assert dates.local_date(last) == dt.date(2027, 2, 28)
    _assert_every_ended_month_published(dt.date(2027, 3, 1))


def test_a_later_run_publishes_what_can_close_and_says_what_cannot():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=True):
        _demo()
        # A large payment on the 19th that no one has reviewed yet.
        community = Community.objects.get(code="WLQ-QY")
        package = community.packages.filter(code="ZC-MEAL").get()
        draft = factories.draft(
            community,
            package,
            "9000.00",
            ref="LATE-REVIEW",
            paid_at=dt.datetime(2026, 11, 19, 9, tzinfo=dt.UTC),
        )
        income, _ = income_record(draft, recorded_by=User.objects.get(username="officer"))
        assert income.status == IncomeStatus.PENDING
    incomes = Income.objects.count()
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=dt.UTC), tick=True):
        out = _demo()
    # November was the open month when the demo was loaded: reviews still wait in it, so
    # it stays open (and says so) instead of crashing the command.
    assert "the demo is already loaded" in out
    assert "left open: WLQ-QY 2026-11:" in out and "待审核" in out
    assert Income.objects.count() == incomes
    november = dict(
        Period.objects.filter(month=dt.date(2026, 11, 1)).values_list("community__code", "state")
    )
    for community in Community.objects.all():
        waiting = Income.objects.filter(
            community=community,
            status=IncomeStatus.PENDING,
            paid_at__lt=dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC),
        )
        if waiting.exists():  # stays open, and the command said why
            assert november.get(community.code, PeriodState.OPEN) == PeriodState.OPEN
            assert f"left open: {community.code} 2026-11:" in out
        else:
            assert november[community.code] == PeriodState.PUBLISHED
    assert (
        Period.objects.filter(month=dt.date(2026, 10, 1), state=PeriodState.PUBLISHED).count() == 3
    )


@pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow", "2026/12/01"])
def test_a_bad_today_is_refused_and_loads_nothing(bad):
    with pytest.raises(CommandError, match="--today"):
        call_command("demo", "--today", bad, stdout=io.StringIO())
    assert not Community.objects.exists()
