"""Red flags: pure rules over facts about incomes, disbursements, settlements and staff,
each aimed at a scheme a dishonest officer, reviewer or provider can run with this
product (ACFE's occupational-fraud tree; the journal-entry tests of ISA 240 / AS 2401).

Every rule is a plain function: facts and parameters in, `Flag`s out, no database. A
flag names a *finding about stable objects* by its `key` - a payee, an officer and a
month, an invoice number, a provider, a reversed receipt - never a count or a date that
changes with the next screening, so screening appends evidence to one incident instead
of raising it again (reports/screening.py).

Messages are English msgids marked for translation with their parameters kept apart, so
the auditor reads them in their own language (zh-Hans by default). Money is Decimal
throughout; floats appear only for statistics (p-values, z-scores, MAD), never amounts.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop

from fundmgr.lib.names import name_forms, normal_account, normal_invoice, normal_name
from fundmgr.lib.workcalendar import WorkCalendar

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}
SEVERITY_LABELS = {
    HIGH: gettext_noop("high"),
    MEDIUM: gettext_noop("medium"),
    LOW: gettext_noop("low"),
}
# Words a rule puts into its parameters, translated when shown.
WORDS = {
    w: w
    for w in (
        gettext_noop("paid"),
        gettext_noop("low_cost"),
        gettext_noop("public_benefit"),
        gettext_noop("amount"),
        gettext_noop("date"),
        gettext_noop("identical"),
        gettext_noop("identical file"),
        gettext_noop("re-saved copy: same text or near-identical image"),
        gettext_noop("self"),
        gettext_noop("spouse"),
        gettext_noop("parent"),
        gettext_noop("child"),
        gettext_noop("sibling"),
        gettext_noop("in_law"),
        gettext_noop("relative"),
        gettext_noop("business"),
        gettext_noop("close"),
        gettext_noop("acceptable"),
        gettext_noop("marginal"),
        gettext_noop("nonconforming"),
        gettext_noop("reversed"),
        gettext_noop("re-recorded"),
        gettext_noop("holiday"),
        gettext_noop("weekend"),
        gettext_noop("adjusted workday"),
        gettext_noop("workday"),
    )
}
# What an auditor calls each finding (translated when shown).
RULE_LABELS = {
    "below_list_price": gettext_noop("Sale recorded below the listed price"),
    "low_cost_share": gettext_noop("Unusual share of low-cost (低偿) sales"),
    "rerecorded_lower": gettext_noop("Reversed and recorded again for less"),
    "duplicate_payment": gettext_noop("Same payment recorded twice"),
    "reversal_rate": gettext_noop("Many reversals without re-recording"),
    "backdated": gettext_noop("Income recorded long after payment"),
    "off_hours": gettext_noop("Entries at night or on days off"),
    "split_payment": gettext_noop("Payment split under an approval limit"),
    "round_grants": gettext_noop("Repeated round-amount payments to one payee"),
    "benford": gettext_noop("First digits depart from Benford's law"),
    "duplicate_invoice": gettext_noop("Invoice number used more than once"),
    "duplicate_attachment": gettext_noop("Same evidence document on several payments"),
    "no_evidence": gettext_noop("Payment without a supporting document"),
    "shared_account": gettext_noop("One bank account for several payees"),
    "payee_conflict": gettext_noop("Payee is staff or a declared relative"),
    "quick_approval": gettext_noop("Approved within minutes"),
    "concentration": gettext_noop("Payments concentrated on one payee"),
    "stopped_income": gettext_noop("Provider paid after its income stopped"),
    # Spaces let for services (reports/redflags/spaces.py).
    "space_shortfall": gettext_noop("Space agreement: services owed not delivered"),
    "space_no_decision": gettext_noop("Space agreement renewed or changed without a decision"),
    "space_private_business": gettext_noop("Paid business in a public space beyond its agreement"),
    "space_self_confirmed": gettext_noop("Space deliveries confirmed by the operator's own staff"),
    # reports.supervision: fewer co-signatures than the quorum within the window.
    "cosign_missing": gettext_noop("Month not co-signed by the supervisory committee"),
    # Bank and platform statements against the books (#23, redflags/reconcile.py).
    "unrecorded_payment": gettext_noop("Payment on a statement with no recorded income"),
    "cash_not_deposited": gettext_noop("Cash income not paid into the bank in time"),
    "cash_over_limit": gettext_noop("More cash on hand than allowed"),
    "bank_differs": gettext_noop("Bank shows a payment differently from the books"),
    "not_reconciled": gettext_noop("Closed month without a reconciled statement"),
    # Donations, markets and purchase contracts (reports/redflags/inflows.py).
    "contract_overbilled": gettext_noop("Purchase contract billed past a line's units or cap"),
    "beneficiary_twice": gettext_noop("One beneficiary billed twice for one unit"),
    "beneficiaries_over_eligible": gettext_noop(
        "More beneficiaries billed than residents eligible"
    ),
    "market_count": gettext_noop("Charity market: the two counts differ"),
    # How the fund is decided and spent (reports/redflags/projects.py, #19).
    "project_no_earmark": gettext_noop("Fund payment citing no project earmark"),
    "project_earmark_chain": gettext_noop("Earmark drained by a chain of payments"),
    "project_paid_before_acceptance": gettext_noop("Project paid in full before acceptance"),
    "project_no_quorum": gettext_noop("Decision taken without a quorum"),
    "project_beneficiary_decides": gettext_noop("Project carried out by a decision-maker"),
    # Rules retired by #17; their earlier flags are kept.
    "amount_outlier": gettext_noop("Unusually large payment"),
    "round_numbers": gettext_noop("Many round amounts"),
    "repeated_ending": gettext_noop("Repeated amount ending"),
}

RULE_DEFAULTS = {
    "duplicate_window_minutes": 10,
    "split_window_days": 10,
    "split_near_fraction": Decimal("0.8"),
    "backdate_workdays": 6,
    "reversal_rate": Decimal("0.05"),
    "reversal_min_recorded": 20,
    "rerecord_days": 2,
    "quick_approval_minutes": 2,
    "quick_min": 3,
    "concentration_share": Decimal("0.5"),
    "concentration_min": 5,
    "round_min": 3,
    "round_unit": Decimal("100"),
    "benford_min": 80,
    "benford_p": 0.001,
    "lowcost_z": 2.5,
    "lowcost_min_excess": 15,
    "lowcost_peer_min": 10,
    "night_from": 22,
    "night_to": 6,
    "off_hours_min": 3,
    "stopped_days": 60,
    "image_distance": 10,
}


# --- Facts ---------------------------------------------------------------------------
@dataclass(frozen=True)
class IncomeFact:
    id: int
    receipt: str
    payer: str
    package: str
    provider: str
    amount: Decimal
    paid_at: dt.datetime  # local time
    recorded_at: dt.datetime
    recorded_by: str
    reversed: bool = False
    tier: str = "paid"
    quantity: int = 1
    list_price: Decimal | None = None  # the package's price for this tier, per unit
    both_tiers: bool = False  # the package offers both paid and low-cost prices
    reversed_at: dt.datetime | None = None
    reversed_by: str = ""
    community: str = ""


@dataclass(frozen=True)
class DocumentFact:
    id: int
    kind: str  # invoice, receipt, minutes, other
    sha256: str
    text_digest: str = ""
    image_hash: str = ""  # hex of a 256-bit difference hash


@dataclass(frozen=True)
class DisbursementFact:
    id: int
    payee: str
    payee_account: str
    amount: Decimal
    requested_at: dt.datetime
    approved_at: dt.datetime | None
    paid: bool
    invoice_number: str
    invoice_date: dt.date | None
    attachments: tuple[str, ...] = ()  # sha256 of each
    requested_by: str = ""
    approvers: tuple[str, ...] = ()
    documents: tuple[DocumentFact, ...] = ()


@dataclass(frozen=True)
class SettlementFact:
    provider: str
    paid_on: dt.date
    id: int = 0


@dataclass(frozen=True)
class PersonFact:
    """A member of staff or of the committee in this community, as a payee could name
    them, with what they declared (InterestDeclaration)."""

    username: str
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    # (relation, name, bank account) for themselves, relatives and businesses
    interests: tuple[tuple[str, str, str], ...] = ()


@dataclass
class Flag:
    rule: str
    severity: str
    key: str  # stable: a finding about the same objects is the same incident
    message: str  # an English msgid (translated when shown), with %(name)s parameters
    params: dict = field(default_factory=dict)
    evidence: list[dict] = field(default_factory=list)
    strength: int = 50  # 0-100
    subject: str = ""
    basis: str = ""  # an msgid: what the rule assumed, said on the flag

    @property
    def explanation(self) -> str:
        return self.message % self.params if self.params else self.message

    @property
    def refs(self) -> set[str]:
        return {e["ref"] for e in self.evidence}


def _inc(i: IncomeFact, detail: str = "") -> dict:
    return {
        "kind": "income",
        "id": i.id,
        "ref": f"income:{i.id}",
        "label": i.receipt,
        "detail": detail,
    }


def _dis(d: DisbursementFact, detail: str = "") -> dict:
    return {
        "kind": "disbursement",
        "id": d.id,
        "ref": f"disbursement:{d.id}",
        "label": f"{d.payee} ¥{d.amount}",
        "detail": detail,
    }


def _strength(base: int, extra: float | Decimal) -> int:
    """A flag's strength from 1 to 100 (a score, not money; Decimal ratios welcome)."""
    return max(1, min(100, round(base + extra)))


