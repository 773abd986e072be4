"""Balance snapshots of closed periods: written at close, equal to the lines, read in
place of the lines before them, never changed."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import guards, services
from ledger.models import BalanceSnapshot, Line
from ledger.selectors import net_by_account, totals_through
from ledger.verify import verify_book
from tests import factories as f
from tests.ledger.tamper import execute

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 1)


def by_hand(book, through):
    """(debits, credits, lines) per account code, summed from every line."""
    totals = {a.code: [0, 0, 0] for a in book.accounts.all()}
    for line in Line.objects.filter(entry__book=book, entry__date__lte=through).select_related(
        "account"
    ):
        t = totals[line.account.code]
        t[0 if line.amount_fen > 0 else 1] += abs(line.amount_fen)
        t[2] += 1
    return {code: tuple(t) for code, t in totals.items()}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    days=st.lists(st.integers(0, 120), min_size=1, max_size=25),
    closes=st.lists(st.integers(0, 120), max_size=4),
    asks=st.lists(st.integers(0, 150), min_size=1, max_size=6),
)
def test_balances_as_at_any_date_equal_the_lines_whatever_was_closed(days, closes, asks):
    with transaction.atomic():
        book = f.book()
        posted = []
        closes = sorted(set(closes))
        for day in sorted(days):
            date = START + dt.timedelta(days=day)
            while closes and START + dt.timedelta(days=closes[0]) < date:
                services.close_through(book=book, date=START + dt.timedelta(days=closes.pop(0)))
            f.income(book, f"{day + 1}.07", f"{day}.07", "0.50", "0.50", date=date)
            posted.append(date)
        for ask in asks:
            date = START + dt.timedelta(days=ask)
            assert totals_through(book, date) == by_hand(book, date)
            assert net_by_account(book, before=date + dt.timedelta(days=1)) == {
                code: dr - cr for code, (dr, cr, n) in by_hand(book, date).items() if n
            }
        assert verify_book(book).ok
        transaction.set_rollback(True)


def test_closing_writes_one_snapshot_per_account_and_reads_use_it():
    book = f.book()
    f.income(book, date=dt.date(2026, 3, 5))
    f.income(book, "10.00", "7.00", "2.50", "0.50", date=dt.date(2026, 3, 30))
    services.close_through(book=book, date=dt.date(2026, 3, 31))
    services.close_through(book=book, date=dt.date(2026, 3, 31))  # again: nothing new
    snaps = BalanceSnapshot.objects.filter(book=book)
    assert snaps.count() == book.accounts.count()
    cash = snaps.get(account__code="1001")
    assert (cash.through, cash.debit_fen, cash.credit_fen, cash.line_count) == (
        dt.date(2026, 3, 31),
        11000,
        0,
        2,
    )
    f.income(book, "1.00", "0.70", "0.25", "0.05", date=dt.date(2026, 4, 2))

    # Reads start from the snapshot: a (forbidden) change to it shows in the balance,
    # which proves the lines before it were not read again - and verify catches it.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    guards.remove(connection, guards.SNAPSHOT)
    try:
        execute("UPDATE ledger_balancesnapshot SET debit_fen = 1 WHERE id = %s", [cash.pk])
    finally:
        guards.install(connection, guards.SNAPSHOT)
    assert totals_through(book, dt.date(2026, 4, 30))["1001"] == (1 + 100, 0, 3)
    report = verify_book(book)
    assert not report.ok
    assert "snapshot of account 1001 through 2026-03-31" in str(report.problems[0])


@pytest.mark.parametrize(
    "sql", ["UPDATE ledger_balancesnapshot SET debit_fen = 0", "DELETE FROM ledger_balancesnapshot"]
)
def test_the_database_refuses_to_change_a_snapshot(sql):
    book = f.book()
    f.income(book, date=dt.date(2026, 3, 5))
    services.close_through(book=book, date=dt.date(2026, 3, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        execute(sql)
    assert BalanceSnapshot.objects.filter(book=book, account__code="1001").get().debit_fen == 10000


def test_the_balance_now_reads_the_running_totals_in_the_normal_direction():
    from ledger.selectors import balance_fen

    book = f.book()
    f.income(book, date=dt.date(2026, 3, 5))
    f.income(book, "10.00", "7.00", "2.50", "0.50", date=dt.date(2026, 3, 6))
    assert balance_fen(book, "1001") == 11000  # an asset: debits minus credits
    assert balance_fen(book, "2201") == 7700  # a payable: what is owed, positive
    with pytest.raises(Exception, match="no account 9999"):
        balance_fen(book, "9999")
