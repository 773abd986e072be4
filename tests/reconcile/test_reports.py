"""Reconciliation in the published month, the red flags, check_books' deposit rules
and the setting that closes only reconciled months."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from djmoney.money import Money

from fundmgr.reconcile import samples
from fundmgr.reconcile.models import ReconcileSettings
from fundmgr.reconcile.services import (
    deposit_approve,
    deposit_record,
    mapping_save,
    proposals_confirm,
    statement_import,
)
from fundmgr.services.income import income_record
from fundmgr.services.payouts import settlement_record
from ledger import services as ledger
from reports.checks import check_community
from reports.models import Period
from reports.redflags.screening import found_flags
from reports.services import period_close, period_publish
from tests import factories as f

from .conftest import at, sample

MARCH = dt.date(2026, 3, 1)
NOW = dt.datetime(2026, 4, 20, 12, tzinfo=dt.UTC)


def load(c, officer, tmp_path, fmt, text, **kw):
    path = tmp_path / f"{fmt}.csv"
    path.write_bytes(text.encode("gb18030"))
    return statement_import(community=c, format=fmt, path=path, user=officer, **kw)


@pytest.fixture
def march(world, tmp_path):
    """March of a community: two WeChat sales on the statement (one never recorded), a
    cash sale banked ¥50 short of what the deposit says."""
    c, pkg, officer, reviewer = world
    with time_machine.travel(NOW, tick=False):
        for day, amount, ref in ((2, "18.00", "SQR-1"), (3, "36.00", "SQR-2")):
            income_record(
                f.draft(c, pkg, amount, ref=ref, paid_at=at(dt.date(2026, 3, day))),
                recorded_by=officer,
            )
        income_record(
            f.draft(c, pkg, "500.00", ref="CASH-1", method="cash", paid_at=at(dt.date(2026, 3, 4))),
            recorded_by=officer,
        )
        d = deposit_record(
            community=c,
            amount=Money("500.00", "CNY"),
            deposited_on=dt.date(2026, 3, 5),
            slip_reference="JK20260305",
            user=officer,
        )
        deposit_approve(deposit=d, reviewer=reviewer)
        load(
            c,
            officer,
            tmp_path,
            "wechat_trades",
            samples.wechat_trades(
                [
                    sample(dt.date(2026, 3, 2), 1800, "4200001", "SQR-1"),
                    sample(dt.date(2026, 3, 3), 3600, "4200002", "SQR-2"),
                    sample(dt.date(2026, 3, 9), 2500, "4200003", "WX-NOT-RECORDED"),
                ],
                start=MARCH,
                end=dt.date(2026, 3, 31),
            ),
        )
        mapping_save(community=c, bank="工商银行", columns=samples.BANK_COLUMNS, user=officer)
        path = tmp_path / "bank.csv"
        path.write_text(
            samples.bank_csv([sample(dt.date(2026, 3, 5), 45000, "B1", memo="现金缴款 JK20260305")])
            + "",
            encoding="gb18030",
        )
        statement_import(
            community=c,
            format="bank",
            bank="工商银行",
            path=path,
            user=officer,
            through=dt.date(2026, 3, 31),
        )
        proposals_confirm(community=c, code="1012.01", user=officer)
    return c, pkg, officer, reviewer


@time_machine.travel(NOW, tick=False)
def test_the_published_month_carries_counts_and_totals_only(march):
    c, _pkg, officer, reviewer = march
    period_close(community=c, month=MARCH, actor="officer", confirmed_by="reviewer")
    published = period_publish(community=c, month=MARCH, actor="officer")
    doc = json.loads(published.document)
    rec = doc["reconciliation"]
    assert rec["reconciled"] is False
    wechat = next(a for a in rec["accounts"] if a["account"] == "1012.01")
    assert wechat["unexplained"] == {"count": 1, "amount": "25.00"}
    assert wechat["difference"] == "0.00"
    bank = next(a for a in rec["accounts"] if a["account"] == "1002")
    assert bank["unexplained"]["count"] == 2  # the deposit as recorded, the credit as banked
    assert bank["statement_balance"] == "450.00" and bank["book_balance"] == "500.00"
    text = published.document
    assert "WX-NOT-RECORDED" not in text and "JK20260305" not in text and "4200003" not in text
    # The page says it in words.
    from django.test import Client

    page = Client().get(f"/c/{c.code}/{MARCH:%Y-%m}/")
    html = page.content.decode()
    assert page.status_code == 200 and "month-reconciliation" in html and "25.00" in html
    assert "银行对账" in html
    assert check_community(c) == []


@time_machine.travel(NOW, tick=False)
def test_the_flags_name_the_unrecorded_payment_and_the_short_deposit(march):
    c, *_ = march
    rules = {fl.rule: fl for fl in found_flags(c)}
    assert rules["unrecorded_payment"].params["reference"] == "4200003"
    assert rules["bank_differs"].params["shown"] == "450.00"
    assert "cash_not_deposited" not in rules


@time_machine.travel(NOW, tick=False)
def test_cash_kept_too_long_and_above_the_limit_is_flagged(world, tmp_path):
    c, pkg, officer, reviewer = world
    ReconcileSettings.objects.create(community=c, cash_limit_fen=10000, deposit_days=7)
    income_record(
        f.draft(c, pkg, "300.00", ref="C1", method="cash", paid_at=at(dt.date(2026, 3, 2))),
        recorded_by=officer,
    )
    income_record(
        f.draft(c, pkg, "80.00", ref="C2", method="cash", paid_at=at(dt.date(2026, 4, 18))),
        recorded_by=officer,
    )
    d = deposit_record(
        community=c,
        amount=Money("100.00", "CNY"),
        deposited_on=dt.date(2026, 3, 3),
        slip_reference="S1",
        user=officer,
    )
    deposit_approve(deposit=d, reviewer=reviewer)
    rules = {}
    for fl in found_flags(c):
        rules.setdefault(fl.rule, []).append(fl)
    [late] = rules["cash_not_deposited"]
    assert late.key == "cash:2026-03" and late.params["amount"] == "200.00"
    assert {fl.key for fl in rules["cash_over_limit"]} == {
        "cash_limit:2026-03",
        "cash_limit:2026-04",
    }


@time_machine.travel(NOW, tick=False)
def test_a_closed_month_without_a_statement_is_flagged_once_reconciling_started(world, tmp_path):
    c, pkg, officer, _r = world
    income_record(
        f.draft(c, pkg, "18.00", ref="W1", paid_at=at(dt.date(2026, 3, 2))), recorded_by=officer
    )
    load(
        c,
        officer,
        tmp_path,
        "wechat_funds",
        samples.wechat_funds([sample(dt.date(2026, 3, 2), 1800, "F1", "W1")]),
    )
    period_close(community=c, month=MARCH, actor="officer", confirmed_by="reviewer")
    keys = {fl.key for fl in found_flags(c) if fl.rule == "not_reconciled"}
    assert keys == {"recon:2026-03:1012.01"}  # the bill stops on the 2nd


@time_machine.travel(NOW, tick=False)
def test_a_community_can_close_only_reconciled_months(march):
    c, *_ = march
    ReconcileSettings.objects.create(community=c, require_for_close=True)
    with pytest.raises(ValidationError, match="1012.01"):
        period_close(community=c, month=MARCH, actor="officer", confirmed_by="reviewer")
    assert not Period.objects.filter(community=c, month=MARCH, state="closed").exists()


@time_machine.travel(NOW, tick=False)
def test_settlement_paid_differently_by_the_bank_is_flagged(world, tmp_path):
    c, pkg, officer, _r = world
    income_record(
        f.draft(c, pkg, "1000.00", ref="B-IN", method="bank", paid_at=at(dt.date(2026, 3, 2))),
        recorded_by=officer,
    )
    settlement_record(
        community=c,
        provider=pkg.provider,
        amount=Money("600.00", "CNY"),
        method="bank",
        bank_reference="JS-0301",
        paid_on=dt.date(2026, 3, 10),
        user=officer,
    )
    mapping_save(community=c, bank="工商银行", columns=samples.BANK_COLUMNS, user=officer)
    path = tmp_path / "bank.csv"
    path.write_text(
        samples.bank_csv(
            [
                sample(dt.date(2026, 3, 2), 100000, "B1", "B-IN", memo="B-IN"),
                sample(dt.date(2026, 3, 10), -60000, "JS-0301", counterparty="王某某个人账户"),
            ]
        ),
        encoding="gb18030",
    )
    statement_import(community=c, format="bank", bank="工商银行", path=path, user=officer)
    [flag] = [fl for fl in found_flags(c) if fl.rule == "bank_differs"]
    assert flag.params["counterparty"] == "王某某个人账户"


@time_machine.travel(NOW, tick=False)
def test_check_books_refuses_a_cash_transfer_that_bypassed_the_deposit_review(world):
    c, pkg, officer, _r = world
    income_record(
        f.draft(c, pkg, "300.00", ref="C1", method="cash", paid_at=at(dt.date(2026, 3, 2))),
        recorded_by=officer,
    )
    accounts = {a.code: a for a in c.book.accounts.all()}
    ledger.post(
        book=c.book,
        date=dt.date(2026, 3, 3),
        actor="officer",
        memo="现金存入银行",
        legs=[
            ledger.debit(accounts["1002"], Money("300.00", "CNY")),
            ledger.credit(accounts["1001"], Money("300.00", "CNY")),
        ],
    )
    [violation] = check_community(c)
    assert violation.kind == "deposit" and violation.amount == "300.00"
    with pytest.raises(Exception, match="deposit|存"):
        call_command("check_books", stdout=io.StringIO(), stderr=io.StringIO())


@time_machine.travel(NOW, tick=False)
def test_cash_on_hand_below_zero_on_any_day_is_a_violation(world):
    c, pkg, officer, _r = world
    accounts = {a.code: a for a in c.book.accounts.all()}
    income_record(
        f.draft(c, pkg, "300.00", ref="C1", method="cash", paid_at=at(dt.date(2026, 3, 5))),
        recorded_by=officer,
    )
    # Paid out of cash on the 2nd, before any cash came in (an insider's posting).
    ledger.post(
        book=c.book,
        date=dt.date(2026, 3, 2),
        actor="officer",
        memo="现金付款",
        legs=[
            ledger.debit(accounts["3101"], Money("5.00", "CNY")),
            ledger.credit(accounts["1001"], Money("5.00", "CNY")),
        ],
    )
    found = [v for v in check_community(c) if v.account == "1001"]
    assert found and found[0].kind == "overdrawn" and found[0].date == dt.date(2026, 3, 2)


@time_machine.travel(NOW, tick=False)
def test_the_auditor_sees_the_report_and_the_pdf_statement_carries_it(march, client):
    from reports.auditor.statements import period_statement

    c, *_ = march
    auditor = f.user("auditor", (c, "auditor"))
    client.force_login(auditor)
    page = client.get(f"/auditor/{c.code}/reconciliation/?account=1012.01&month=2026-03")
    assert page.status_code == 200 and "4200003" in page.content.decode()
    assert client.get(f"/auditor/{c.code}/reconciliation/?month=bad").status_code == 404
    period_close(community=c, month=MARCH, actor="officer", confirmed_by="reviewer")
    period_publish(community=c, month=MARCH, actor="officer")
    st = period_statement(c, MARCH)
    [section] = [s for s in st.sections if s.heading.startswith("银行与支付平台对账")]
    wechat = next(r for r in section.rows if r[0].startswith("1012.01"))
    assert wechat[1] == "有未解释项" and wechat[5] == "1笔 25.00"
    from reports.auditor.formats import to_pdf

    assert to_pdf(st).startswith(b"%PDF")