def _month(moment: dt.datetime | dt.date) -> str:
    return f"{moment:%Y-%m}"


def _live(incomes: Iterable[IncomeFact]) -> list[IncomeFact]:
    return [i for i in incomes if not i.reversed]


# --- Skimming on sales ------------------------------------------------------------------
def below_list_price(incomes: Sequence[IncomeFact], **_) -> list[Flag]:
    """A 有偿 or 低偿 sale recorded below the package's listed price x quantity: the
    resident paid the price, the books show less. Quiet when other officers recorded the
    same unit price for that package and tier at least three times (a price change the
    package record has not caught up with, not one officer's habit)."""
    unit_by_other = defaultdict(Counter)
    for i in incomes:
        if i.list_price is not None and i.quantity:
            unit_by_other[(i.package, i.tier)][(i.recorded_by, i.amount / i.quantity)] += 1
    groups = defaultdict(list)
    for i in _live(incomes):
        if i.tier not in ("paid", "low_cost") or i.list_price is None:
            continue
        if i.amount >= i.list_price * i.quantity:
            continue
        unit = i.amount / i.quantity
        others = sum(
            n
            for (who, u), n in unit_by_other[(i.package, i.tier)].items()
            if u == unit and who != i.recorded_by
        )
        if others >= 3:
            continue
        groups[(i.recorded_by, _month(i.paid_at))].append(i)
    flags = []
    for (who, month), items in sorted(groups.items()):
        short = sum((i.list_price * i.quantity - i.amount for i in items), Decimal(0))
        flags.append(
            Flag(
                "below_list_price",
                HIGH,
                f"underprice:{who}:{month}",
                gettext_noop(
                    "%(who)s recorded %(n)d sales in %(month)s below the package's listed price "
                    "x quantity, ¥%(short)s less in all: the resident may have paid the full "
                    "price."
                ),
                {"who": who, "n": len(items), "month": month, "short": f"{short:.2f}"},
                [_inc(i, f"¥{i.amount} < ¥{i.list_price} x {i.quantity}") for i in items],
                _strength(70, 5 * len(items)),
                f"{who} {month}",
            )
        )
    return flags


