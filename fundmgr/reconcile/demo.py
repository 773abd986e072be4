"""The demo's reconciliation (called once from fundmgr.demo.Demo.load, after the
year's replay): cash banked every Monday, and for each month that has ended a bank
statement, a WeChat Pay fund bill and an Alipay statement generated from what the books
recorded, imported through the real readers and matched by the officer.

Two things are planted so the report and the red flags show real cases: in the last
ended month, one WeChat payment nobody recorded, and one cash deposit the bank credited
¥100 short of the slip. Everything is derived from the books and the demo's seeded
random generator, so a given --today gives the same statements."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.utils import timezone
from djmoney.money import Money

from ledger.meaning import lowest_from
from ledger.models import Account

from ..lib import dates
from ..lib.money import from_fen
from ..models import Income, IncomeStatus
from . import samples, selectors, services
from .models import ItemKind

BANK = "工商银行"
UNRECORDED_FEN = 4750  # an amount no demo price makes
SHORT_FEN = 10000


def _at(day: dt.date, seconds: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9))) + dt.timedelta(seconds=seconds)


def load(demo, communities, users) -> None:
    from ..demo import clock_at

    last_ended = dates.previous_month(dates.month_start(demo.today))
    for community, _packages in communities:
        officer = users["officer" if community.code != "SQP-NH" else "officer2"]
        reviewer = users["reviewer"]
        _deposits(demo, community, officer, reviewer, clock_at)
        with clock_at(demo.start, 9):
            services.mapping_save(
                community=community, bank=BANK, columns=samples.BANK_COLUMNS, user=officer
            )
        short = _short_deposit(community, last_ended)
        month = demo.start
        with tempfile.TemporaryDirectory() as folder:
            while month <= last_ended:
                with clock_at(dates.month_end(month) + dt.timedelta(days=3), 10):
                    _month(community, officer, month, Path(folder), short, month == last_ended)
                month = dates.next_month(month)


def _deposits(demo, community, officer, reviewer, clock_at) -> None:
    """Every Monday, the cash on hand is paid in (what it holds from that day on, so a
    later refund in cash still finds the cash)."""
    cash = Account.objects.get(book_id=community.book_id, code=selectors.CASH_ACCOUNT)
    day = demo.start + dt.timedelta(days=(7 - demo.start.weekday()) % 7)
    while day < demo.today:
        with clock_at(day, 18):
            cash.refresh_from_db()
            fen = lowest_from(community.book, cash, day).balance_fen
            fen -= fen % 100  # notes, not coins
            if fen >= 10000:
                deposit = services.deposit_record(
                    community=community,
                    amount=Money(from_fen(fen), community.currency),
                    deposited_on=day,
                    slip_reference=f"JK{community.code}{day:%Y%m%d}",
                    user=officer,
                )
                services.deposit_approve(deposit=deposit, reviewer=reviewer, note="已核对缴款回单")
        day += dt.timedelta(days=7)


def _short_deposit(community, month: dt.date) -> int | None:
    from .models import CashDeposit

    start, end = dates.month_range(month)
    found = (
        CashDeposit.objects.filter(
            community=community, deposited_on__gte=start, deposited_on__lte=end
        )
        .order_by("deposited_on")
        .values_list("pk", flat=True)
    )
    return found[1] if len(found) > 1 else None


def _month(community, officer, month: dt.date, folder: Path, short: int | None, last: bool) -> None:
    start, end = dates.month_range(month)
    payers = dict(
        Income.objects.filter(
            community=community, status__in=[IncomeStatus.POSTED, IncomeStatus.REVERSED]
        ).values_list("pk", "payer")
    )
    for code in sorted(selectors.STATEMENT_ACCOUNTS):
        items = selectors.book_items(community, code, since=start, through=end)
        lines = []
        for n, item in enumerate(items):
            ref = item.reference or item.label
            amount = item.amount_fen
            if item.kind == ItemKind.DEPOSIT and item.id == short:
                amount -= SHORT_FEN
            counterparty = payers.get(item.id, "") if item.kind == ItemKind.INCOME else ""
            lines.append(
                samples.Sample(
                    _at(item.date, n),
                    amount,
                    f"{code[-2:]}{item.date:%Y%m%d}{n:05d}",
                    ref,
                    counterparty,
                    ref,
                )
            )
        if last and code == "1012.01":
            day = start + dt.timedelta(days=14)
            lines.append(
                samples.Sample(
                    _at(day, 99999),
                    UNRECORDED_FEN,
                    f"01{day:%Y%m%d}99999",
                    f"WX{day:%Y%m%d}0001",
                    "",
                    "微信支付收款",
                )
            )
            lines.sort(key=lambda s: s.when)
        if not lines:
            continue
        path = folder / f"{community.code}-{code}-{month:%Y%m}.csv"
        opening = (
            services.StatementLine.objects.filter(community=community, account_code=code)
            .order_by("-date", "-id")
            .values_list("balance_fen", flat=True)
            .first()
            or 0
        )
        if code == selectors.BANK_ACCOUNT:
            path.write_text(samples.bank_csv(lines, opening_fen=opening), encoding="gb18030")
            fmt = "bank"
        elif code == "1012.01":
            path.write_text(
                samples.wechat_funds(lines, opening_fen=opening, start=start, end=end),
                encoding="utf-8-sig",
            )
            fmt = "wechat_funds"
        else:
            path.write_text(samples.alipay(lines, opening_fen=opening), encoding="gb18030")
            fmt = "alipay"
        services.statement_import(
            community=community,
            format=fmt,
            path=path,
            user=officer,
            bank=BANK,
            through=end,
            original_name=path.name,
        )
        services.proposals_confirm(
            community=community, code=code, user=officer, methods=("exact", "amount_date", "group")
        )
