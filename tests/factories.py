"""Shared test data builders: one place, no copy-pasted setup."""

import datetime as dt
import itertools

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


def income(b: Book, gross: str = "100.00", provider: str = "70.00", hub: str = "25.00",
           fund: str = "5.00", *, key: str | None = None, date: dt.date | None = None,
           memo: str = "服务包收入", actor: str = "officer"):
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