def low_cost_share(
    incomes: Sequence[IncomeFact], *, lowcost_z, lowcost_min_excess, lowcost_peer_min, **_
) -> list[Flag]:
    """Full-price sales recorded as the cheaper 低偿 tier: no eligibility record exists,
    so each officer's 低偿 share is compared with their peers' on the same packages.

    Expected 低偿 count = the sum, over the officer's sales of packages that offer both
    tiers, of the peers' 低偿 rate for that package; the excess is scored as a normal
    approximation to that sum of Bernoulli draws (z). Floats: statistics, not money."""
    live = [i for i in _live(incomes) if i.both_tiers and i.tier in ("paid", "low_cost")]
    by_package = defaultdict(Counter)
    for i in live:
        by_package[i.package][(i.recorded_by, i.tier)] += 1
    officers = sorted({i.recorded_by for i in live})
    flags = []
    for who in officers:
        mine = [i for i in live if i.recorded_by == who]
        expected = variance = 0.0
        observed = 0
        peer_ticket = mine_ticket = Decimal(0)
        counted = []
        per_package = Counter(i.package for i in mine)
        for package, n in per_package.items():
            counts = by_package[package]
            peer_low = sum(k for (w, t), k in counts.items() if w != who and t == "low_cost")
            peer_all = sum(k for (w, _t), k in counts.items() if w != who)
            if peer_all < lowcost_peer_min:
                continue
            rate = peer_low / peer_all
            expected += n * rate
            # The officer's draws, and the uncertainty of the peers' rate itself (a
            # two-sample comparison: few peer sales must not make a small gap look large).
            variance += n * rate * (1 - rate) + n * n * rate * (1 - rate) / peer_all
            for i in mine:
                if i.package == package:
                    observed += i.tier == "low_cost"
                    counted.append(i)
                    mine_ticket += i.amount / i.quantity
        if not counted or variance <= 0:
            continue
        z = (observed - expected) / math.sqrt(variance)
        if z < lowcost_z or observed - expected < lowcost_min_excess:
            continue
        # The average ticket against the peers' on the same packages.
        peer_units = defaultdict(list)
        for i in live:
            if i.recorded_by != who:
                peer_units[i.package].append(i.amount / i.quantity)
        peer_ticket = sum(
            (sum(peer_units[i.package]) / len(peer_units[i.package]) for i in counted), Decimal(0)
        )
        ratio = mine_ticket / peer_ticket if peer_ticket else Decimal(1)
        flags.append(
            Flag(
                "low_cost_share",
                HIGH,
                f"lowcost:{who}",
                gettext_noop(
                    "%(who)s recorded %(observed)d of %(n)d sales as 低偿 where their peers' rate "
                    "on the same packages predicts %(expected).0f (z = %(z).1f); their average "
                    "ticket is %(ratio)s%% of the peers'. Full-price sales may be recorded at the "
                    "low-cost price."
                ),
                {
                    "who": who,
                    "observed": observed,
                    "n": len(counted),
                    "expected": expected,
                    "z": z,
                    "ratio": f"{ratio * 100:.0f}",
                },
                [_inc(i) for i in counted if i.tier == "low_cost"],
                _strength(60, 5 * (z - lowcost_z)),
                who,
                gettext_noop(
                    "Peer comparison: the same packages' 低偿 share among the other officers of "
                    "the subdistrict, where they recorded enough sales of a package "
                    "(lowcost_peer_min)."
                ),
            )
        )
    return flags


def rerecorded_lower(incomes: Sequence[IncomeFact], *, rerecord_days, **_) -> list[Flag]:
    """A posted income reversed, then the same payer and package recorded again for less
    within days: the difference is kept. Quiet for an honest correction - the same tier
    re-recorded at exactly the listed price x the corrected quantity."""
    window = dt.timedelta(days=rerecord_days)
    later = defaultdict(list)
    for i in _live(incomes):
        if i.payer:
            later[(normal_name(i.payer), i.package)].append(i)
    flags = []
    for r in incomes:
        if not (r.reversed and r.reversed_at and r.payer):
            continue
        for n in later[(normal_name(r.payer), r.package)]:
            if n.id == r.id or not (
                r.reversed_at - dt.timedelta(hours=1) <= n.recorded_at <= r.reversed_at + window
            ):
                continue
            if n.amount >= r.amount:
                continue
            honest = (
                n.tier == r.tier
                and n.list_price is not None
                and n.amount == n.list_price * n.quantity
                and n.quantity != r.quantity
            )
            if honest:
                continue
            flags.append(
                Flag(
                    "rerecorded_lower",
                    HIGH,
                    f"rerecord:{r.receipt}",
                    gettext_noop(
                        "Receipt %(old)s (¥%(old_amount)s, %(old_tier)s) was reversed and the same "
                        "payer and package recorded again as %(new)s for ¥%(new_amount)s "
                        "(%(new_tier)s)."
                    ),
                    {
                        "old": r.receipt,
                        "old_amount": f"{r.amount}",
                        "old_tier": r.tier,
                        "new": n.receipt,
                        "new_amount": f"{n.amount}",
                        "new_tier": n.tier,
                    },
                    [_inc(r, "reversed"), _inc(n, "re-recorded")],
                    _strength(75, (r.amount - n.amount) / r.amount * 25),
                    r.receipt,
                )
            )
            break
    return flags


