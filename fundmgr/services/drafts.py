"""What an officer (or a file row) says was paid, checked before anything is written:
every reason a draft cannot be recorded, by field, and the unsaved Income it becomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from ledger import services as ledger

from ..lib import receipts
from ..lib.dates import local_date
from ..lib.money import from_fen
from ..lib.split import split
from ..lib.text import text_problem
from ..models import (
    TIER_VALUES,
    Community,
    Income,
    IncomeStatus,
    PaymentMethod,
    ServicePackage,
    SplitPolicy,
    Tier,
)

# Checked on every row of an import: Django's .values builds a new list on each use.
TIERS = frozenset(TIER_VALUES)
METHODS = frozenset(PaymentMethod.values)
EARLIEST = dt.date(2000, 1, 1)
CLOCK_SKEW = dt.timedelta(minutes=10)


def money_problem(community: Community, amount: Money | None) -> tuple[str, str] | None:
    """(field, message) when `amount` cannot be booked in this community: missing, in
    another currency, not more than zero, or finer than a fen. Incomes and payouts alike."""
    if amount is None:
        return "amount", _("Enter the amount.")
    if str(amount.currency) != community.currency:
        return "currency", (
            _("%(community)s keeps its books in %(expected)s, not %(got)s.")
            % {"community": community.name, "expected": community.currency, "got": amount.currency}
        )
    if not amount.amount.is_finite() or amount.amount <= 0:
        return "amount", _("The amount must be more than zero.")
    if amount.amount != amount.amount.quantize(Decimal("0.01")):
        return "amount", _("The amount has more than two decimal places (fen).")
    return None


@dataclass
class IncomeDraft:
    """What an officer (or a file row) says was paid, before it is recorded."""

    community: Community
    package: ServicePackage | None
    tier: str
    amount: Money | None
    paid_at: dt.datetime | None
    method: str
    payer: str = ""
    external_ref: str | None = None
    quantity: int = 1
    note: str = ""
    price_note: str = ""
    policy: SplitPolicy | None = field(default=None, repr=False)
    # The purchase-contract line a 公益 income is paid under (fundmgr/inflows/).
    contract_line: object | None = None


def draft_validate(
    draft: IncomeDraft,
    *,
    now: dt.datetime | None = None,
    policies: Sequence[SplitPolicy] | None = None,
) -> dict[str, list[str]]:
    """Every reason the draft cannot be recorded, by field. Fills draft.policy.

    `policies` (the community's, newest first) may be passed by a caller that checks
    many rows, to avoid a query per row."""
    errors: dict[str, list[str]] = {}

    def bad(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    community = draft.community
    package = draft.package
    if package is None:
        bad("package", _("Choose a service package."))
    elif package.community_id != community.pk:
        bad(
            "package",
            _("Package %(code)s is not offered in %(community)s.")
            % {"code": package.code, "community": community.name},
        )
    elif not package.active:
        bad("package", _("Package %(code)s is no longer offered.") % {"code": package.code})
    if draft.tier not in TIERS:
        bad("tier", _("Tier must be public_benefit, paid or low_cost (公益 / 有偿 / 低偿)."))
    elif package is not None and draft.tier not in package.tiers:
        bad(
            "tier",
            _("Package %(code)s has no %(tier)s price.")
            % {"code": package.code, "tier": Tier(draft.tier).label},
        )

    amount = draft.amount
    if problem := money_problem(community, amount):
        bad(*problem)
    elif amount > community.max_income:
        bad(
            "amount",
            _(
                "%(amount)s is more than the largest single income allowed "
                "(%(limit)s); check the amount."
            )
            % {"amount": amount.amount, "limit": community.max_income.amount},
        )

    now = now or timezone.now()
    if draft.paid_at is None:
        bad("paid_at", _("Enter when it was paid."))
    elif timezone.is_naive(draft.paid_at):
        bad("paid_at", _("The payment time needs a time zone."))
    elif draft.paid_at > now + CLOCK_SKEW:
        bad("paid_at", _("The payment time is in the future."))
    elif (on := local_date(draft.paid_at)) < EARLIEST:
        bad("paid_at", _("The payment date is before 2000."))
    else:
        if policies is None:
            draft.policy = SplitPolicy.in_force(community, on)
        else:
            draft.policy = next((p for p in policies if p.effective_from <= on), None)
        if draft.policy is None:
            bad("paid_at", _("No split policy is in force on %(date)s.") % {"date": on})

    if draft.method not in METHODS:
        bad("method", _("Payment method must be cash, wechat, alipay, bank or other."))
    # One rule for free text (fundmgr.lib.text): a length and no control characters,
    # so a NUL never reaches PostgreSQL mid-import (issue 21).
    if problem := text_problem(draft.payer, max_length=100):
        bad("payer", _("The payer %(problem)s.") % {"problem": problem})
    if draft.external_ref is not None and (
        problem := text_problem(draft.external_ref, max_length=64)
    ):
        bad("external_ref", _("The payment reference %(problem)s.") % {"problem": problem})
    if not 1 <= draft.quantity <= 100_000:
        bad("quantity", _("Quantity must be from 1 to 100000."))
    if problem := text_problem(draft.note, max_length=200):
        bad("note", _("The note %(problem)s.") % {"problem": problem})
    if problem := text_problem(draft.price_note, max_length=200):
        bad("price_note", _("The reason %(problem)s.") % {"problem": problem})
    if not errors:
        from ..inflows.services import income_line_problems

        for name, messages in income_line_problems(draft).items():
            for message in messages:
                bad(name, message)
    return errors


def income_build(draft: IncomeDraft, *, recorded_by, now: dt.datetime) -> Income:
    """An unsaved Income with its split, receipt code and status; the draft is valid."""
    community, policy = draft.community, draft.policy
    assert policy is not None and draft.amount is not None
    shares = split(ledger.to_fen(draft.amount), *policy.bps)
    cur = community.currency
    status = (
        IncomeStatus.PENDING if draft.amount > community.review_threshold else IncomeStatus.POSTED
    )
    return Income(
        community=community,
        package=draft.package,
        tier=draft.tier,
        quantity=draft.quantity,
        amount=draft.amount,
        provider_share=Money(from_fen(shares.provider), cur),
        hub_share=Money(from_fen(shares.hub), cur),
        fund_share=Money(from_fen(shares.fund), cur),
        policy=policy,
        paid_at=draft.paid_at,
        payer=draft.payer.strip(),
        method=draft.method,
        external_ref=draft.external_ref or None,
        receipt_code=receipts.new_code(),
        note=draft.note.strip(),
        price_note=draft.price_note.strip(),
        status=status,
        recorded_by=recorded_by,
        recorded_at=now,
    )


def same_payment(existing: Income, draft: IncomeDraft) -> bool:
    """Whether a recorded income is the payment the draft describes (a retry), not
    another payment that reuses its reference."""
    return (
        existing.package_id == getattr(draft.package, "pk", None)
        and existing.tier == draft.tier
        and existing.amount == draft.amount
        and existing.paid_at == draft.paid_at
    )
