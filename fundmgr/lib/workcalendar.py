"""The working calendar of mainland China: public holidays *and* the make-up working days
(调休) that the State Council moves onto weekends around them.

A weekend is not a day off when it is a 调休 working day, and a weekday is not a working
day when it falls in a holiday: a rule that only knows weekends flagged every officer who
worked the official working Saturday before National Day (issue #17).

Where the days come from, in order:
1. the configured override for a year (settings.WORK_CALENDAR, from the environment
   variable of the same name), for years the package does not know yet - the State
   Council publishes each year's arrangement in November or December;
2. the `chinese-calendar` package, which carries the published arrangements;
3. nothing: a date in no known year is reported as outside the calendar (`known()` is
   False) and judged by the weekend alone, and the rules say so on the flag.

Pure: the calendar is built once from plain data and asked about dates; nothing here
touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class YearDays:
    """One year's arrangement: its holidays (days off) and its 调休 working days."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class WorkCalendar:
    years: Mapping[int, YearDays] = field(default_factory=dict)
    # Extra days off (the older PUBLIC_HOLIDAYS setting), in any year.
    extra_holidays: frozenset[dt.date] = frozenset()

    def known(self, day: dt.date) -> bool:
        """Whether the holidays and 调休 days of `day`'s year are known."""
        return day.year in self.years

    def is_holiday(self, day: dt.date) -> bool:
        year = self.years.get(day.year)
        return day in self.extra_holidays or (year is not None and day in year.holidays)

    def is_adjusted_workday(self, day: dt.date) -> bool:
        """A weekend day that is an official working day (调休)."""
        year = self.years.get(day.year)
        return year is not None and day in year.workdays

    def is_workday(self, day: dt.date) -> bool:
        if self.is_holiday(day):
            return False
        if self.is_adjusted_workday(day):
            return True
        return day.weekday() < 5

    def workdays_between(self, first: dt.date, last: dt.date) -> int:
        """Working days after `first` up to and including `last` (0 when last <= first):
        how many working days an officer had to record a payment made on `first`."""
        count, day = 0, first
        while day < last:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def describe(self, day: dt.date) -> str:
        """'holiday', 'adjusted workday', 'weekend' or 'workday' (for evidence)."""
        if self.is_holiday(day):
            return "holiday"
        if self.is_adjusted_workday(day):
            return "adjusted workday"
        return "weekend" if day.weekday() >= 5 else "workday"


def _dates(values: Iterable[str | dt.date]) -> frozenset[dt.date]:
    return frozenset(v if isinstance(v, dt.date) else dt.date.fromisoformat(v) for v in values)


def build(
    override: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    extra_holidays: Iterable[str | dt.date] = (),
    *,
    use_package: bool = True,
) -> WorkCalendar:
    """The calendar from the package's years, with `override` ({"2027": {"holidays":
    [...], "workdays": [...]}}) replacing whole years."""
    years: dict[int, YearDays] = {}
    if use_package:
        years.update(package_years())
    for year, days in (override or {}).items():
        years[int(year)] = YearDays(
            holidays=_dates(days.get("holidays", ())), workdays=_dates(days.get("workdays", ()))
        )
    return WorkCalendar(years=years, extra_holidays=_dates(extra_holidays))


def package_years() -> dict[int, YearDays]:
    """The years `chinese-calendar` knows, each with its holidays and 调休 working days."""
    import chinese_calendar

    holidays: dict[int, set[dt.date]] = {}
    workdays: dict[int, set[dt.date]] = {}
    for day in chinese_calendar.holidays:
        holidays.setdefault(day.year, set()).add(day)
    for day in chinese_calendar.workdays:
        workdays.setdefault(day.year, set()).add(day)
    # chinese-calendar lists every holiday, weekends inside a holiday included, and every
    # working day in lieu; a year appears once its arrangement is published.
    return {
        year: YearDays(frozenset(days), frozenset(workdays.get(year, ())))
        for year, days in holidays.items()
    }


def from_settings() -> WorkCalendar:
    """The deployment's calendar: the package, WORK_CALENDAR overrides, PUBLIC_HOLIDAYS."""
    from django.conf import settings

    return build(getattr(settings, "WORK_CALENDAR", None), getattr(settings, "PUBLIC_HOLIDAYS", ()))