def duplicate_payments(incomes, *, duplicate_window_minutes, **_) -> list[Flag]:
    """The same payer, package and amount twice within minutes - unless one of the two
    was already reversed (the correction the flag would ask for). Not 公益 income."""
    flags = []
    groups = defaultdict(list)
    for i in _live(incomes):
        # 公益 income is the purchaser's order, paid service by service: repeats are usual.
        if i.payer and i.tier != "public_benefit":
            groups[(normal_name(i.payer), i.package, i.amount)].append(i)
    window = dt.timedelta(minutes=duplicate_window_minutes)
    for (_payer, _package, amount), group in groups.items():
        group.sort(key=lambda i: (i.paid_at, i.id))
        for a, b in zip(group, group[1:], strict=False):
            if b.paid_at - a.paid_at <= window:
                flags.append(
                    Flag(
                        "duplicate_payment",
                        MEDIUM,
                        f"pay:{a.id}:{b.id}",
                        gettext_noop(
                            "The same payer, package and amount ¥%(amount)s were recorded twice "
                            "within %(minutes)d minutes: a double charge or a double entry."
                        ),
                        {"amount": f"{amount}", "minutes": duplicate_window_minutes},
                        [_inc(a), _inc(b)],
                        55,
                        a.receipt,
                    )
                )
    return flags


def reversal_rates(
    incomes, *, reversal_rate, reversal_min_recorded, rerecord_days, **_
) -> list[Flag]:
    """False voids: an officer who reverses far more of their incomes than their peers,
    without recording them again (a reversal followed by a re-recording is a correction)."""
    window = dt.timedelta(days=rerecord_days)
    redone = {(normal_name(i.payer), i.package): i for i in _live(incomes) if i.payer}
    per = defaultdict(list)
    for i in incomes:
        per[i.recorded_by].append(i)

    def voids(items):
        out = []
        for i in items:
            if not i.reversed:
                continue
            again = redone.get((normal_name(i.payer), i.package))
            if again and i.reversed_at and abs(again.recorded_at - i.reversed_at) <= window:
                continue
            out.append(i)
        return out

    total = sum(len(v) for v in per.values())
    all_voids = sum(len(voids(v)) for v in per.values())
    flags = []
    for who, items in sorted(per.items()):
        mine = voids(items)
        if len(items) < reversal_min_recorded or not mine:
            continue
        share = Decimal(len(mine)) / len(items)
        peers_n = total - len(items)
        peer_share = (Decimal(all_voids - len(mine)) / peers_n) if peers_n else Decimal(0)
        if share <= reversal_rate or share <= 2 * peer_share:
            continue
        flags.append(
            Flag(
                "reversal_rate",
                MEDIUM,
                f"rev:{who}",
                gettext_noop(
                    "%(who)s reversed %(n)d of the %(total)d incomes they recorded (%(share)s%%) "
                    "without recording them again; their peers: %(peer)s%%. Reversing a real "
                    "payment after giving the receipt keeps the cash off the books."
                ),
                {
                    "who": who,
                    "n": len(mine),
                    "total": len(items),
                    "share": f"{share * 100:.1f}",
                    "peer": f"{peer_share * 100:.1f}",
                },
                [_inc(i) for i in mine],
                _strength(50, share / max(peer_share, Decimal("0.005")) * 3),
                who,
            )
        )
    return flags


def backdating(incomes, *, backdate_workdays, calendar: WorkCalendar, **_) -> list[Flag]:
    """Income recorded long after it was paid: the cash was held (or lapped) meanwhile.
    The delay is counted in working days of the work calendar (a Spring Festival week
    is not a delay); the limit is the configured one or, where an office routinely
    records later, the peers' 95th percentile plus two working days."""
    lags = {
        i.id: calendar.workdays_between(i.paid_at.date(), i.recorded_at.date()) for i in incomes
    }
    by_who = defaultdict(list)
    for i in incomes:
        by_who[i.recorded_by].append(lags[i.id])
    groups = defaultdict(list)
    limits = {}
    for who in by_who:
        peers = sorted(x for w, xs in by_who.items() if w != who for x in xs)
        peer_p95 = peers[int(len(peers) * 0.95)] if len(peers) >= 50 else 0
        limits[who] = max(backdate_workdays, peer_p95 + 2)
    for i in incomes:
        if lags[i.id] > limits[i.recorded_by]:
            groups[(i.recorded_by, _month(i.recorded_at))].append(i)
    flags = []
    for (who, month), items in sorted(groups.items()):
        outside = any(not calendar.known(i.paid_at.date()) for i in items)
        flags.append(
            Flag(
                "backdated",
                MEDIUM,
                f"backdate:{who}:{month}",
                gettext_noop(
                    "%(who)s recorded %(n)d incomes in %(month)s more than %(limit)d working days "
                    "after they were paid (up to %(max)d): money held before it reached the "
                    "books."
                ),
                {
                    "who": who,
                    "n": len(items),
                    "month": month,
                    "limit": limits[who],
                    "max": max(lags[i.id] for i in items),
                },
                [
                    _inc(i, f"{i.paid_at:%Y-%m-%d} → {i.recorded_at:%Y-%m-%d} · {lags[i.id]}")
                    for i in items
                ],
                _strength(55, 3 * len(items)),
                f"{who} {month}",
                gettext_noop(
                    "Some dates are outside the work calendar's known years: weekends only."
                )
                if outside
                else "",
            )
        )
    return flags


