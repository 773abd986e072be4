"""The check of meaning (DESIGN 4.3a), beside the check of integrity.

`verify_ledger` proves that nothing recorded was changed; this proves that what is
recorded and published could have happened:

- at the end of every day, no cash, bank or payment-platform account is below zero
  (overdrawn), no payable to a provider or the hub is below zero (paid more than it was
  owed) and the community fund is not below zero (spent past its balance);
- the book's debits equal its credits;
- each published month says the same as the books: its opening balances are the
  previous published month's closing ones, its own movements add up (opening + what
  came in - what went out = closing, for cash, the fund, each provider and the hub),
  and what it says - totals, balances, every income, reversal, settlement and
  disbursement - is what the ledger and the records show today for its dates.

The published, signed document is the reference: a database rewritten consistently
after publication still disagrees with what was published, and that is named here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fundmgr.chart import CASH_CODES, HUB_ACCOUNT, PROVIDER_ACCOUNT_PREFIX
from fundmgr.lib.money import fen, yuan
from fundmgr.models import Community
from fundmgr.projects.selectors import earmark_problems
from ledger.meaning import imbalance_fen, overdrafts

from . import disclosure
from .models import Period, PeriodState

# The parts of a published document that can never change once its month is closed
# (an income's status can: it may be reversed in a later month; red-flag counts and the
# chain head move on).
STABLE = ("totals", "by_tier")
# What the reader is told a section is, in a violation's message.
PARTS = {
    "totals": gettext_lazy("totals"),
    "by_tier": gettext_lazy("totals by tier"),
    "by_provider": gettext_lazy("totals by provider"),
    "by_package": gettext_lazy("totals by package"),
    "balances": gettext_lazy("opening and closing balances"),
    "incomes": gettext_lazy("incomes"),
    "reversals": gettext_lazy("reversals"),
    "settlements": gettext_lazy("settlements"),
    "disbursements": gettext_lazy("disbursements"),
    "donations": gettext_lazy("donations"),
    "restricted_funds": gettext_lazy("restricted funds"),
}


@dataclass(frozen=True)
class Violation:
    """One thing the books show that cannot happen."""

    community: str
    kind: str  # overdrawn | overpaid | overspent | unbalanced | opening | movement | document
    # | deposit (#23)
    message: str
    account: str = ""
    date: dt.date | None = None
    amount: str = ""

    def __str__(self) -> str:
        return f"{self.community}: {self.message}"


def _kind(code: str) -> str:
    if code in CASH_CODES:
        return "overdrawn"
    if code.startswith(PROVIDER_ACCOUNT_PREFIX) or code == HUB_ACCOUNT:
        return "overpaid"
    return "overspent"


def ledger_violations(
    community: Community, since: dt.date | None = None, through: dt.date | None = None
) -> list[Violation]:
    """Day-end balances below zero (each account's first such day) and an unbalanced
    book; with `since` and `through`, only the days between them."""
    book = community.book
    found = []
    for o in overdrafts(book, since=since, through=through):
        words = {
            "overdrawn": _("%(account)s was overdrawn at the end of %(date)s: %(amount)s."),
            "overpaid": _(
                "%(account)s was paid more than it was owed by the end of %(date)s: %(amount)s."
            ),
            "overspent": _(
                "%(account)s was spent past its balance by the end of %(date)s: %(amount)s."
            ),
        }
        kind = _kind(o.account)
        found.append(
            Violation(
                community.code,
                kind,
                words[kind]
                % {
                    "account": f"{o.account} {o.name}",
                    "date": o.date.isoformat(),
                    "amount": yuan(o.balance_fen),
                },
                account=o.account,
                date=o.date,
                amount=yuan(o.balance_fen),
            )
        )
    off = imbalance_fen(book)
    if off:
        found.append(
            Violation(
                community.code,
                "unbalanced",
                _("Debits and credits of the book differ by %(amount)s.") % {"amount": yuan(off)},
                amount=yuan(off),
            )
        )
    return found


def _sum(rows: Iterable[dict], key: str = "amount", **match) -> int:
    return sum(fen(r[key]) for r in rows if all(r.get(k) == v for k, v in match.items()))


def movement_violations(community: Community, document: dict) -> list[Violation]:
    """The month's own arithmetic, from the document alone: opening + in - out = closing
    for cash (all accounts together), the fund, each provider and the hub. Reversals
    booked in the month are already netted in its totals and shares."""
    label = document["month"]
    opening, closing = document["balances"]["opening"], document["balances"]["closing"]
    totals = document["totals"]
    settlements, disbursements = document["settlements"], document["disbursements"]
    paid_out = _sum(settlements) + _sum(disbursements)
    # The symbolic rent of spaces comes into cash too, outside the split (older
    # documents have no `spaces`).
    rents = _sum(document.get("spaces", {}).get("rents", []))
    # Donations and market takings given to the fund come into cash outside the split,
    # and restricted funds pay out of it (issue 18; older documents have none).
    gifts = document.get("donations", {}).get("lines", [])
    to_fund = _sum(document.get("markets", {}).get("to_fund", []))
    restricted = document.get("restricted_funds", {})
    spent_restricted = _sum(restricted.get("spending", []))
    unrestricted = sum(fen(g["amount"]) for g in gifts if not g["restricted_to"])
    rents += _sum(gifts) + to_fund - spent_restricted
    checks = [
        (
            _("cash and bank"),
            sum(fen(v) for v in opening["cash"].values()),
            fen(totals["net"]) - paid_out + rents,
            sum(fen(v) for v in closing["cash"].values()),
        ),
        (
            _("the community fund"),
            fen(opening["fund"]),
            fen(totals["fund"]) - _sum(disbursements) + unrestricted + to_fund,
            fen(closing["fund"]),
        ),
        (
            _("the hub"),
            fen(opening["hub"]),
            fen(totals["hub"]) - _sum(settlements, party="hub"),
            fen(closing["hub"]),
        ),
    ]
    for rf in restricted.get("funds", []):
        checks.append(
            (
                rf["account"],
                fen(rf["opening"]),
                fen(rf["received"]) - fen(rf["spent"]),
                fen(rf["closing"]),
            )
        )
    by_provider = {r["code"]: fen(r["share"]) for r in document["by_provider"]}
    for code in sorted(set(opening["providers"]) | set(closing["providers"])):
        checks.append(
            (
                code,
                fen(opening["providers"].get(code, "0")),
                by_provider.get(code, 0) - _sum(settlements, party=code),
                fen(closing["providers"].get(code, "0")),
            )
        )
    found = []
    for what, start, change, end in checks:
        if start + change != end:
            found.append(
                Violation(
                    community.code,
                    "movement",
                    _(
                        "%(month)s: %(what)s opens at %(opening)s and moves by %(change)s, "
                        "but closes at %(closing)s."
                    )
                    % {
                        "month": label,
                        "what": what,
                        "opening": yuan(start),
                        "change": yuan(change),
                        "closing": yuan(end),
                    },
                    amount=yuan(start + change - end),
                )
            )
    return found


def balances_fen(balances: dict) -> dict[str, int]:
    """A document's balances as one map of fen, an account missing from it counting as
    zero: a provider's payable opened after a month was published is absent from that
    month's document, not different in it."""
    flat = {f"cash:{k}": fen(v) for k, v in balances["cash"].items()}
    flat |= {f"provider:{k}": fen(v) for k, v in balances["providers"].items()}
    flat |= {"hub": fen(balances["hub"]), "fund": fen(balances["fund"])}
    return {k: v for k, v in flat.items() if v}


def _party_lines(document: dict, section: str) -> list[tuple]:
    """By provider or by package, on codes and amounts: a name may be edited later."""
    return sorted(
        tuple(sorted((k, v) for k, v in row.items() if k != "name")) for row in document[section]
    )


def _income_lines(document: dict) -> list[tuple]:
    return [
        (i["receipt"], i["entry"], i["amount"], tuple(sorted(i["split"].items())))
        for i in document["incomes"]
    ]


def _disbursement_lines(document: dict) -> list[tuple]:
    return [(d["entry"], d["amount"], d["date"]) for d in document["disbursements"]]


def _reversal_lines(document: dict) -> list[tuple]:
    return [
        (r["receipt"], r["entry"], r["reverses"], r["date"], r["amount"])
        for r in document["reversals"]
    ]


def _settlement_lines(document: dict) -> list[tuple]:
    return [(s["entry"], s["party"], s["amount"], s["date"]) for s in document["settlements"]]


def _gift_lines(document: dict) -> list[tuple]:
    return [(g["receipt"], g["entry"], g["amount"]) for g in document["donations"]["lines"]]


def _fund_lines(document: dict) -> list[tuple]:
    funds = document["restricted_funds"]
    return [(f["account"], f["opening"], f["closing"]) for f in funds["funds"]] + [
        (s["fund"], s["entry"], s["amount"]) for s in funds["spending"]
    ]


def document_violations(community: Community, period: Period, published: dict) -> list[Violation]:
    """What the published document says against what the books show today for its
    dates: the first section that differs is named."""
    now = disclosure.build(period)
    found = []
    parts = [(name, published.get(name), now.get(name)) for name in STABLE]
    parts.append(
        (
            "balances",
            {k: balances_fen(v) for k, v in published["balances"].items()},
            {k: balances_fen(v) for k, v in now["balances"].items()},
        )
    )
    for section in ("by_provider", "by_package"):
        parts.append((section, _party_lines(published, section), _party_lines(now, section)))
    # Lines are compared on what they said when published (documents of an older format
    # lack fields added since, and an income's status may change by a later reversal).
    for name, lines in (
        ("incomes", _income_lines),
        ("reversals", _reversal_lines),
        ("settlements", _settlement_lines),
        ("disbursements", _disbursement_lines),
    ):
        parts.append((name, lines(published), lines(now)))
    # Donations and restricted funds (issue 18), in documents that have them.
    if "donations" in published:
        parts.append(("donations", _gift_lines(published), _gift_lines(now)))
        parts.append(("restricted_funds", _fund_lines(published), _fund_lines(now)))
    for name, was, is_ in parts:
        if was != is_:
            found.append(
                Violation(
                    community.code,
                    "document",
                    _("%(month)s: the published %(part)s differ from what the books show today.")
                    % {"month": period.label, "part": PARTS[name]},
                )
            )
    return found


def published_violations(community: Community) -> list[Violation]:
    """Every published month of the community, in order."""
    found: list[Violation] = []
    previous: tuple[dt.date, dict] | None = None
    periods = (
        Period.objects.filter(community=community, state=PeriodState.PUBLISHED)
        .select_related("disclosure")
        .order_by("month")
    )
    for period in periods:
        document = json.loads(period.disclosure.document)
        if previous is not None:
            found += opening_violations(community, previous[1], document)
        found += movement_violations(community, document)
        found += document_violations(community, period, document)
        previous = (period.month, document)
    return found


def opening_violations(community: Community, before: dict, document: dict) -> list[Violation]:
    """A month opens where the month before it closed."""
    if balances_fen(before["balances"]["closing"]) == balances_fen(document["balances"]["opening"]):
        return []
    return [
        Violation(
            community.code,
            "opening",
            _("%(month)s opens with other balances than %(before)s closed with.")
            % {"month": document["month"], "before": before["month"]},
        )
    ]


def deposit_violations(community: Community) -> list[Violation]:
    """Cash deposits posted as recorded, and no cash-to-bank transfer without one (#23)."""
    from fundmgr.reconcile.checks import deposit_problems

    words = {
        "wrong_posting": _(
            "Cash deposit %(slip)s (entry %(seq)d, %(date)s) is not posted as %(amount)s "
            "from cash on hand to the bank."
        ),
        "unrecorded_transfer": _(
            "Entry %(seq)d moves %(amount)s from cash on hand to the bank on %(date)s, but "
            "no reviewed cash deposit records it."
        ),
    }
    return [
        Violation(
            community.code,
            "deposit",
            words[p.what]
            % {
                "slip": p.slip,
                "seq": p.entry_seq,
                "date": p.date.isoformat(),
                "amount": yuan(p.amount_fen),
            },
            account="1001",
            date=p.date,
            amount=yuan(p.amount_fen),
        )
        for p in deposit_problems(community)
    ]


def earmark_violations(community: Community) -> list[Violation]:
    """Each project's earmark holds what its records leave (decided - paid - returned);
    the earmarks themselves are never below zero (an equity account, in
    ledger_violations), so free + earmarked is the whole fund (#19)."""
    return [
        Violation(community.code, "earmark", message, account=code)
        for code, message in earmark_problems(community)
    ]


def check_community(community: Community) -> list[Violation]:
    return (
        ledger_violations(community)
        + deposit_violations(community)
        + published_violations(community)
        + earmark_violations(community)
    )


def check_publishable(community: Community, period: Period, document: dict) -> list[Violation]:
    """Before a month is published: nothing impossible on its days, its own
    arithmetic holds, and it opens where the last published month closed."""
    # Its own days: an earlier month was checked when it was published.
    found = ledger_violations(community, since=period.month, through=period.last_day)
    found += movement_violations(community, document)
    before = (
        Period.objects.filter(
            community=community, state=PeriodState.PUBLISHED, month__lt=period.month
        )
        .select_related("disclosure")
        .order_by("-month")
        .first()
    )
    if before is not None:
        found += opening_violations(community, json.loads(before.disclosure.document), document)
    return found
