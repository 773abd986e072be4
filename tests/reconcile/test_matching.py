"""Matching statement lines to recorded items, confirming, cash deposits and the
month's 余额调节表 - on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from djmoney.money import Money
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.models import Income
from fundmgr.reconcile import matching, samples, selectors
from fundmgr.reconcile.models import CashDeposit, Match, StatementLine
from fundmgr.reconcile.services import (
    deposit_approve,
    deposit_record,
    deposit_reject,
    match_confirm,
    proposals_confirm,
    statement_import,
)
from fundmgr.services.income import income_record
from ledger.models import Entry
from tests import factories as f

from .conftest import at, sample

D = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 4, 5, 12, tzinfo=dt.UTC)


def pay(c, pkg, officer, amount, ref, day=D, method="wechat"):
    income, _created = income_record(
        f.draft(c, pkg, amount, ref=ref, method=method, paid_at=at(day)), recorded_by=officer
    )
    return income


def load(c, officer, tmp_path, fmt, text, name="s.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig"))
    return statement_import(community=c, format=fmt, path=path, user=officer)


@time_machine.travel(NOW, tick=False)
def test_exact_then_amount_and_date_then_a_daily_settlement(world, tmp_path):
    c, pkg, officer, _r = world
    a = pay(c, pkg, officer, "18.00", "SQR-1")
    b = pay(c, pkg, officer, "36.00", "SQR-2", D + dt.timedelta(days=1))
    g1 = pay(c, pkg, officer, "10.00", "SQR-3", D + dt.timedelta(days=2))
    g2 = pay(c, pkg, officer, "20.00", "SQR-4", D + dt.timedelta(days=2))
    load(
        c,
        officer,
        tmp_path,
        "wechat_funds",
        samples.wechat_funds(
            [
                sample(D, 1800, "F1", "SQR-1"),  # by reference
                sample(D + dt.timedelta(days=2), 3600, "F2", "X"),  # by amount, a day later
                sample(D + dt.timedelta(days=3), 3000, "F3", "DAY"),  # one line, two sales
            ],
            end=dt.date(2026, 3, 31),
        ),
    )
    found = {p.line.id: p for p in selectors.proposals(c, "1012.01")}
    by_ref = {StatementLine.objects.get(pk=k).reference: p for k, p in found.items()}
    assert [i.id for i in by_ref["F1"].items] == [a.pk] and by_ref["F1"].method == "exact"
    assert [i.id for i in by_ref["F2"].items] == [b.pk] and by_ref["F2"].method == "amount_date"
    assert {i.id for i in by_ref["F3"].items} == {g1.pk, g2.pk} and by_ref["F3"].method == "group"
    assert proposals_confirm(community=c, code="1012.01", user=officer) == 1
    for p in selectors.proposals(c, "1012.01"):
        match_confirm(
            community=c,
            line=StatementLine.objects.get(pk=p.line.id),
            items=[i.key for i in p.items],
            user=officer,
            method=p.method,
        )
    assert Match.objects.count() == 3
    report = selectors.report(c, "1012.01", dt.date(2026, 3, 1))
    assert report.status == "reconciled", (report.book_only, report.statement_only)
    assert report.book_fen == report.statement_fen == 8400


@time_machine.travel(NOW, tick=False)
def test_a_match_must_be_exact_and_is_made_once(world, tmp_path):
    c, pkg, officer, _r = world
    a = pay(c, pkg, officer, "18.00", "SQR-1")
    b = pay(c, pkg, officer, "18.00", "SQR-2")
    load(
        c,
        officer,
        tmp_path,
        "wechat_funds",
        samples.wechat_funds([sample(D, 1800, "F1"), sample(D, 2000, "F2")]),
    )
    one, two = StatementLine.objects.order_by("id")
    with pytest.raises(ValidationError, match="分毫不差|exact"):
        match_confirm(community=c, line=two, items=[("income", b.pk)], user=officer)
    match_confirm(community=c, line=one, items=[("income", a.pk)], user=officer)
    with pytest.raises(ValidationError):
        match_confirm(community=c, line=one, items=[("income", b.pk)], user=officer)
    with pytest.raises(ValidationError):
        match_confirm(community=c, line=two, items=[("income", a.pk)], user=officer)
    # Nothing recorded was changed to make a match.
    assert Income.objects.get(pk=b.pk).amount == Money("18.00", "CNY")


@time_machine.travel(NOW, tick=False)
def test_the_report_separates_items_in_transit_from_the_unexplained(world, tmp_path):
    c, pkg, officer, _r = world
    late = pay(c, pkg, officer, "50.00", "SQR-LATE", dt.date(2026, 3, 31))  # settles on 1 April
    pay(c, pkg, officer, "18.00", "SQR-1")
    load(
        c,
        officer,
        tmp_path,
        "wechat_funds",
        samples.wechat_funds(
            [
                sample(D, 1800, "F1", "SQR-1"),
                sample(dt.date(2026, 3, 20), 9900, "F2", "NOBODY-RECORDED-THIS"),
                sample(dt.date(2026, 4, 1), 5000, "F3", "SQR-LATE"),
            ]
        ),
    )
    proposals_confirm(community=c, code="1012.01", user=officer)
    report = selectors.report(c, "1012.01", dt.date(2026, 3, 1))
    assert report.book_fen == 6800 and report.statement_fen == 11700
    assert [(e.amount_fen, e.in_transit) for e in report.book_only] == [(5000, True)]
    assert [(e.amount_fen, e.in_transit) for e in report.statement_only] == [(9900, False)]
    assert report.difference_fen == 0 and report.status == "unexplained"
    assert late.pk  # and April, once the line is in the books, balances again
    assert selectors.report(c, "1012.01", dt.date(2026, 4, 1)).book_only == []


@time_machine.travel(NOW, tick=False)
def test_a_cash_deposit_waits_for_review_then_moves_cash_to_the_bank(world, tmp_path):
    c, pkg, officer, reviewer = world
    pay(c, pkg, officer, "300.00", "C-1", method="cash")
    with pytest.raises(ValidationError) as exc:
        deposit_record(
            community=c,
            amount=Money("400.00", "CNY"),
            deposited_on=D,
            slip_reference="S1",
            user=officer,
        )
    assert "amount" in exc.value.message_dict  # more than the cash on hand
    both = f.user("both", (c, "officer"), (c, "reviewer"))
    d = deposit_record(
        community=c, amount=Money("300.00", "CNY"), deposited_on=D, slip_reference="S1", user=both
    )
    assert d.entry is None
    with pytest.raises(ValidationError):
        deposit_approve(deposit=d, reviewer=both)  # not one's own
    d = deposit_approve(deposit=d, reviewer=reviewer)
    lines = {(x.account.code, x.amount_fen) for x in Entry.objects.get(pk=d.entry_id).lines.all()}
    assert lines == {("1002", 30000), ("1001", -30000)}
    assert c.book.accounts.get(code="1001").balance_fen == 0
    with pytest.raises(ValidationError):
        deposit_record(
            community=c,
            amount=Money("1.00", "CNY"),
            deposited_on=D,
            slip_reference="S1",
            user=officer,
        )


@time_machine.travel(NOW, tick=False)
def test_a_rejected_deposit_posts_nothing(world):
    c, pkg, officer, reviewer = world
    pay(c, pkg, officer, "300.00", "C-1", method="cash")
    d = deposit_record(
        community=c,
        amount=Money("300.00", "CNY"),
        deposited_on=D,
        slip_reference="S1",
        user=officer,
    )
    with pytest.raises(ValidationError):
        deposit_reject(deposit=d, reviewer=reviewer, reason=" ")
    deposit_reject(deposit=d, reviewer=reviewer, reason="缴款单金额不清")
    assert CashDeposit.objects.get().entry is None
    assert c.book.accounts.get(code="1001").balance_fen == 30000


@time_machine.travel(NOW, tick=False)
def test_a_deposit_matches_its_bank_line_and_undeposited_cash_is_known(world, tmp_path):
    from fundmgr.reconcile.services import mapping_save

    c, pkg, officer, reviewer = world
    pay(c, pkg, officer, "300.00", "C-1", method="cash")
    pay(c, pkg, officer, "80.00", "C-2", D + dt.timedelta(days=1), method="cash")
    d = deposit_record(
        community=c,
        amount=Money("300.00", "CNY"),
        deposited_on=D + dt.timedelta(days=2),
        slip_reference="JK0001",
        user=officer,
    )
    deposit_approve(deposit=d, reviewer=reviewer)
    mapping_save(community=c, bank="工商银行", columns=samples.BANK_COLUMNS, user=officer)
    path = tmp_path / "b.csv"
    path.write_text(
        samples.bank_csv([sample(D + dt.timedelta(days=2), 30000, "B1", memo="现金缴款 JK0001")]),
        encoding="gb18030",
    )
    statement_import(community=c, format="bank", bank="工商银行", path=path, user=officer)
    [p] = selectors.proposals(c, "1002")
    assert p.method == "exact" and p.items[0].kind == "deposit"
    left = selectors.undeposited_cash(c)
    assert [(i.label and i.amount_fen, fen) for i, fen in left] == [(8000, 8000)]


def line(i, day, fen, refs=()):
    return matching.LineFact(i, dt.date(2026, 3, day), fen, tuple(refs))


def item(i, day, fen, ref=""):
    return matching.ItemFact("income", i, dt.date(2026, 3, day), fen, ref)


@given(
    st.lists(st.tuples(st.integers(1, 28), st.integers(-5000, 5000).filter(bool)), max_size=12),
    st.lists(st.tuples(st.integers(1, 28), st.integers(-5000, 5000).filter(bool)), max_size=12),
)
def test_proposals_never_use_an_item_twice_and_always_add_up(lines, items):
    ls = [line(n, d, a) for n, (d, a) in enumerate(lines)]
    its = [item(n, d, a) for n, (d, a) in enumerate(items)]
    found = matching.propose(ls, its)
    used = [i.key for p in found for i in p.items]
    assert len(used) == len(set(used))
    assert len({p.line.id for p in found}) == len(found)
    for p in found:
        assert sum(i.amount_fen for i in p.items) == p.line.amount_fen


def test_a_reference_match_wins_over_a_closer_date():
    ls = [line(1, 10, 500, ["REF-B"])]
    its = [item(1, 10, 500, "REF-A"), item(2, 2, 500, "REF-B")]
    [p] = matching.propose(ls, its)
    assert p.items[0].id == 2 and p.method == "exact"


def test_nothing_is_proposed_outside_the_window():
    assert matching.propose([line(1, 20, 500)], [item(1, 2, 500)]) == []
