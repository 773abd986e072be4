"""Money as the ledger keeps it (integer fen) and as every document prints it, and the
one reader of an amount a person or a file typed (README "Amounts").

What is read as an amount, everywhere (the record form, settlements, disbursements,
income files, the 大写 helper, published documents):

- ASCII digits 0-9 only, with at most two decimal places after a '.';
- optional thousands separators ',' in groups of three (``12,345.60``);
- an optional leading ``¥`` / ``￥`` and surrounding spaces;
- a leading '-' only where the caller allows it (documents); typed amounts are > 0.

Refused with a message: exponents (``1E3``, ``0.1e1``), underscores (``1_000``),
full-width or other scripts' digits (``１２３``, ``١٢٣``), more than two places,
``NaN``/``Infinity``, and anything else. Python's ``Decimal()`` accepts all of these,
which is why no entry point may call it on typed text (issue 21: the form recorded
``1E3`` as ¥1000 while the importer refused it)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

# re.ASCII: \d is 0-9 only, never '١' or '１'.
_AMOUNT = re.compile(r"(-?)((?:\d{1,3}(?:,\d{3})+)|\d+)(?:\.(\d+))?", re.ASCII)
# 10^12 yuan: no amount of a community's books comes near; a bigger one is a typo
# (and would overflow a 14-digit column).
MAX_YUAN = Decimal("999999999999.99")


class AmountError(ValueError):
    """Typed text that is not an amount; str() is the message for the user."""


def yuan(fen: int) -> str:
    """Fen as yuan with two places, the one way documents, messages and files print an
    amount: 123456 -> '1234.56', -5 -> '-0.05'."""
    return f"{Decimal(fen).scaleb(-2):.2f}"


def from_fen(fen: int) -> Decimal:
    """Fen as a Decimal of yuan (two places): 7 -> Decimal('0.07')."""
    return Decimal(fen).scaleb(-2)


def parse_yuan(text: str, *, signed: bool = False) -> Decimal:
    """Typed yuan as an exact Decimal with two places, by the rules above; AmountError
    (a ValueError) with a message otherwise."""
    if not isinstance(text, str):
        raise AmountError(_("The amount is not a number like 1234.56."))
    cleaned = text.strip()
    if cleaned[:1] in {"¥", "￥"}:
        cleaned = cleaned[1:].strip()
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise AmountError(
            _("%(value)s is not a number like 1234.56 (digits 0-9, at most two decimals).")
            % {"value": repr(text[:40])}
        )
    sign, whole, places = match.groups()
    if sign and not signed:
        raise AmountError(_("The amount must be more than zero."))
    if places is not None and len(places) > 2:
        raise AmountError(_("The amount has more than two decimal places."))
    value = Decimal(f"{sign}{whole.replace(',', '')}.{places or '0'}").quantize(Decimal("0.01"))
    if abs(value) > MAX_YUAN:
        raise AmountError(_("The amount is too large."))
    return value


def fen(value: str | Decimal) -> int:
    """Yuan with at most two places as fen: '1234.56' -> 123456, Decimal('-0.05') -> -5.
    Documents keep amounts as such strings; sums over them are made in fen. Text goes
    through parse_yuan (signed), so a document cannot carry '1E3' either."""
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.quantize(Decimal("0.01")):
            raise AmountError(_("The amount has more than two decimal places."))
        return int(value.scaleb(2))
    return int(parse_yuan(value, signed=True).scaleb(2))