def off_hours(
    incomes, disbursements=(), *, night_from, night_to, off_hours_min, calendar: WorkCalendar, **_
) -> list[Flag]:
    """Incomes recorded, incomes reversed and payments requested at night or on a day
    off - public holidays and weekends, but not the 调休 Saturdays that are working
    days. One incident per person and month, from `off_hours_min` such actions."""

    def odd(at: dt.datetime) -> bool:
        return at.hour >= night_from or at.hour < night_to or not calendar.is_workday(at.date())

    groups = defaultdict(list)
    for i in incomes:
        if i.recorded_by and i.recorded_by != "import" and odd(i.recorded_at):
            groups[(i.recorded_by, _month(i.recorded_at))].append(
                _inc(
                    i, f"{i.recorded_at:%Y-%m-%d %H:%M} · {calendar.describe(i.recorded_at.date())}"
                )
            )
        if i.reversed_at and i.reversed_by and odd(i.reversed_at):
            item = _inc(
                i,
                f"{i.reversed_at:%Y-%m-%d %H:%M} · reversed · "
                f"{calendar.describe(i.reversed_at.date())}",
            )
            item["ref"] = f"reversal:{i.id}"
            groups[(i.reversed_by, _month(i.reversed_at))].append(item)
    for d in disbursements:
        if d.requested_by and odd(d.requested_at):
            groups[(d.requested_by, _month(d.requested_at))].append(
                _dis(
                    d,
                    f"{d.requested_at:%Y-%m-%d %H:%M} · {calendar.describe(d.requested_at.date())}",
                )
            )
    flags = []
    for (who, month), items in sorted(groups.items()):
        if len(items) < off_hours_min:
            continue
        flags.append(
            Flag(
                "off_hours",
                LOW,
                f"hours:{who}:{month}",
                gettext_noop(
                    "%(who)s made %(n)d entries in %(month)s at night or on a day off (public "
                    "holidays and weekends; the 调休 working days count as working days)."
                ),
                {"who": who, "n": len(items), "month": month},
                items,
                _strength(30, 4 * len(items)),
                f"{who} {month}",
            )
        )
    return flags


# --- Payouts ----------------------------------------------------------------------------
def split_payments(
    ds, *, one_reviewer_up_to, committee_from=None, split_window_days, split_near_fraction, **_
) -> list[Flag]:
    """One purchase cut into parts just under an approval limit - the one-reviewer limit
    (two reviewers above it) or the collective-decision limit (三重一大) - paid to one
    payee within days, together above the limit."""
    limits = [("one", one_reviewer_up_to, True)]
    if committee_from is not None:
        limits.append(("committee", committee_from, False))
    window = dt.timedelta(days=split_window_days)
    flags = []
    for tier, limit, inclusive in limits:
        near = limit * split_near_fraction
        by_payee = defaultdict(list)
        for d in ds:
            under = d.amount <= limit if inclusive else d.amount < limit
            if near <= d.amount and under:
                by_payee[normal_name(d.payee)].append(d)
        for payee, group in sorted(by_payee.items()):
            group.sort(key=lambda d: (d.requested_at, d.id))
            caught: dict[int, DisbursementFact] = {}
            start = 0
            for end in range(len(group)):
                while group[end].requested_at - group[start].requested_at > window:
                    start += 1
                run = group[start : end + 1]
                if len(run) >= 2 and sum(d.amount for d in run) > limit:
                    caught.update((d.id, d) for d in run)
            if caught:
                items = sorted(caught.values(), key=lambda d: d.id)
                flags.append(
                    Flag(
                        "split_payment",
                        HIGH,
                        f"split:{tier}:{payee}",
                        gettext_noop(
                            "%(n)d payments to %(payee)s within %(days)d days, each just under the "
                            "approval limit of ¥%(limit)s, together ¥%(total)s: one purchase may "
                            "have been cut to avoid the stricter approval."
                        ),
                        {
                            "n": len(items),
                            "payee": items[0].payee,
                            "days": split_window_days,
                            "limit": f"{limit}",
                            "total": f"{sum(d.amount for d in items)}",
                        },
                        [_dis(d) for d in items],
                        _strength(65, 8 * len(items)),
                        items[0].payee,
                    )
                )
    return flags


