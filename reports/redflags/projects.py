"""Red flags on how the fund is decided and spent (#19): payments that cite no earmark,
an earmark drained by a chain of small payments, a project paid in full before the
residents accepted it, a decision taken without a quorum, and a project whose
beneficiary is one of the people who decide.

Pure rules over facts, like rules.py: no database; money in integer fen; messages are
English msgids with their parameters kept apart. The facts come from project_facts.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_noop

from fundmgr.lib.names import name_forms, normal_name

from .rules import HIGH, MEDIUM, RULE_LABELS, Flag, PersonFact, _strength

LABELS = {k: RULE_LABELS[k] for k in RULE_LABELS if k.startswith("project_")}
DEFAULTS = {
    # An earmark this far spent (share of the amount decided) ...
    "project_chain_share": Decimal("0.9"),
    # ... by at least this many payments is "a chain of small payments".
    "project_chain_payments": 3,
}


@dataclass(frozen=True)
class PaymentFact:
    id: int
    paid_on: dt.date
    amount: int  # fen
    payee: str
    project: int | None = None  # project number
    emergency_reason: str = ""


@dataclass(frozen=True)
class ProjectFact:
    id: int
    number: int
    title: str
    status: str
    decided: int  # fen
    provider: str = ""
    accepted_on: dt.date | None = None
    payments: tuple[PaymentFact, ...] = ()


@dataclass(frozen=True)
class MeetingFact:
    id: int
    reference: str
    held_on: dt.date
    present: int
    quorum: int
    items_decided: int  # items with a result (passed or not) or cited by a project


def _fen(v: int) -> str:
    return f"{Decimal(v).scaleb(-2):.2f}"


def _pay(p: PaymentFact, detail: str = "") -> dict:
    return {
        "kind": "disbursement",
        "id": p.id,
        "ref": f"disbursement:{p.id}",
        "label": f"{p.paid_on.isoformat()} {_fen(p.amount)} {p.payee}",
        "detail": detail,
    }


def _proj(p: ProjectFact, detail: str = "") -> dict:
    return {
        "kind": "project",
        "id": p.id,
        "ref": f"project:{p.id}",
        "label": f"{p.number} {p.title}",
        "detail": detail,
    }


def no_earmark(unearmarked: Sequence[PaymentFact], uses_earmarks: bool, **_) -> list[Flag]:
    """A payment from the fund citing no project's earmark, once the community spends
    through earmarks; an emergency reason lowers the strength, not the flag."""
    if not uses_earmarks:
        return []
    return [
        Flag(
            "project_no_earmark",
            MEDIUM if p.emergency_reason else HIGH,
            f"project_no_earmark:{p.id}",
            gettext_noop(
                "A payment of %(amount)s to %(payee)s on %(date)s cites no project's earmark."
            ),
            {"amount": _fen(p.amount), "payee": p.payee, "date": p.paid_on.isoformat()},
            [_pay(p, p.emergency_reason)],
            40 if p.emergency_reason else 70,
            subject=p.payee,
        )
        for p in unearmarked
    ]


def chain(
    projects: Sequence[ProjectFact], *, project_chain_share, project_chain_payments, **_
) -> list[Flag]:
    """An earmark approached or passed by many payments: the way a large purchase is
    hidden as small ones, each under an approval limit."""
    flags = []
    for p in projects:
        paid = sum(x.amount for x in p.payments)
        if not p.decided or len(p.payments) < project_chain_payments:
            continue
        share = Decimal(paid) / p.decided
        if share < Decimal(project_chain_share):
            continue
        flags.append(
            Flag(
                "project_earmark_chain",
                HIGH if paid > p.decided else MEDIUM,
                f"project_earmark_chain:{p.id}",
                gettext_noop(
                    "Project %(number)d: %(count)d payments took %(paid)s of its %(decided)s "
                    "earmark."
                ),
                {
                    "number": p.number,
                    "count": len(p.payments),
                    "paid": _fen(paid),
                    "decided": _fen(p.decided),
                },
                [_proj(p)] + [_pay(x) for x in p.payments],
                _strength(40, (share - Decimal("0.9")) * 300 + len(p.payments) * 3),
                subject=p.title,
            )
        )
    return flags


def paid_before_acceptance(projects: Sequence[ProjectFact], **_) -> list[Flag]:
    """The whole earmark paid out while the residents had not accepted the work (or
    accepted it only after the last payment)."""
    flags = []
    for p in projects:
        paid = sum(x.amount for x in p.payments)
        if not p.decided or paid < p.decided or not p.payments:
            continue
        last = max(x.paid_on for x in p.payments)
        if p.accepted_on is not None and p.accepted_on <= last:
            continue
        flags.append(
            Flag(
                "project_paid_before_acceptance",
                HIGH,
                f"project_paid_before_acceptance:{p.id}",
                gettext_noop(
                    "Project %(number)d was paid in full (%(paid)s) by %(date)s before the "
                    "residents accepted the work."
                ),
                {"number": p.number, "paid": _fen(paid), "date": last.isoformat()},
                [_proj(p)] + [_pay(x) for x in p.payments],
                80,
                subject=p.title,
            )
        )
    return flags


def no_quorum(meetings: Sequence[MeetingFact], **_) -> list[Flag]:
    """A meeting short of its quorum whose items were decided or cited anyway."""
    return [
        Flag(
            "project_no_quorum",
            HIGH,
            f"project_no_quorum:{m.id}",
            gettext_noop(
                "Meeting %(reference)s on %(date)s had %(present)d members present, fewer "
                "than its quorum of %(quorum)d, yet %(items)d of its items count as decided."
            ),
            {
                "reference": m.reference,
                "date": m.held_on.isoformat(),
                "present": m.present,
                "quorum": m.quorum,
                "items": m.items_decided,
            },
            [{"kind": "meeting", "id": m.id, "ref": f"meeting:{m.id}", "label": m.reference}],
            90,
            subject=m.reference,
        )
        for m in meetings
        if m.present < m.quorum and m.items_decided
    ]


def beneficiary_decides(
    projects: Sequence[ProjectFact], people: Sequence[PersonFact] = (), **_
) -> list[Flag]:
    """The one who carries a project out (and is paid for it) is a member of staff or of
    the committee, or a relative or business one of them declared."""
    names: dict[str, tuple[str, str]] = {}
    for person in people:
        for form in name_forms(person.name, person.first_name, person.last_name):
            names.setdefault(form, (person.username, "self"))
        for relation, name, _account in person.interests:
            if len(normal_name(name)) >= 2:
                names.setdefault(normal_name(name), (person.username, relation))
    flags = []
    for p in projects:
        hit = names.get(normal_name(p.provider)) if p.provider else None
        if hit is None:
            continue
        flags.append(
            Flag(
                "project_beneficiary_decides",
                HIGH,
                f"project_beneficiary_decides:{p.id}",
                gettext_noop(
                    "Project %(number)d is carried out by %(provider)s, who is one of the "
                    "community's decision-makers or declared by one (%(relation)s)."
                ),
                {"number": p.number, "provider": p.provider, "relation": hit[1]},
                [_proj(p)],
                85,
                subject=p.provider,
            )
        )
    return flags


RULES = (no_earmark, chain, paid_before_acceptance, no_quorum, beneficiary_decides)


def screen(
    *,
    projects: Sequence[ProjectFact] = (),
    unearmarked: Sequence[PaymentFact] = (),
    meetings: Sequence[MeetingFact] = (),
    people: Sequence[PersonFact] = (),
    uses_earmarks: bool = False,
    today=None,
    **overrides,
) -> list[Flag]:
    p = {**DEFAULTS, **{k: v for k, v in overrides.items() if k in DEFAULTS}}
    flags = []
    for rule in RULES:
        flags += rule(
            projects=list(projects),
            unearmarked=list(unearmarked),
            meetings=list(meetings),
            people=list(people),
            uses_earmarks=uses_earmarks,
            **p,
        )
    return flags
