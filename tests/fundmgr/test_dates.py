"""fundmgr.lib.dates: month arithmetic and accounting days, checked as properties over
every month from year 1 to 9999 and moments in any zone."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.lib import dates

days = st.dates(min_value=dt.date(2, 1, 1), max_value=dt.date(9800, 12, 31))
firsts = days.map(lambda d: d.replace(day=1))
steps = st.integers(min_value=-12, max_value=12 * 50)
zones = st.sampled_from(["UTC", "Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati"])
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=zones.map(ZoneInfo),
)


@given(days)
def test_a_month_is_its_first_day(day):
    assert dates.month_start(day) == day.replace(day=1)
    assert dates.add_months(day, 0) == dates.month_start(day)


@given(firsts, steps, steps)
def test_adding_months_adds_up(month, a, b):
    assert dates.add_months(dates.add_months(month, a), b) == dates.add_months(month, a + b)


@given(firsts, steps)
def test_adding_months_moves_the_calendar_by_as_many_months(month, n):
    moved = dates.add_months(month, n)
    assert moved.day == 1
    assert (moved.year * 12 + moved.month) - (month.year * 12 + month.month) == n


@given(firsts)
def test_next_and_previous_undo_each_other(month):
    assert dates.previous_month(dates.next_month(month)) == month
    assert dates.next_month(dates.previous_month(month)) == month
    assert dates.next_month(month) > month > dates.previous_month(month)


@given(days)
def test_a_month_runs_from_its_first_to_its_last_day(day):
    first, last = dates.month_range(day)
    assert first <= day <= last
    assert (first.year, first.month) == (last.year, last.month) == (day.year, day.month)
    assert last + dt.timedelta(days=1) == dates.next_month(day)
    assert 28 <= (last - first).days + 1 <= 31


@given(days, st.integers(min_value=0, max_value=40 * 366))
def test_months_lists_every_month_between_once_in_order(first, span):
    last = first + dt.timedelta(days=span)
    listed = list(dates.months(first, last))
    assert listed[0] == dates.month_start(first) and listed[-1] == dates.month_start(last)
    assert all(dates.next_month(x) == y for x, y in zip(listed, listed[1:], strict=False))
    assert list(dates.months(last, first)) == ([] if first < dates.month_start(last) else listed)


@given(firsts, days)
def test_a_month_has_ended_once_its_last_day_is_past(month, on):
    assert dates.has_ended(month, on) == (on > dates.month_end(month))


@given(firsts)
def test_a_month_reads_back_from_its_label(month):
    assert dates.parse_month(f"{month.year:04d}-{month.month:02d}") == month


@given(st.text(max_size=12))
def test_anything_but_a_month_label_reads_as_none(text):
    parsed = dates.parse_month(text)
    assert parsed is None or f"{parsed.year:04d}-{parsed.month:02d}" == text


@given(moments)
def test_a_moment_falls_on_its_day_in_the_projects_zone(moment):
    local = moment.astimezone(timezone.get_default_timezone())
    assert dates.local_date(moment) == local.date()


@given(moments, zones)
def test_the_accounting_day_does_not_depend_on_the_active_zone(moment, zone):
    with timezone.override(ZoneInfo(zone)):
        assert dates.local_date(moment) == dates.local_date(moment.astimezone(dt.UTC))


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.integers(min_value=0, max_value=400),
)
def test_day_bounds_cover_exactly_the_days_asked_for(first, length):
    last = first + dt.timedelta(days=length)
    lo, hi = dates.day_bounds(first, last)
    assert dates.local_date(lo) == first
    assert dates.local_date(hi - dt.timedelta(microseconds=1)) == last
    assert dates.local_date(hi) == last + dt.timedelta(days=1)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_month_bounds_are_the_months_days(day):
    assert dates.month_bounds(day) == dates.day_bounds(*dates.month_range(day))


def test_today_is_the_projects_day_of_now():
    assert dates.today() in {
        dates.local_date(timezone.now()),
        dates.local_date(timezone.now()) - dt.timedelta(days=1),
    }