def round_grants(ds, *, round_min, round_unit, **_) -> list[Flag]:
    """Round-amount payments made again and again to one payee, where the community's
    other payees get round amounts once or not at all: invented grants look tidy. Quiet
    for a fixed amount paid at a steady interval (a rent, a monthly stipend)."""
    rounds = defaultdict(list)
    totals = Counter()
    for d in ds:
        key = normal_name(d.payee)
        totals[key] += 1
        if d.amount % round_unit == 0:
            rounds[key].append(d)
    flags = []
    for payee, items in sorted(rounds.items()):
        if len(items) < round_min or len(items) < totals[payee] * Decimal("0.75"):
            continue
        peers = [len(v) for k, v in rounds.items() if k != payee] or [0]
        if len(items) < 3 * max(1, statistics.median(peers)):
            continue
        items.sort(key=lambda d: d.requested_at)
        gaps = [
            (b.requested_at - a.requested_at).days for a, b in zip(items, items[1:], strict=False)
        ]
        if len({d.amount for d in items}) == 1 and min(gaps) >= 25:
            continue  # a fixed sum at a steady interval: a contract, not a habit
        flags.append(
            Flag(
                "round_grants",
                MEDIUM,
                f"round:{payee}",
                gettext_noop(
                    "%(payee)s received %(n)d round-amount payments (¥%(total)s); the "
                    "community's other payees received at most a few. Invented grants are "
                    "usually round."
                ),
                {
                    "payee": items[0].payee,
                    "n": len(items),
                    "total": f"{sum(d.amount for d in items)}",
                },
                [_dis(d) for d in items],
                _strength(50, 6 * len(items)),
                items[0].payee,
            )
        )
    return flags


BENFORD = [math.log10(1 + 1 / d) for d in range(1, 10)]


def first_digit(amount: Decimal) -> int | None:
    digits = str(abs(amount)).replace(".", "").lstrip("0")
    return int(digits[0]) if digits else None


def benford_mad(amounts) -> float | None:
    digits = [d for d in (first_digit(a) for a in amounts if a > 0) if d]
    if not digits:
        return None
    counts = Counter(digits)
    return sum(abs(counts.get(d, 0) / len(digits) - BENFORD[d - 1]) for d in range(1, 10)) / 9


def benford_band(mad: float) -> str:
    """Nigrini's first-digit bands."""
    if mad <= 0.006:
        return "close"
    if mad <= 0.012:
        return "acceptable"
    if mad <= 0.015:
        return "marginal"
    return "nonconforming"


def chi2_sf_8(x: float) -> float:
    """P(X >= x) for chi-square with 8 degrees of freedom (first digits 1-9): the closed
    form for an even number of degrees, exp(-x/2) * sum_{i<4} (x/2)^i / i!."""
    h = x / 2
    return math.exp(-h) * sum(h**i / math.factorial(i) for i in range(4))


def benford_disbursements(ds, *, benford_min, benford_p, **_) -> list[Flag]:
    """First digits of the fund's payments against Benford's law, only where its
    assumptions hold: enough payments, spread over at least two orders of magnitude,
    from many separate decisions. Not applied to incomes: they are listed prices x
    quantities, which no law of first digits describes (issue #17 measured MAD 0.055-
    0.063 on honest income, far outside the 0.015 band). Chi-square test (p < benford_p);
    the MAD is reported with Nigrini's band, which needs about a thousand amounts."""
    amounts = [d.amount for d in ds if d.amount >= 10]
    if len(amounts) < benford_min or max(amounts) < 100 * min(amounts):
        return []
    digits = Counter(first_digit(a) for a in amounts)
    n = len(amounts)
    chi2 = sum((digits.get(d, 0) - n * p) ** 2 / (n * p) for d, p in enumerate(BENFORD, 1))
    p_value = chi2_sf_8(chi2)
    if p_value >= benford_p:
        return []
    over = {
        d for d, p in enumerate(BENFORD, 1) if (digits.get(d, 0) - n * p) / math.sqrt(n * p) > 2
    }
    mad = benford_mad(amounts)
    return [
        Flag(
            "benford",
            LOW,
            "benford:disbursements",
            gettext_noop(
                "The first digits of %(n)d fund payments depart from Benford's law (chi-square "
                "p = %(p).1e; MAD %(mad).4f, Nigrini: %(band)s); too many start with %(digits)s. "
                "Invented amounts often do."
            ),
            {
                "n": n,
                "p": p_value,
                "mad": mad,
                "band": benford_band(mad),
                "digits": ", ".join(str(d) for d in sorted(over)),
            },
            [_dis(d) for d in ds if first_digit(d.amount) in over and d.amount >= 10],
            _strength(30, -math.log10(max(p_value, 1e-12)) * 2),
            "",
            gettext_noop(
                "Applied to fund payments only, when there are enough of them (benford_min) "
                "spread over two orders of magnitude. Not to incomes, which are listed prices x "
                "quantities."
            ),
        )
    ]


