"""Month arithmetic, accounting days and the one clock of the product.

Everything that asks "what day is it" or "which month follows this one" comes here, so a
test freezes one clock (time-machine) and every page, job and rule sees the same day.
Months are represented by their first day (`dt.date(2026, 11, 1)`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone


def today() -> dt.date:
    """Today in the project's time zone (TIME_ZONE, Asia/Shanghai), whatever zone a
    request activated: an accounting day never depends on who is looking."""
    return local_date(timezone.now())


def local_date(moment: dt.datetime) -> dt.date:
    """The day a moment falls on in the project's time zone. (Looking the current zone
    up cost 5% of an import, bench/ import: the default zone is read once per call.)"""
    return moment.astimezone(timezone.get_default_timezone()).date()


def month_start(day: dt.date) -> dt.date:
    """The first day of the month `day` falls in."""
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months after (n < 0: before) `day`'s month."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(month: dt.date) -> dt.date:
    return add_months(month, 1)


def previous_month(month: dt.date) -> dt.date:
    return add_months(month, -1)


def month_end(month: dt.date) -> dt.date:
    """The last day of `month`'s month."""
    return next_month(month) - dt.timedelta(days=1)


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of `month`'s month."""
    return month_start(month), month_end(month)


def months(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """The first day of every month from `first`'s month to `last`'s month, inclusive."""
    month, stop = month_start(first), month_start(last)
    while month <= stop:
        yield month
        month = next_month(month)


def has_ended(month: dt.date, on: dt.date) -> bool:
    """Whether `month` is over on day `on` (its last day is before `on`)."""
    return month_end(month) < on


def parse_month(text: str) -> dt.date | None:
    """'2026-03' -> 2026-03-01; anything else -> None. Also None for 0001-01 and
    9999-12, which have no month before or after them: month arithmetic on them
    overflowed into 500s (issue 21)."""
    if len(text) != 7 or not text.isascii():
        return None
    try:
        month = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        return None
    if month in (dt.date.min, dt.date.max.replace(day=1)):
        return None
    return month


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes in the project's zone: the start of `first` and the start of the
    day after `last` (a half-open range for filtering moments)."""
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=tz),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz),
    )


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The half-open range of moments in `month`'s month, in the project's zone."""
    return day_bounds(month_start(month), month_end(month))


def booked_on(on: dt.date, closed_through: dt.date | None) -> dt.date:
    """The day an entry dated `on` is booked: its own, or - when the books are closed
    through a later or equal day - the first open day after them (an adjustment)."""
    if closed_through is not None and on <= closed_through:
        return closed_through + dt.timedelta(days=1)
    return on
