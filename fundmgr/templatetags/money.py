"""The one way a page prints an amount and a date (issue 14: ¥60370.00 on the month page,
¥6,000.00 on the receipt and CN¥ in English).

    {% load money %}{{ income.amount|yuan }}   -> ¥60,370.00 (both languages)
    {{ income.paid_at|day }}                    -> 2026年10月8日 / 8 Oct 2026

``yuan`` accepts a django-money Money, a Decimal of yuan, an int of fen (the ledger's
unit) or a document's amount string ('60370.00', read by fundmgr.lib.money.fen, the one
parser of amounts). Nothing goes through float."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils.translation import get_language

from fundmgr.lib.money import AmountError, fen

register = template.Library()


def to_fen(value) -> int | None:
    """An amount in any of the forms pages hold, as integer fen; None if it is none."""
    if value is None or value == "":
        return None
    amount = getattr(value, "amount", None)  # djmoney Money
    if amount is not None and not isinstance(value, (int, str, Decimal)):
        value = amount
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return fen(value.quantize(Decimal("0.01")))
    if isinstance(value, str):
        try:
            return fen(value)
        except AmountError:
            return None
    return None


def format_fen(amount: int) -> str:
    """Integer fen as ¥ with thousands separators and two places: -123456 -> -¥1,234.56."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


@register.filter
def yuan(value) -> str:
    amount = to_fen(value)
    if amount is None:
        return "" if value in (None, "") else str(value)
    return format_fen(amount)


def _as_date(value):
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@register.filter
def day(value) -> str:
    """A date (or datetime, or ISO text of one) as the one date format of the language."""
    d = _as_date(value)
    if d is None:
        return "" if value in (None, "") else str(value)
    if (get_language() or "zh-hans").startswith("zh"):
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


@register.filter
def month(value) -> str:
    """A month label ('2026-03') in the language's format: 2026年3月 / Mar 2026."""
    d = _as_date(f"{value}-01") if isinstance(value, str) and len(value) == 7 else _as_date(value)
    if d is None:
        return "" if value in (None, "") else str(value)
    if (get_language() or "zh-hans").startswith("zh"):
        return f"{d.year}年{d.month}月"
    return f"{MONTHS_EN[d.month - 1]} {d.year}"