def duplicate_invoices(ds, **_) -> list[Flag]:
    """One invoice number on several payments, whatever their amounts or dates say: a
    copy with a changed amount or date is still the same invoice. Numbers compared as
    letters and digits (spaces, dashes, full-width digits and leading zeros ignored).
    Quiet when two different sellers happen to number alike and the amounts differ."""
    groups = defaultdict(list)
    for d in ds:
        if d.invoice_number and normal_invoice(d.invoice_number):
            groups[normal_invoice(d.invoice_number)].append(d)
    flags = []
    for number, group in sorted(groups.items()):
        if len(group) < 2:
            continue
        payees = {normal_name(d.payee) for d in group}
        if len(payees) > 1 and len({d.amount for d in group}) == len(group):
            continue
        changed = []
        if len({d.amount for d in group}) > 1:
            changed.append("amount")
        if len({d.invoice_date for d in group}) > 1:
            changed.append("date")
        flags.append(
            Flag(
                "duplicate_invoice",
                HIGH,
                f"invoice:{number}",
                gettext_noop(
                    "Invoice %(number)s is on %(n)d payments (%(changed)s): one invoice may have "
                    "been claimed more than once."
                ),
                {
                    "number": group[0].invoice_number,
                    "n": len(group),
                    "changed": ", ".join(changed) or "identical",
                },
                [_dis(d) for d in group],
                _strength(80, 5 * len(group)),
                group[0].invoice_number,
            )
        )
    return flags


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def duplicate_attachments(ds, *, image_distance=RULE_DEFAULTS["image_distance"], **_) -> list[Flag]:
    """The same evidence on several payments: the same bytes (SHA-256), the same text
    (a re-saved or re-printed PDF) or a near-identical image (a re-saved or re-scanned
    photo, by difference hash). Minutes are left out: one meeting decides many payments."""
    docs = []
    for d in ds:
        for doc in d.documents or tuple(DocumentFact(0, "invoice", s) for s in d.attachments):
            if doc.kind != "minutes":
                docs.append((d, doc))
    parent = list(range(len(docs)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a, b):
        parent[find(a)] = find(b)

    for attr in ("sha256", "text_digest"):
        seen = {}
        for n, (_d, doc) in enumerate(docs):
            value = getattr(doc, attr)
            if value:
                if value in seen:
                    join(n, seen[value])
                else:
                    seen[value] = n
    hashed = [(n, doc.image_hash) for n, (_d, doc) in enumerate(docs) if doc.image_hash]
    for x, (a, ha) in enumerate(hashed):
        for b, hb in hashed[x + 1 :]:
            if hamming(ha, hb) <= image_distance:
                join(a, b)
    clusters = defaultdict(list)
    for n in range(len(docs)):
        clusters[find(n)].append(docs[n])
    flags = []
    for members in clusters.values():
        payments = {d.id: d for d, _doc in members}
        if len(payments) < 2:
            continue
        members.sort(key=lambda m: (m[1].id, m[0].id))
        first = members[0][1]
        exact = len({doc.sha256 for _d, doc in members}) == 1
        flags.append(
            Flag(
                "duplicate_attachment",
                HIGH,
                f"sha:{first.sha256}",
                gettext_noop(
                    "The same evidence document is attached to %(n)d payments (%(how)s): one "
                    "invoice may have been claimed more than once."
                ),
                {
                    "n": len(payments),
                    "how": "identical file"
                    if exact
                    else "re-saved copy: same text or near-identical image",
                },
                [_dis(d) for d in sorted(payments.values(), key=lambda d: d.id)],
                _strength(80 if exact else 70, 5 * len(payments)),
                first.sha256[:12],
            )
        )
    return flags


def no_evidence(ds, **_) -> list[Flag]:
    return [
        Flag(
            "no_evidence",
            HIGH,
            f"bare:{d.id}",
            gettext_noop("A paid disbursement has no supporting document at all (白条)."),
            {},
            [_dis(d)],
            70,
            d.payee,
        )
        for d in ds
        if d.paid and not d.attachments and not d.documents
    ]


def shared_accounts(ds, **_) -> list[Flag]:
    payees = defaultdict(dict)
    members = defaultdict(list)
    for d in ds:
        account = normal_account(d.payee_account)
        if account:
            payees[account].setdefault(normal_name(d.payee), d.payee)
            members[account].append(d)
    return [
        Flag(
            "shared_account",
            HIGH,
            f"acct:{acct}",
            gettext_noop(
                "%(n)d different payees are paid into one bank account (ending %(tail)s)."
            ),
            {"n": len(names), "tail": acct[-4:]},
            [_dis(d) for d in members[acct]],
            75,
            f"…{acct[-4:]}",
        )
        for acct, names in sorted(payees.items())
        if len(names) > 1
    ]


def payee_conflicts(ds, people: Sequence[PersonFact] = (), **_) -> list[Flag]:
    """A payee who is a member of staff or the committee, a relative they declared or a
    business they declared, by name (spacing, full/half width and traditional forms of
    common name characters ignored) or by bank account."""
    names: dict[str, tuple[str, str]] = {}
    accounts: dict[str, tuple[str, str]] = {}
    for person in people:
        for form in name_forms(person.name, person.first_name, person.last_name):
            names.setdefault(form, (person.username, "self"))
        for relation, name, account in person.interests:
            if len(normal_name(name)) >= 2:
                names.setdefault(normal_name(name), (person.username, relation))
            if normal_account(account):
                accounts.setdefault(normal_account(account), (person.username, relation))
    groups = defaultdict(list)
    for d in ds:
        hit = names.get(normal_name(d.payee)) or accounts.get(normal_account(d.payee_account))
        if hit:
            groups[(normal_name(d.payee), hit)].append(d)
    flags = []
    for (payee, (who, relation)), items in sorted(groups.items()):
        flags.append(
            Flag(
                "payee_conflict",
                HIGH,
                f"coi:{payee}",
                gettext_noop(
                    "Payee %(payee)s matches %(who)s (%(relation)s) by name or bank account: a "
                    "payment to staff or a declared relative needs an independent decision."
                ),
                {"payee": items[0].payee, "who": who, "relation": relation},
                [_dis(d) for d in items],
                _strength(80, 3 * len(items)),
                items[0].payee,
            )
        )
    return flags


def quick_approvals(ds, *, quick_approval_minutes, quick_min, **_) -> list[Flag]:
    """A reviewer who approves, again and again, within a minute or two of the request:
    the second pair of eyes may be a rubber stamp."""
    limit = dt.timedelta(minutes=quick_approval_minutes)
    groups = defaultdict(list)
    for d in ds:
        if d.approved_at and d.approved_at - d.requested_at < limit:
            for who in d.approvers or ("?",):
                groups[(who, _month(d.approved_at))].append(d)
    return [
        Flag(
            "quick_approval",
            LOW,
            f"quick:{who}:{month}",
            gettext_noop(
                "%(who)s approved %(n)d payments in %(month)s within %(minutes)d minutes "
                "of the request: the review may be a formality."
            ),
            {"who": who, "n": len(items), "month": month, "minutes": quick_approval_minutes},
            [_dis(d) for d in items],
            _strength(30, 3 * len(items)),
            who,
        )
        for (who, month), items in sorted(groups.items())
        if len(items) >= quick_min
    ]


def concentration(ds, *, concentration_share, concentration_min, **_) -> list[Flag]:
    paid = [d for d in ds if d.paid]
    total = sum((d.amount for d in paid), Decimal(0))
    payees = {normal_name(d.payee) for d in paid}
    if len(paid) < concentration_min or len(payees) < 3 or not total:
        return []
    by_payee = Counter()
    for d in paid:
        by_payee[normal_name(d.payee)] += d.amount
    return [
        Flag(
            "concentration",
            MEDIUM,
            f"conc:{payee}",
            gettext_noop("%(share)s%% of the fund's payments went to %(payee)s."),
            {
                "share": f"{amount / total * 100:.0f}",
                "payee": next(d.payee for d in paid if normal_name(d.payee) == payee),
            },
            [_dis(d) for d in paid if normal_name(d.payee) == payee],
            45,
            payee,
        )
        for payee, amount in sorted(by_payee.items())
        if amount / total > concentration_share
    ]


def stopped_packages(incomes, settlements, *, stopped_days, **_) -> list[Flag]:
    """A provider still paid settlements long after its income stopped. Each settlement
    is compared with the provider's last income before *that settlement's* date; the
    first one after the income stopped is the final settlement of what was owed and is
    expected, so only a second one raises the flag."""
    last_income = defaultdict(list)
    for i in _live(incomes):
        last_income[i.provider].append(i.paid_at.date())
    for days in last_income.values():
        days.sort()
    after_stop = defaultdict(list)
    gap = dt.timedelta(days=stopped_days)
    for s in sorted(settlements, key=lambda s: (s.paid_on, s.id)):
        earlier = [d for d in last_income.get(s.provider, []) if d <= s.paid_on]
        if not earlier or s.paid_on - earlier[-1] > gap:
            after_stop[s.provider].append(s)
    return [
        Flag(
            "stopped_income",
            MEDIUM,
            f"stop:{p}",
            gettext_noop(
                "Provider %(provider)s received %(n)d settlements more than %(days)d days "
                "after its last income; the first one after income stops is the final "
                "settlement, the others are not explained by income."
            ),
            {"provider": p, "n": len(items), "days": stopped_days},
            [
                {
                    "kind": "settlement",
                    "id": s.id,
                    "ref": f"settlement:{s.id}",
                    "label": f"{p} {s.paid_on}",
                    "detail": "",
                }
                for s in items
            ],
            50,
            p,
        )
        for p, items in sorted(after_stop.items())
        if len(items) >= 2
    ]


INCOME_RULES: tuple[Callable[..., list[Flag]], ...] = (
    below_list_price,
    low_cost_share,
    rerecorded_lower,
    duplicate_payments,
    reversal_rates,
    backdating,
)
DISBURSEMENT_RULES: tuple[Callable[..., list[Flag]], ...] = (
    split_payments,
    round_grants,
    benford_disbursements,
    duplicate_invoices,
    duplicate_attachments,
    no_evidence,
    shared_accounts,
    payee_conflicts,
    quick_approvals,
    concentration,
)
RULES = sorted(
    {r.__name__ for r in INCOME_RULES + DISBURSEMENT_RULES} | {"off_hours", "stopped_packages"}
)


def screen(
    *,
    incomes,
    disbursements,
    settlements,
    today,
    one_reviewer_up_to,
    committee_from=None,
    calendar: WorkCalendar | None = None,
    people=(),
    peer_incomes=(),
    **overrides,
) -> list[Flag]:
    """Every rule over one community's facts. `peer_incomes` are the other communities'
    of the subdistrict: they widen the peer group of the comparisons (low-cost share),
    and a flag is raised only about this community's own records."""
    from fundmgr.lib.workcalendar import WorkCalendar as _Calendar

    p = {
        **RULE_DEFAULTS,
        **overrides,
        "today": today,
        "one_reviewer_up_to": one_reviewer_up_to,
        "committee_from": committee_from,
        "calendar": calendar or _Calendar(),
        "people": people,
    }
    ds = list(disbursements)
    own = list(incomes)
    mine = {i.id for i in own}
    flags = []
    for rule in DISBURSEMENT_RULES:
        flags += rule(ds, **p)
    for rule in INCOME_RULES:
        pool = own + list(peer_incomes) if rule is low_cost_share else own
        for flag in rule(pool, **p):
            flag.evidence = [e for e in flag.evidence if e["kind"] != "income" or e["id"] in mine]
            if flag.evidence:
                flags.append(flag)
    flags += off_hours(own, ds, **p)
    flags += stopped_packages(own, list(settlements), **p)
    return flags
