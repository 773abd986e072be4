"""Red flags on spaces let for services (一元租金·资源换服务): the public value of a space
quietly privatised - service owed and not delivered, a renewal or change slipped past
the council, private paid business in the public space, deliveries "confirmed" by the
operator's own people.

Pure rules over facts, like rules.py: no database; money in integer fen; messages are
English msgids with their parameters kept apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop

from .rules import HIGH, MEDIUM, RULE_LABELS, Flag, _strength

# Their labels sit with the others' in rules.RULE_LABELS, which the auditor pages read.
LABELS = {k: RULE_LABELS[k] for k in RULE_LABELS if k.startswith("space_")}
DEFAULTS = {
    # Delivery below the obligation by more than this share (of its value) ...
    "space_shortfall_share": Decimal("0.2"),
    # ... for this many months running.
    "space_shortfall_months": 2,
    # Paid-tier income in the space above this multiple of what the agreement foresees.
    "space_paid_multiple": Decimal("2"),
}


@dataclass(frozen=True)
class MonthFact:
    month: dt.date
    value_owed: int  # fen
    value_delivered: int  # fen
    units_owed: int
    units_delivered: int


@dataclass(frozen=True)
class AgreementFact:
    id: int
    number: str
    space: str
    starts_on: dt.date
    ends_on: dt.date
    decision_item: int
    decision_held_on: dt.date
    follows: int | None = None
    months: tuple[MonthFact, ...] = ()
    paid_foreseen_month: int = 0  # fen
    paid_income: dict = field(default_factory=dict)  # month -> fen of paid-tier income
    # (delivery id, date, confirmer is the operator's staff)
    confirmations: tuple[tuple[int, dt.date, bool], ...] = ()


def _agreement(a: AgreementFact, detail: str = "", ref: str = "") -> dict:
    return {
        "kind": "space_agreement",
        "id": a.id,
        "ref": ref or f"space_agreement:{a.id}",
        "label": f"{a.number} {a.space}",
        "detail": detail,
    }


def shortfall(
    agreements: Sequence[AgreementFact],
    *,
    today,
    space_shortfall_share,
    space_shortfall_months,
    **_,
) -> list[Flag]:
    """Delivered value below (1 - share) of the value owed in each of N ended months
    running: the service paid for by the forgone rent is not reaching residents."""
    flags = []
    floor_share = 1 - Decimal(space_shortfall_share)
    for a in agreements:
        run: list[MonthFact] = []
        worst: list[MonthFact] = []
        for m in sorted(a.months, key=lambda m: m.month):
            ended = dt.date(m.month.year + m.month.month // 12, m.month.month % 12 + 1, 1) <= today
            short = m.value_owed > 0 and Decimal(m.value_delivered) < floor_share * m.value_owed
            run = run + [m] if ended and short else []
            if len(run) >= space_shortfall_months and len(run) > len(worst):
                worst = list(run)
        if not worst:
            continue
        owed = sum(m.value_owed for m in worst)
        done = sum(m.value_delivered for m in worst)
        missing = Decimal(owed - done) / owed
        flags.append(
            Flag(
                "space_shortfall",
                HIGH,
                f"space_shortfall:{a.id}",
                gettext_noop(
                    "Agreement %(number)s (%(space)s) delivered %(done)s of the %(owed)s of "
                    "service owed in %(months)d months running, from %(first)s."
                ),
                {
                    "number": a.number,
                    "space": a.space,
                    "done": f"{Decimal(done).scaleb(-2):.2f}",
                    "owed": f"{Decimal(owed).scaleb(-2):.2f}",
                    "months": len(worst),
                    "first": f"{worst[0].month:%Y-%m}",
                },
                [
                    _agreement(
                        a,
                        f"{m.month:%Y-%m} · {m.units_delivered}/{m.units_owed}",
                        f"space_agreement:{a.id}:{m.month:%Y-%m}",
                    )
                    for m in worst
                ],
                _strength(50, missing * 50),
                subject=a.number,
            )
        )
    return flags


def no_decision(agreements: Sequence[AgreementFact], **_) -> list[Flag]:
    """A renewal or change whose decision is not its own (the decision of an agreement
    of the same space, reused) or was taken after the agreement began; and an
    agreement succeeding another of the same space without saying it follows it."""
    flags = []
    by_item: dict[int, list[AgreementFact]] = {}
    for a in agreements:
        by_item.setdefault(a.decision_item, []).append(a)
    for a in agreements:
        reasons = []
        earlier = [
            b for b in by_item[a.decision_item] if b.id != a.id and b.starts_on < a.starts_on
        ]
        if earlier:
            reasons.append(f"decision of {earlier[0].number}")
        if a.decision_held_on > a.starts_on:
            reasons.append(f"decided {a.decision_held_on.isoformat()}")
        if not reasons:
            continue
        flags.append(
            Flag(
                "space_no_decision",
                HIGH,
                f"space_no_decision:{a.id}",
                gettext_noop(
                    "Agreement %(number)s (%(space)s) from %(start)s has no decision of its own."
                ),
                {"number": a.number, "space": a.space, "start": a.starts_on.isoformat()},
                [_agreement(a, " · ".join(reasons))],
                70,
                subject=a.number,
            )
        )
    return flags


def private_business(
    agreements: Sequence[AgreementFact], *, space_paid_multiple, **_
) -> list[Flag]:
    """Paid-tier income earned in the space in a month above a multiple of what the
    agreement foresees: private business in a public space let almost for free."""
    flags = []
    multiple = Decimal(space_paid_multiple)
    for a in agreements:
        over = sorted(
            (month, fen)
            for month, fen in a.paid_income.items()
            if fen > multiple * a.paid_foreseen_month
        )
        if not over:
            continue
        top = max(fen for _m, fen in over)
        flags.append(
            Flag(
                "space_private_business",
                MEDIUM,
                f"space_private_business:{a.id}",
                gettext_noop(
                    "Paid-tier income in %(space)s reached %(top)s in a month; agreement "
                    "%(number)s foresees %(foreseen)s."
                ),
                {
                    "space": a.space,
                    "number": a.number,
                    "top": f"{Decimal(top).scaleb(-2):.2f}",
                    "foreseen": f"{Decimal(a.paid_foreseen_month).scaleb(-2):.2f}",
                },
                [
                    _agreement(
                        a,
                        f"{m:%Y-%m} · ¥{Decimal(fen).scaleb(-2):.2f}",
                        f"space_agreement:{a.id}:paid:{m:%Y-%m}",
                    )
                    for m, fen in over
                ],
                _strength(40, len(over) * 10),
                subject=a.number,
            )
        )
    return flags


def self_confirmed(agreements: Sequence[AgreementFact], **_) -> list[Flag]:
    """Deliveries confirmed by someone named as the operator's staff on the agreement."""
    flags = []
    for a in agreements:
        own = [(pk, day) for pk, day, staff in a.confirmations if staff]
        if not own:
            continue
        flags.append(
            Flag(
                "space_self_confirmed",
                HIGH,
                f"space_self_confirmed:{a.id}",
                gettext_noop(
                    "%(n)d deliveries under agreement %(number)s were confirmed by the "
                    "operator's own staff."
                ),
                {"n": len(own), "number": a.number},
                [
                    {
                        "kind": "space_delivery",
                        "id": pk,
                        "ref": f"space_delivery:{pk}",
                        "label": f"{a.number} {day.isoformat()}",
                        "detail": "",
                    }
                    for pk, day in own
                ],
                _strength(60, len(own) * 5),
                subject=a.number,
            )
        )
    return flags


RULES = (shortfall, no_decision, private_business, self_confirmed)


def screen(agreements: Sequence[AgreementFact], *, today, **overrides) -> list[Flag]:
    p = {**DEFAULTS, **{k: v for k, v in overrides.items() if k in DEFAULTS}, "today": today}
    flags = []
    for rule in RULES:
        flags += rule(list(agreements), **p)
    return flags
