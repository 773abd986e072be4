"""Setting a community up: its book and chart of accounts, packages, split policies and
who holds which role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from djmoney.money import Money

from ledger import services as ledger
from ledger.models import AccountType

from ..chart import (
    FUND_ACCOUNT,
    HUB_ACCOUNT,
    METHOD_ACCOUNTS,
    SPACE_RENT_ACCOUNT,
    SPACE_RENT_NAME,
    provider_account,
)
from ..lib.dates import local_date
from ..lib.split import validate_bp
from ..models import (
    Community,
    CommunityFund,
    HubEnterprise,
    Income,
    Membership,
    Provider,
    ServicePackage,
    SplitPolicy,
    Tier,
)
from .drafts import EARLIEST


@transaction.atomic
def community_create(
    *,
    code: str,
    name: str,
    subdistrict: str,
    hub: HubEnterprise,
    currency: str = "CNY",
    fund_name: str | None = None,
    policy_from: dt.date = EARLIEST,
    policy_approved_by: str = "默认方案",
    review_threshold: Decimal = Decimal("5000"),
) -> Community:
    """A community with its book, chart of accounts, fund and the default 70/25/5 policy."""
    book = ledger.create_book(code=code, name=f"{name}服务包资金账簿", currency=currency)
    for account_code, account_name in METHOD_ACCOUNTS.values():
        ledger.open_account(book=book, code=account_code, name=account_name, type=AccountType.ASSET)
    ledger.open_account(
        book=book, code=HUB_ACCOUNT, name=f"其他应付款—{hub.name}", type=AccountType.LIABILITY
    )
    ledger.open_account(book=book, code=FUND_ACCOUNT, name="社区基金", type=AccountType.EQUITY)
    ledger.open_account(
        book=book, code=SPACE_RENT_ACCOUNT, name=SPACE_RENT_NAME, type=AccountType.INCOME
    )
    community = Community(
        code=code,
        name=name,
        subdistrict=subdistrict,
        hub=hub,
        currency=currency,
        book=book,
        review_threshold=Money(review_threshold, currency),
        max_income=Money(1_000_000, currency),
        one_reviewer_up_to=Money(2000, currency),
        committee_from=Money(20000, currency),
    )
    community.full_clean(exclude=["book"])
    community.save()
    CommunityFund.objects.create(community=community, name=fund_name or f"{name}社区基金")
    SplitPolicy.objects.create(
        community=community, version=1, effective_from=policy_from, approved_by=policy_approved_by
    )
    return community


def package_check(prices: dict[str, Decimal | None]) -> None:
    """What a new package must have, checked before anything is written (the admin's form
    calls this, so a refusal is shown beside the field, never as an error page)."""
    if all(prices.get(tier) is None for tier in Tier.values):
        raise ValidationError({"price_paid": _("A package needs a price for at least one tier.")})


@transaction.atomic
def package_create(
    *,
    community: Community,
    code: str,
    name: str,
    provider: Provider,
    prices: dict[str, Decimal | None],
    low_cost_eligibility: str = "",
    description: str = "",
) -> ServicePackage:
    package = ServicePackage(
        community=community,
        code=code,
        name=name,
        provider=provider,
        low_cost_eligibility=low_cost_eligibility,
        description=description,
    )
    for tier in Tier.values:
        value = prices.get(tier)
        setattr(
            package,
            f"price_{tier}",
            Money(value, community.currency) if value is not None else None,
        )
    package_check(prices)
    package.full_clean()
    package.save()
    provider_account(community, provider)
    return package


def policy_check(
    *,
    community: Community,
    provider_bp: int,
    hub_bp: int,
    fund_bp: int,
    effective_from: dt.date,
    decision,
) -> None:
    """Every reason a new split version is refused, as field errors in the reader's
    language; nothing is written. `decision` is the passed decision item of this
    community, held on or before the day the split starts, that adopted it (#19)."""
    # Imported here: fundmgr.decisions builds on fundmgr.models and fundmgr.services.
    from ..decisions.services import item_cite

    errors: dict[str, str] = {}
    try:
        validate_bp(provider_bp, hub_bp, fund_bp)
    except ValueError:
        errors["provider_bp"] = _(
            "The three shares must be whole numbers of basis points (1%% = 100) that add up "
            "to 10000 (100%%); these add up to %(total)s."
        ) % {"total": sum(v for v in (provider_bp, hub_bp, fund_bp) if isinstance(v, int))}
    try:
        item_cite(decision, community=community, on=effective_from, field="decision")
    except ValidationError as error:
        errors["decision"] = error.message_dict["decision"][0]
    closed = community.book.closed_through
    last = (
        Income.objects.filter(community=community)
        .order_by("-paid_at")
        .values_list("paid_at", flat=True)
        .first()
    )
    if closed is not None and effective_from <= closed:
        errors["effective_from"] = _(
            "The books are closed up to %(date)s; a new split can start only after that."
        ) % {"date": closed.isoformat()}
    elif last is not None and effective_from <= local_date(last):
        errors["effective_from"] = _(
            "Income is already recorded up to %(date)s; a new split can start only after it."
        ) % {"date": local_date(last).isoformat()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def policy_create(
    *,
    community: Community,
    provider_bp: int,
    hub_bp: int,
    fund_bp: int,
    effective_from: dt.date,
    decision,
) -> SplitPolicy:
    """A new version of the split, citing the decision item that adopted it. It may not
    start on or before a day that already has income: that would change the rule those
    incomes were split under. The free-text `approved_by` and `decision_ref` are history
    of the policies made before decisions were recorded; new ones leave them empty."""
    policy_check(
        community=community,
        provider_bp=provider_bp,
        hub_bp=hub_bp,
        fund_bp=fund_bp,
        effective_from=effective_from,
        decision=decision,
    )
    latest = SplitPolicy.objects.filter(community=community).order_by("-version").first()
    return SplitPolicy.objects.create(
        community=community,
        version=(latest.version + 1) if latest else 1,
        provider_bp=provider_bp,
        hub_bp=hub_bp,
        fund_bp=fund_bp,
        effective_from=effective_from,
        decision=decision,
    )


def membership_grant(*, user: AbstractBaseUser, community: Community, role: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        user=user, community=community, role=role
    )
    return membership
