"""An income's journal entry (Dr cash or bank / Cr each share) and the bulk path that
saves built incomes with their entries in as few round trips as it can."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils.translation import gettext as _
from djmoney.models.fields import MoneyField
from djmoney.money import Currency

from ledger import services as ledger
from ledger.bulk import Statements
from ledger.meaning import shortfalls
from ledger.models import Account, Book

from ..chart import (
    FUND_ACCOUNT,
    HUB_ACCOUNT,
    account,
    method_account_code,
    provider_account,
    provider_account_code,
)
from ..lib import receipts
from ..lib.dates import local_date
from ..lib.money import yuan
from ..models import TIER_ZH, Community, Income, IncomeStatus, Provider


class AccountCache:
    """The accounts of one community's book, fetched once per batch."""

    def __init__(self, community: Community, codes: Iterable[str] | None = None):
        self.community = community
        self._by_code = ledger.accounts_of(community.book_id, codes)

    def get(self, code: str) -> Account:
        if code not in self._by_code:
            self._by_code[code] = account(self.community, code)
        return self._by_code[code]

    def provider(self, provider: Provider) -> Account:
        code = provider_account_code(provider)
        if code not in self._by_code:
            self._by_code[code] = provider_account(self.community, provider)
        return self._by_code[code]


def shortfall_problem(book: Book, takes: Sequence[tuple[str, int]], on: dt.date) -> str | None:
    """Why taking each (account code, fen) out from `on` on is impossible, or None: a
    payment (or a refund) lowers the account's balance on its own day and every later
    day - a back-dated one too - so it must hold the amount at the end of each of them.
    Call under the book lock."""
    accounts = ledger.accounts_of(book.pk, [code for code, _fen in takes])
    missing = [code for code, _fen in takes if code not in accounts]
    if missing:
        return _("%(account)s holds nothing.") % {"account": missing[0]}
    found = shortfalls(book, [(accounts[code], fen) for code, fen in takes if fen], on)
    if not found:
        return None
    s = found[0]
    return _(
        "This would take %(account)s to %(balance)s at the end of %(date)s: from that "
        "day on it holds at most %(available)s, %(short)s short."
    ) % {
        "account": f"{s.account.code} {s.account.name}",
        "date": s.lowest.date.isoformat(),
        "balance": yuan(s.lowest.balance_fen - s.amount_fen),
        "available": yuan(s.lowest.balance_fen),
        "short": yuan(s.short_fen),
    }


def accounting_date(community: Community, on: dt.date) -> dt.date:
    """The date an entry is posted on: its own, or - when that falls in a closed period -
    the first open day after it, as a labelled adjustment (DESIGN 4.4)."""
    closed = community.book.closed_through
    return closed + dt.timedelta(days=1) if closed is not None and on <= closed else on


def _posting(income: Income, accounts: AccountCache, actor: str) -> ledger.Posting:
    receipt = receipts.display(income.receipt_code)
    paid_on = local_date(income.paid_at)
    posted_on = accounting_date(income.community, paid_on)
    memo = f"服务包收入 {income.package.name}·{TIER_ZH[income.tier]} 收据{receipt}"
    if posted_on != paid_on:
        memo = f"【调整】{memo}（付款日 {paid_on.isoformat()}，所属期间已结账）"
    legs = [
        ledger.debit(
            accounts.get(method_account_code(income.method)), income.amount, f"收据 {receipt}"
        )
    ]
    for share_account, share, label in (
        (accounts.provider(income.package.provider), income.provider_share, "专业机构分成"),
        (accounts.get(HUB_ACCOUNT), income.hub_share, "枢纽社会企业分成"),
        (accounts.get(FUND_ACCOUNT), income.fund_share, "社区基金分成"),
    ):
        if share.amount:  # ¥0.01 gives the hub and the fund nothing: no zero lines
            legs.append(ledger.credit(share_account, share, label))
    return ledger.Posting(
        legs=legs,
        date=posted_on,
        memo=memo,
        actor=actor,
        idempotency_key=f"income/{income.receipt_code}",
    )


def incomes_post(
    community: Community, incomes: Sequence[Income], actor: str, writes: Statements | None = None
) -> None:
    """Post the incomes (all of this community, status posted) in one batch and link
    each to its entry. With `writes`, the ledger's statements wait in it for the
    caller's (see ledger.services.post_many)."""
    if not incomes:
        return
    accounts = AccountCache(
        community,
        {HUB_ACCOUNT, FUND_ACCOUNT}.union(
            *(
                {method_account_code(i.method), provider_account_code(i.package.provider)}
                for i in incomes
            )
        ),
    )
    # No savepoint of the ledger's own: every caller is inside an atomic block that a
    # refusal leaves, rolling back the income with its entry.
    entries = ledger.post_many(
        book=community.book,
        savepoint=False,
        writes=writes,
        postings=[_posting(i, accounts, actor) for i in incomes],
    )
    for income, entry in zip(incomes, entries, strict=True):
        income.entry = entry


def incomes_save(incomes: Sequence[Income], actor: str) -> None:
    """Save built incomes (validated drafts through income_build), posting those not
    waiting for review, a batch per community: the bulk path of imports and the demo.
    Call inside a transaction."""
    by_community: dict[int, list[Income]] = {}
    for income in incomes:
        if income.status == IncomeStatus.POSTED:
            by_community.setdefault(income.community.pk, []).append(income)
    writes = Statements()
    for batch in by_community.values():
        incomes_post(batch[0].community, batch, actor, writes)
    _insert_incomes(incomes, writes)


def _income_columns():
    """(column, value-of-an-income) for every concrete column of Income but the id: the
    plain-SQL insert of the bulk path reads the model's own field list, so a new field
    is written without a change here."""
    ops = connection.ops
    columns = []
    for f in Income._meta.concrete_fields:
        if f.primary_key:
            continue
        if isinstance(f, MoneyField):

            def value(income, name=f.attname):
                return getattr(income, name).amount
        elif isinstance(f, models.DateTimeField):

            def value(income, name=f.attname):
                return ops.adapt_datetimefield_value(getattr(income, name))
        else:

            def value(income, name=f.attname):
                v = getattr(income, name)
                return str(v) if isinstance(v, Currency) else v

        columns.append((f.column, value))
    return columns


def _insert_incomes(incomes: Sequence[Income], writes: Statements) -> None:
    """Insert built incomes in plain SQL after `writes` (their entries' statements),
    in the same round trip where it can (bulk_create spent more time preparing values
    than the database spent storing them), setting their ids."""
    for income in incomes:
        if income.entry is not None:
            income.entry_id = income.entry.pk
    columns = _income_columns()
    rows = [[value(income) for _column, value in columns] for income in incomes]
    ids = writes.run_inserting(Income._meta.db_table, [c for c, _v in columns], rows)
    for income, pk in zip(incomes, ids, strict=True):
        income.pk = pk
        income._state.adding = False
        income._state.db = connection.alias
