"""Shared test data builders: one place, no copy-pasted setup."""

import datetime as dt
import itertools
from decimal import Decimal

from djmoney.money import Money

from ledger import services
from ledger.models import AccountType, Book

_counter = itertools.count(1)

CHART = [
    ("1001", "现金", AccountType.ASSET),
    ("1002", "银行存款", AccountType.ASSET),
    ("2201", "应付专业机构", AccountType.LIABILITY),
    ("2202", "应付枢纽社会企业", AccountType.LIABILITY),
    ("3001", "社区基金", AccountType.EQUITY),
]


def book(code: str | None = None, currency: str = "CNY") -> Book:
    code = code or f"B{next(_counter):04d}"
    b = services.create_book(code=code, name=f"测试账簿 {code}", currency=currency)
    for acode, name, atype in CHART:
        services.open_account(book=b, code=acode, name=name, type=atype)
    return b


def account(b: Book, code: str):
    return b.accounts.get(code=code)


def cny(amount: str, currency: str = "CNY") -> Money:
    return Money(amount, currency)


def income(
    b: Book,
    gross: str = "100.00",
    provider: str = "70.00",
    hub: str = "25.00",
    fund: str = "5.00",
    *,
    key: str | None = None,
    date: dt.date | None = None,
    memo: str = "服务包收入",
    actor: str = "officer",
):
    """Post an income-shaped entry: Dr cash / Cr provider, hub, fund."""
    cur = b.currency
    return services.post(
        book=b,
        legs=[
            services.debit(account(b, "1001"), cny(gross, cur)),
            services.credit(account(b, "2201"), cny(provider, cur)),
            services.credit(account(b, "2202"), cny(hub, cur)),
            services.credit(account(b, "3001"), cny(fund, cur)),
        ],
        date=date or dt.date(2026, 3, 1),
        memo=memo,
        actor=actor,
        idempotency_key=key,
    )


# --- fundmgr -------------------------------------------------------------------------
def hub(code: str | None = None):
    from fundmgr.models import HubEnterprise

    code = code or f"HUB{next(_counter):03d}"
    return HubEnterprise.objects.create(code=code, name=f"枢纽社企{code}", subdistrict="测试街道")


def provider(code: str | None = None, category: str = "elderly"):
    from fundmgr.models import Provider

    code = code or f"P{next(_counter):03d}"
    return Provider.objects.create(code=code, name=f"专业机构{code}", category=category)


def community(
    code: str | None = None, *, threshold: str = "5000", currency: str = "CNY", hub_=None
):
    from fundmgr.services.setup import community_create

    code = code or f"C{next(_counter):03d}"
    return community_create(
        code=code,
        name=f"{code}社区",
        subdistrict="测试街道",
        hub=hub_ or hub(),
        currency=currency,
        review_threshold=Decimal(threshold),
    )


def package(
    c,
    code: str | None = None,
    *,
    prov=None,
    paid="100.00",
    low_cost="30.00",
    public_benefit="80.00",
):
    from fundmgr.services.setup import package_create

    code = code or f"PK{next(_counter):03d}"
    prices = {"paid": paid, "low_cost": low_cost, "public_benefit": public_benefit}
    return package_create(
        community=c,
        code=code,
        name=f"服务包{code}",
        provider=prov or provider(),
        prices={k: Decimal(v) if v is not None else None for k, v in prices.items()},
        low_cost_eligibility="70岁以上老人",
    )


def user(username: str | None = None, *roles_in):
    """user("li", (community, "officer"), ...)"""
    from django.contrib.auth import get_user_model

    from fundmgr.services.setup import membership_grant

    username = username or f"u{next(_counter)}"
    u = get_user_model().objects.create_user(username=username, password="pw-" + username)
    for c, role in roles_in:
        membership_grant(user=u, community=c, role=role)
    return u


def draft(
    c,
    pkg,
    amount="100.00",
    *,
    tier="paid",
    ref=None,
    paid_at=None,
    method="wechat",
    payer="张三",
    currency=None,
):
    from django.utils import timezone
    from djmoney.money import Money

    from fundmgr.services.drafts import IncomeDraft

    return IncomeDraft(
        community=c,
        package=pkg,
        tier=tier,
        amount=Money(amount, currency or c.currency) if amount is not None else None,
        paid_at=paid_at or timezone.make_aware(dt.datetime(2026, 3, 5, 10, 30)),
        method=method,
        payer=payer,
        external_ref=ref,
    )


# --- decisions and spaces -------------------------------------------------------------
MINUTES_SHA = "ab" * 32


def decided_item(
    c, officer, tallier, *, title="同意以一元租金出租活动室", held_on=None, major=True
):
    """A quorate meeting with one item passed: its prior review and two agreeing tallies."""
    from fundmgr.decisions import services as decisions

    held_on = held_on or dt.date(2026, 1, 5)
    meeting = decisions.meeting_record(
        community=c,
        body="representatives",
        reference=f"居议〔{next(_counter)}〕号",
        held_on=held_on,
        members_entitled=9,
        members_present=7,
        user=officer,
        minutes_sha256=MINUTES_SHA,
        items=[{"title": title, "major": major}],
    )
    item = meeting.items.get()
    if major:
        decisions.prior_review_record(
            item=item, body="社区党委会", held_on=held_on, outcome="agreed", user=officer
        )
    for who in (officer, tallier):
        decisions.tally_enter(item=item, user=who, votes_for=6, votes_against=1, votes_abstain=0)
    item.refresh_from_db()
    return item


def space(c, officer, code=None):
    from fundmgr.spaces import services as spaces

    code = code or f"S{next(_counter):03d}"
    return spaces.space_create(
        community=c,
        code=code,
        name=f"活动室{code}",
        address="测试路1号",
        area_m2=Decimal("120.5"),
        user=officer,
    )


def agreement(
    c,
    officer,
    item,
    *,
    sp=None,
    pkg=None,
    number=None,
    starts=None,
    ends=None,
    per_month=4,
    **extra,
):
    from fundmgr.spaces import services as spaces

    pkg = pkg or package(c)
    return spaces.agreement_create(
        community=c,
        space=sp or space(c, officer),
        number=number or f"A{next(_counter):03d}",
        operator=pkg.provider,
        starts_on=starts or dt.date(2026, 1, 1),
        ends_on=ends or dt.date(2026, 12, 31),
        rent=Money("1.00", c.currency),
        market_rent_month=Money("3000.00", c.currency),
        market_rent_source="周边同类商铺挂牌价（2025年12月）",
        paid_income_foreseen_month=Money("500.00", c.currency),
        decision=item,
        obligations=[{"package": pkg, "tier": "public_benefit", "per_month": per_month}],
        user=officer,
        **extra,
    )
