"""Reads that span relations, always scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from djmoney.money import Money

from ledger.models import Account

from .access import communities_for, roles_in
from .chart import FUND_ACCOUNT, HUB_ACCOUNT, PROVIDER_ACCOUNT_PREFIX, party_name
from .lib import dates
from .lib.dates import month_bounds, parse_month, today
from .lib.receipts import fragment, normalise
from .models import Community, Income, IncomeStatus, Role, SplitPolicy, Tier


def incomes_for(user) -> QuerySet[Income]:
    return Income.objects.filter(community__in=communities_for(user)).select_related(
        "community", "package__provider", "recorded_by", "entry"
    )


def money_sum(values, currency: str) -> Money:
    """Summed in Python: SQLite's SUM over a DecimalField is floating point."""
    return Money(sum((v for v in values), Decimal("0.00")), currency)


@dataclass
class CommunitySummary:
    community: Community
    roles: set[str]
    month: dt.date
    by_tier: dict[str, Money] = field(default_factory=dict)
    shares: dict[str, Money] = field(default_factory=dict)
    total: Money | None = None
    count: int = 0
    owed_providers: list[tuple[str, Money]] = field(default_factory=list)
    owed_hub: Money | None = None
    fund_balance: Money | None = None
    pending: int = 0
    # The split in force at the month's end (or today), and whether it began inside the
    # month: the shares shown are labelled with the policy's own percentages.
    policy: SplitPolicy | None = None
    policy_changed: bool = False

    @property
    def tier_rows(self):
        return [(Tier(t).label, self.by_tier[t]) for t in Tier.values]


def community_summary(community: Community, user, month: dt.date | None = None) -> CommunitySummary:
    month = month or today()
    start, end = month_bounds(month)
    cur = community.currency
    summary = CommunitySummary(community=community, roles=roles_in(user, community), month=month)
    rows = list(
        Income.objects.filter(
            community=community, status=IncomeStatus.POSTED, paid_at__gte=start, paid_at__lt=end
        ).values_list("tier", "amount", "provider_share", "hub_share", "fund_share")
    )
    summary.count = len(rows)
    tiers: dict[str, list[Decimal]] = defaultdict(list)
    for tier, amount, *_ in rows:
        tiers[tier].append(amount)
    summary.by_tier = {t: money_sum(tiers[t], cur) for t in Tier.values}
    summary.total = money_sum((r[1] for r in rows), cur)
    summary.shares = {
        "provider": money_sum((r[2] for r in rows), cur),
        "hub": money_sum((r[3] for r in rows), cur),
        "fund": money_sum((r[4] for r in rows), cur),
    }
    accounts = Account.objects.filter(book_id=community.book_id).select_related("book")
    for account in accounts:
        if account.code.startswith(PROVIDER_ACCOUNT_PREFIX):
            summary.owed_providers.append((party_name(account), account.balance))
        elif account.code == HUB_ACCOUNT:
            summary.owed_hub = account.balance
        elif account.code == FUND_ACCOUNT:
            summary.fund_balance = account.balance
    until = min(dates.month_end(month), dates.today())
    summary.policy = SplitPolicy.in_force(community, until)
    summary.policy_changed = bool(
        summary.policy
        and summary.policy.version > 1
        and summary.policy.effective_from > dates.month_start(month)
    )
    summary.pending = Income.objects.filter(
        community=community, status=IncomeStatus.PENDING
    ).count()
    return summary


def review_queue(user) -> QuerySet[Income]:
    return (
        Income.objects.filter(
            community__in=communities_for(user, Role.REVIEWER), status=IncomeStatus.PENDING
        )
        .select_related("community__book", "package__provider", "recorded_by")
        .order_by("paid_at")
    )


def search_incomes(queryset: QuerySet[Income], params) -> QuerySet[Income]:
    """Filters of the income list; unknown values are ignored, never an error."""
    if params.get("status") in IncomeStatus.values:
        queryset = queryset.filter(status=params["status"])
    if params.get("tier") in Tier.values:
        queryset = queryset.filter(tier=params["tier"])
    if params.get("method"):
        queryset = queryset.filter(method=params["method"])
    if params.get("package"):
        queryset = queryset.filter(package__code=params["package"])
    first = parse_month(params.get("month", ""))
    if first is not None and first.year < 9999:  # 9999-12 has no month after it
        start, end = month_bounds(first)
        queryset = queryset.filter(paid_at__gte=start, paid_at__lt=end)
    q = (params.get("q") or "").strip()
    if q:
        code, piece = normalise(q), fragment(q)
        condition = Q(external_ref__icontains=q) | Q(payer__icontains=q)
        if code:
            condition |= Q(receipt_code=code)
        elif piece:  # part of a code, as read off a slip: "A4ZD-W528"
            condition |= Q(receipt_code__contains=piece)
        queryset = queryset.filter(condition)
    return queryset
