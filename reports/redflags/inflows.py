"""Red flags on the inflows of issue 18: a government purchase contract billed past a
line's units or cap (padded billing), one beneficiary billed twice for one unit in a
month (ghost or doubled beneficiaries, seen only through their keyed tokens), more
distinct beneficiaries billed on a line than the residents its buyer's list makes
eligible (ghost beneficiaries again, counted), and a charity market whose two counts at
the close differ.

Pure rules over facts, like rules.py: no database; money in integer fen; messages are
English msgids with their parameters kept apart."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_noop

from .rules import HIGH, MEDIUM, RULE_LABELS, Flag, _strength

LABELS = {
    k: RULE_LABELS[k]
    for k in (
        "contract_overbilled",
        "beneficiary_twice",
        "beneficiaries_over_eligible",
        "market_count",
    )
}


@dataclass(frozen=True)
class LineFact:
    id: int
    label: str  # contract number / package code
    units_allowed: int
    cap_allowed: int  # fen
    delivered: int
    billed: int  # fen
    paid: int
    eligible: int | None = None  # residents the buyer's list covers; None: not recorded
    beneficiaries: int = 0  # distinct keyed tokens billed on the line


@dataclass(frozen=True)
class TokenFact:
    line: int
    label: str
    month: str
    token: str
    delivery: int


@dataclass(frozen=True)
class StallCountFact:
    market: int
    market_label: str
    stall: str
    counts: tuple[int, ...]  # fen, one per sheet


def _yuan(fen: int) -> str:
    return f"{Decimal(fen).scaleb(-2):.2f}"


def overbilled(lines: Sequence[LineFact], **_) -> list[Flag]:
    flags = []
    for line in lines:
        if not (
            line.delivered > line.units_allowed
            or line.billed > line.cap_allowed
            or line.paid > line.delivered
        ):
            continue
        flags.append(
            Flag(
                "contract_overbilled",
                HIGH,
                f"contract_overbilled:{line.id}",
                gettext_noop(
                    "Contract line %(line)s: %(delivered)d units (%(billed)s) billed and "
                    "%(paid)d paid, but it allows %(allowed)d units (%(cap)s)."
                ),
                {
                    "line": line.label,
                    "delivered": line.delivered,
                    "billed": _yuan(line.billed),
                    "paid": line.paid,
                    "allowed": line.units_allowed,
                    "cap": _yuan(line.cap_allowed),
                },
                [
                    {
                        "kind": "contract_line",
                        "id": line.id,
                        "ref": f"contract_line:{line.id}",
                        "label": line.label,
                        "detail": "",
                    }
                ],
                90,
                subject=line.label,
            )
        )
    return flags


def beneficiary_twice(tokens: Sequence[TokenFact], **_) -> list[Flag]:
    """The same keyed token billed more than once on one line in one month."""
    groups: dict[tuple[int, str, str], list[TokenFact]] = defaultdict(list)
    for t in tokens:
        groups[(t.line, t.month, t.token)].append(t)
    flags = []
    for (line, month, token), found in sorted(groups.items()):
        if len(found) < 2:
            continue
        flags.append(
            Flag(
                "beneficiary_twice",
                HIGH,
                # The token's first 12 characters name the finding; the token itself
                # never leaves the server's database.
                f"beneficiary_twice:{line}:{month}:{token[:12]}",
                gettext_noop(
                    "Contract line %(line)s: one beneficiary was billed %(times)d times in "
                    "%(month)s."
                ),
                {"line": found[0].label, "times": len(found), "month": month},
                [
                    {
                        "kind": "contract_delivery",
                        "id": t.delivery,
                        "ref": f"contract_delivery:{t.delivery}",
                        "label": t.label,
                        "detail": month,
                    }
                    for t in found
                ],
                _strength(60, 10 * len(found)),
                subject=found[0].label,
            )
        )
    return flags


def over_eligible(lines: Sequence[LineFact], **_) -> list[Flag]:
    """More distinct beneficiaries billed on a line than residents are eligible for it:
    someone billed is on no list. Only counts are shown, never a token."""
    flags = []
    for line in lines:
        # None: not recorded; 0 (refused by the service, possible in a hand-made row):
        # every beneficiary is one too many, and no division by it below.
        if line.eligible is None or line.beneficiaries <= line.eligible:
            continue
        flags.append(
            Flag(
                "beneficiaries_over_eligible",
                HIGH,
                f"beneficiaries_over_eligible:{line.id}",
                gettext_noop(
                    "Contract line %(line)s: %(beneficiaries)d different beneficiaries billed, "
                    "but only %(eligible)d residents are eligible."
                ),
                {
                    "line": line.label,
                    "beneficiaries": line.beneficiaries,
                    "eligible": line.eligible,
                },
                [
                    {
                        "kind": "contract_line",
                        "id": line.id,
                        "ref": f"contract_line:{line.id}",
                        "label": line.label,
                        "detail": f"{line.beneficiaries}/{line.eligible}",
                    }
                ],
                _strength(
                    60, min(30, 100 * (line.beneficiaries - line.eligible) // max(line.eligible, 1))
                ),
                subject=line.label,
            )
        )
    return flags


def market_count(stalls: Sequence[StallCountFact], **_) -> list[Flag]:
    flags = []
    for s in stalls:
        if len(s.counts) < 2 or len(set(s.counts)) == 1:
            continue
        gap = max(s.counts) - min(s.counts)
        flags.append(
            Flag(
                "market_count",
                MEDIUM,
                f"market_count:{s.market}:{s.stall}",
                gettext_noop(
                    "Market %(market)s, stall %(stall)s: the two counts differ by %(gap)s "
                    "(%(counts)s)."
                ),
                {
                    "market": s.market_label,
                    "stall": s.stall,
                    "gap": _yuan(gap),
                    "counts": " / ".join(_yuan(c) for c in s.counts),
                },
                [
                    {
                        "kind": "market",
                        "id": s.market,
                        "ref": f"market:{s.market}:{s.stall}",
                        "label": s.market_label,
                        "detail": s.stall,
                    }
                ],
                _strength(40, min(50, gap / 100)),
                subject=s.market_label,
            )
        )
    return flags


def screen(lines=(), tokens=(), stalls=(), **params) -> list[Flag]:
    return (
        overbilled(lines, **params)
        + beneficiary_twice(tokens, **params)
        + over_eligible(lines, **params)
        + market_count(stalls, **params)
    )
