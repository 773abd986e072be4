"""The meter of an agreement: service owed against service delivered, in units and in
yuan, and the market rent forgone - pure arithmetic in integer fen, no database.

These are memorandum figures (off the balance sheet): nothing here is posted to the
ledger; the books carry only the symbolic rent actually received.

A month's obligation is owed in full for a month the term covers entirely; a month the
term covers in part owes the share of its days in force (rounded half up to whole
units). `through` cuts both (the selectors pass a month's end, so the month under way
owes its whole obligation). Only confirmed deliveries count as delivered."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Owed:
    key: int  # the obligation's id
    per_month: int
    unit_price_fen: int


@dataclass(frozen=True)
class Done:
    key: int  # the obligation's id
    on: dt.date
    quantity: int


def _days(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def days_in_force(month: dt.date, starts: dt.date, ends: dt.date, through: dt.date) -> int:
    first = max(month.replace(day=1), starts)
    last = min(month.replace(day=_days(month)), ends, through)
    return max(0, (last - first).days + 1)


def _share(whole: int, part: int, of: int) -> int:
    """whole × part / of, rounded half up, in integers."""
    return (2 * whole * part + of) // (2 * of)


@dataclass(frozen=True)
class Figures:
    units_owed: int
    units_delivered: int
    value_owed_fen: int
    value_delivered_fen: int
    rent_forgone_fen: int

    @property
    def shortfall_units(self) -> int:
        return max(0, self.units_owed - self.units_delivered)


def month_figures(
    month: dt.date,
    *,
    starts: dt.date,
    ends: dt.date,
    through: dt.date,
    owed: Sequence[Owed],
    done: Iterable[Done],
    market_rent_month_fen: int,
) -> Figures:
    """One month's figures, counting its days in force up to `through`."""
    month = month.replace(day=1)
    n = days_in_force(month, starts, ends, through)
    total = _days(month)
    units_owed = value_owed = 0
    price = {o.key: o.unit_price_fen for o in owed}
    for o in owed:
        units = _share(o.per_month, n, total)
        units_owed += units
        value_owed += units * o.unit_price_fen
    last = min(month.replace(day=total), through)
    units_done = value_done = 0
    for d in done:
        if month <= d.on <= last and starts <= d.on <= ends and d.key in price:
            units_done += d.quantity
            value_done += d.quantity * price[d.key]
    return Figures(
        units_owed, units_done, value_owed, value_done, _share(market_rent_month_fen, n, total)
    )


def add(a: Figures, b: Figures) -> Figures:
    return Figures(
        a.units_owed + b.units_owed,
        a.units_delivered + b.units_delivered,
        a.value_owed_fen + b.value_owed_fen,
        a.value_delivered_fen + b.value_delivered_fen,
        a.rent_forgone_fen + b.rent_forgone_fen,
    )


ZERO = Figures(0, 0, 0, 0, 0)
