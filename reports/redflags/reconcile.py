"""Red flags where the books and the bank or payment platform disagree (#23): money the
platform received that no income records, cash taken and not banked in time, more cash
on hand than the community allows, a settlement or deposit the bank shows differently,
and a closed month nobody reconciled.

The rules are plain functions over facts; `facts` reads them from the database. They
apply once a community reconciles at all (a statement imported or a cash deposit
recorded): before that, every cash sale would be "not banked" and the flags would say
nothing an auditor does not already know from the reconciliation page being empty."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_noop

from .rules import HIGH, LOW, MEDIUM, Flag, _strength  # labels: rules.RULE_LABELS


@dataclass(frozen=True)
class LineFact:
    id: int
    account: str
    date: dt.date
    amount: Decimal
    reference: str
    matched: bool
    proposed: bool
    counterparty: str = ""
    refs: tuple[str, ...] = ()
    memo: str = ""


@dataclass(frozen=True)
class CashFact:
    income_id: int
    receipt: str
    date: dt.date
    left: Decimal  # of it still not banked


@dataclass(frozen=True)
class PaidFact:
    kind: str  # settlement | deposit
    id: int
    account: str
    amount: Decimal  # positive
    reference: str
    payee: str = ""


def _line(x: LineFact, detail: str = "") -> dict:
    return {
        "kind": "statement_line",
        "id": x.id,
        "ref": f"statement_line:{x.id}",
        "label": f"{x.account} {x.reference} ¥{x.amount}",
        "detail": detail,
    }


def unrecorded_payments(
    lines: Sequence[LineFact], *, today: dt.date, window_days: int = 3
) -> list[Flag]:
    """Money in on a statement, days old, that no recorded item matches or could."""
    flags = []
    for x in lines:
        if (
            x.amount <= 0
            or x.matched
            or x.proposed
            or x.date > today - dt.timedelta(days=window_days)
        ):
            continue
        flags.append(
            Flag(
                "unrecorded_payment",
                HIGH,
                f"line:{x.account}:{x.reference}",
                gettext_noop(
                    "The statement of %(account)s shows ¥%(amount)s received on %(date)s "
                    "(%(reference)s), and no recorded income matches it."
                ),
                {
                    "account": x.account,
                    "amount": str(x.amount),
                    "date": x.date.isoformat(),
                    "reference": x.reference,
                },
                [_line(x)],
                _strength(60, min(Decimal(30), x.amount / 100)),
                subject=x.account,
                basis=gettext_noop(
                    "Every payment a platform or bank received should be recorded as income."
                ),
            )
        )
    return flags


def cash_not_deposited(
    cash: Sequence[CashFact], *, today: dt.date, deposit_days: int
) -> list[Flag]:
    by_month: dict[str, list[CashFact]] = defaultdict(list)
    for c in cash:
        if c.left > 0 and (today - c.date).days > deposit_days:
            by_month[f"{c.date:%Y-%m}"].append(c)
    return [
        Flag(
            "cash_not_deposited",
            MEDIUM,
            f"cash:{month}",
            gettext_noop(
                "¥%(amount)s of cash taken in %(month)s was not paid into the bank within "
                "%(days)d days."
            ),
            {"amount": str(sum(c.left for c in items)), "month": month, "days": deposit_days},
            [
                {
                    "kind": "income",
                    "id": c.income_id,
                    "ref": f"income:{c.income_id}",
                    "label": c.receipt,
                    "detail": f"¥{c.left}",
                }
                for c in items[:50]
            ],
            _strength(40, len(items)),
            subject=month,
            basis=gettext_noop(
                "Cash is banked first in, first out: the oldest cash is the first deposited."
            ),
        )
        for month, items in sorted(by_month.items())
    ]


def cash_over_limit(days: Sequence[tuple[dt.date, Decimal]], *, limit: Decimal) -> list[Flag]:
    worst: dict[str, tuple[dt.date, Decimal]] = {}
    for day, balance in days:
        month = f"{day:%Y-%m}"
        if balance > limit and (month not in worst or balance > worst[month][1]):
            worst[month] = (day, balance)
    return [
        Flag(
            "cash_over_limit",
            LOW,
            f"cash_limit:{month}",
            gettext_noop(
                "Cash on hand reached ¥%(amount)s on %(date)s, above the limit of ¥%(limit)s."
            ),
            {"amount": str(balance), "date": day.isoformat(), "limit": str(limit)},
            [
                {
                    "kind": "day",
                    "id": 0,
                    "ref": f"cash_day:{day.isoformat()}",
                    "label": day.isoformat(),
                    "detail": f"¥{balance}",
                }
            ],
            _strength(30, (balance / limit - 1) * 20),
            subject=month,
        )
        for month, (day, balance) in sorted(worst.items())
    ]


def bank_differs(paid: Sequence[PaidFact], lines: Sequence[LineFact]) -> list[Flag]:
    """A recorded settlement or deposit whose reference the statement shows, but with
    another amount or (a settlement) another payee."""
    flags = []
    by_ref: dict[tuple[str, str], list[LineFact]] = defaultdict(list)
    for x in lines:
        for ref in (x.reference, *x.refs):
            by_ref[(x.account, ref)].append(x)
    for p in paid:
        if not p.reference:
            continue
        found = by_ref.get((p.account, p.reference), []) or [
            x
            for x in lines
            if x.account == p.account and len(p.reference) >= 6 and p.reference in x.memo
        ]
        for x in found[:1]:
            shown = abs(x.amount)
            other_payee = bool(
                p.payee
                and x.counterparty
                and p.payee not in x.counterparty
                and x.counterparty not in p.payee
            )
            if shown == p.amount and not other_payee:
                continue
            flags.append(
                Flag(
                    "bank_differs",
                    HIGH,
                    f"{p.kind}:{p.id}",
                    gettext_noop(
                        "The %(kind)s %(reference)s is recorded as ¥%(recorded)s to %(payee)s; "
                        "the statement shows ¥%(shown)s to %(counterparty)s."
                    ),
                    {
                        "kind": p.kind,
                        "reference": p.reference,
                        "recorded": str(p.amount),
                        "payee": p.payee or "-",
                        "shown": str(shown),
                        "counterparty": x.counterparty or "-",
                    },
                    [
                        {
                            "kind": p.kind,
                            "id": p.id,
                            "ref": f"{p.kind}:{p.id}",
                            "label": p.reference,
                            "detail": f"¥{p.amount}",
                        },
                        _line(x),
                    ],
                    _strength(70, abs(shown - p.amount) / 10),
                    subject=p.reference,
                )
            )
    return flags


def not_reconciled(months: Sequence[tuple[dt.date, str, str]]) -> list[Flag]:
    """(closed month, account, status) of months whose statement is missing or short."""
    return [
        Flag(
            "not_reconciled",
            MEDIUM,
            f"recon:{month:%Y-%m}:{account}",
            gettext_noop(
                "%(month)s is closed but account %(account)s was not reconciled (%(status)s)."
            ),
            {"month": f"{month:%Y-%m}", "account": account, "status": status},
            [
                {
                    "kind": "month",
                    "id": 0,
                    "ref": f"recon:{month:%Y-%m}:{account}",
                    "label": f"{month:%Y-%m} {account}",
                    "detail": status,
                }
            ],
            50,
            subject=f"{month:%Y-%m}",
        )
        for month, account, status in months
        if status in ("no_statement", "incomplete")
    ]


# --- Facts ---------------------------------------------------------------------------
def found_flags(community, today: dt.date) -> list[Flag]:
    from fundmgr.lib.money import from_fen
    from fundmgr.models import Settlement
    from fundmgr.reconcile import selectors
    from fundmgr.reconcile.models import CashDeposit, DepositStatus, StatementLine

    from ..models import Period, PeriodState

    if not (
        StatementLine.objects.filter(community=community).exists()
        or CashDeposit.objects.filter(community=community).exists()
    ):
        return []
    settings = selectors.settings_of(community)
    matched = set(
        StatementLine.objects.filter(community=community, match__isnull=False).values_list(
            "pk", flat=True
        )
    )
    proposed: set[int] = set()
    for code in selectors.STATEMENT_ACCOUNTS:
        proposed |= {p.line.id for p in selectors.proposals(community, code)}
    lines = [
        LineFact(
            x.pk,
            x.account_code,
            x.date,
            from_fen(x.amount_fen),
            x.reference,
            x.pk in matched,
            x.pk in proposed,
            x.counterparty,
            tuple(x.other_refs.split()),
            x.memo,
        )
        for x in StatementLine.objects.filter(community=community)
    ]
    cash = [
        CashFact(item.id, item.label, item.date, from_fen(left))
        for item, left in selectors.undeposited_cash(community)
    ]
    flags = cash_not_deposited(cash, today=today, deposit_days=settings.deposit_days)
    flags += cash_over_limit(
        [(d, from_fen(b)) for d, b in selectors.cash_on_hand_days(community)],
        limit=from_fen(settings.cash_limit_fen),
    )
    method_code = {m: c for c, (m, _n) in selectors.STATEMENT_ACCOUNTS.items()}
    paid = [
        PaidFact(
            "settlement",
            s.pk,
            method_code.get(s.method, ""),
            s.amount.amount,
            s.bank_reference,
            s.payee_name,
        )
        for s in Settlement.objects.filter(community=community).select_related(
            "provider", "community__hub"
        )
    ]
    paid += [
        PaidFact("deposit", d.pk, selectors.BANK_ACCOUNT, from_fen(d.amount_fen), d.slip_reference)
        for d in CashDeposit.objects.filter(community=community, status=DepositStatus.POSTED)
    ]
    differs = bank_differs(paid, lines)
    explained = {e["id"] for fl in differs for e in fl.evidence if e["kind"] == "statement_line"}
    # A line the bank shows for a recorded deposit or settlement is that flag's case.
    flags += unrecorded_payments([x for x in lines if x.id not in explained], today=today)
    flags += differs
    first = (
        StatementLine.objects.filter(community=community)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    months: list = []
    if first is not None:
        closed = Period.objects.filter(
            community=community,
            state__in=[PeriodState.CLOSED, PeriodState.PUBLISHED],
            month__gte=first.replace(day=1),
        ).values_list("month", flat=True)
        months = selectors.unreconciled_months(community, closed)
    flags += not_reconciled(months)
    return flags
