"""What the `market`, `contract` and `fund` commands share: reading their JSON and
arguments into the services' types, each problem a CommandError naming the field (the
community and a refusal: fundmgr.management.actions). Nothing here writes: the services do, in one
transaction each, so a refusal leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from djmoney.money import Money

from ..decisions.models import DecisionItem
from ..lib.money import AmountError, parse_yuan
from ..models import Community, ServicePackage


def user(username: str):
    found = get_user_model().objects.filter(username=username).first()
    if found is None:
        raise CommandError(f"--user: no user {username!r}")
    return found


def read_text(path: str, field: str) -> str:
    """A file's text, or standard input for '-'."""
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{field}: cannot read {path}: {exc}") from None


def read_json(path: str) -> dict:
    """A JSON object. Numbers with a fraction or an exponent are kept as their text, so
    an amount goes through parse_yuan like a typed one (1E3 is refused, never a float)."""
    try:
        data = json.loads(read_text(path, "--json"), parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--json: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CommandError("--json: expected an object {...}")
    return data


def required(data: dict, key: str, field: str):
    if key not in data or data[key] in (None, ""):
        raise CommandError(f"{field}: required")
    return data[key]


def text(data: dict, key: str, field: str) -> str:
    value = required(data, key, field)
    if not isinstance(value, str):
        raise CommandError(f"{field}: expected text, not {value!r}")
    return value


def date(value, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(f"{field}: not a date (YYYY-MM-DD): {value!r}") from None


def amount(value, field: str, currency: str) -> Money:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CommandError(f"{field}: not an amount: {value!r}")
    try:
        return Money(parse_yuan(str(value)), currency)
    except AmountError as exc:
        raise CommandError(f"{field}: {exc}") from None


def units(value, field: str, minimum: int = 1) -> int:
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CommandError(f"{field}: a whole number of {minimum} or more, not {value!r}")
    return value


def package(c: Community, code, field: str) -> ServicePackage:
    found = ServicePackage.objects.filter(community=c, code=code).first()
    if found is None:
        raise CommandError(f"{field}: no package {code!r} in {c.code}")
    return found


def decision(c: Community, ref: str, field: str) -> DecisionItem:
    """A decision item named MEETING-REFERENCE#ITEM, as the spaces command names it."""
    meeting, _sep, number = (ref or "").rpartition("#")
    found = None
    if meeting and number.isdigit() and number.isascii():
        found = DecisionItem.objects.filter(
            meeting__community=c, meeting__reference=meeting, number=int(number)
        ).first()
    if found is None:
        raise CommandError(f"{field}: no decision item {ref!r} in {c.code} (MEETING-REF#ITEM)")
    return found
