"""The database itself refuses to change or remove posted entries, on SQLite and
PostgreSQL: raw SQL, not only the ORM."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from ledger.models import Entry, Line
from tests import factories as f
from tests.ledger.tamper import execute

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted():
    book = f.book()
    entry = f.income(book, "100.00", "70.00", "25.00", "5.00")
    return book, entry


def refused(sql, params=()):
    with pytest.raises(IntegrityError) as err, transaction.atomic():
        execute(sql, params)
    return str(err.value)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_line SET amount_fen = amount_fen + 1 WHERE entry_id = %s",
        "UPDATE ledger_line SET description = 'x' WHERE entry_id = %s",
        "DELETE FROM ledger_line WHERE entry_id = %s",
        "UPDATE ledger_entry SET memo = '改过的摘要' WHERE id = %s",
        "UPDATE ledger_entry SET date = '2020-01-01' WHERE id = %s",
        "DELETE FROM ledger_entry WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_delete_a_posted_entry(posted, sql):
    _, entry = posted
    message = refused(sql, [entry.pk])
    assert "append-only" in message
    entry_after = Entry.objects.get(pk=entry.pk)
    assert entry_after.memo == entry.memo
    assert sorted(Line.objects.filter(entry=entry).values_list("amount_fen", flat=True)) == [
        -7000,
        -2500,
        -500,
        10000,
    ]


def test_the_orm_cannot_change_or_delete_a_posted_entry(posted):
    _, entry = posted
    entry.memo = "改"
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(memo="改")
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.filter(entry=entry).delete()
    assert Entry.objects.get(pk=entry.pk).memo == "服务包收入"


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(posted):
    execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no pending checks
    assert "append-only" in refused("TRUNCATE ledger_line, ledger_entry CASCADE")
    assert Line.objects.count() == 4


def _force_deferred_checks():
    if connection.vendor == "postgresql":
        execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_an_unbalanced_entry_written_past_the_services_is_refused(posted):
    book, _ = posted
    cash, payable = f.account(book, "1001"), f.account(book, "2201")
    with pytest.raises(IntegrityError) as err, transaction.atomic():
        entry = Entry.objects.create(
            book=book,
            seq=2,
            date=dt.date(2026, 3, 2),
            memo="forged",
            actor="x",
            line_count=2,
            created_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
            prev_hash="0" * 64,
            hash="f" * 64,
        )
        Line.objects.create(entry=entry, position=1, account=cash, amount_fen=100, currency="CNY")
        Line.objects.create(
            entry=entry, position=2, account=payable, amount_fen=-99, currency="CNY"
        )
        _force_deferred_checks()
    assert "unbalanced" in str(err.value)
    assert Entry.objects.count() == 1


@pytest.mark.postgres
def test_an_entry_missing_its_lines_is_refused_at_commit_on_postgresql(posted):
    book, _ = posted
    with pytest.raises(IntegrityError) as err, transaction.atomic():
        Entry.objects.create(
            book=book,
            seq=2,
            date=dt.date(2026, 3, 2),
            memo="no lines",
            actor="x",
            line_count=2,
            created_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
            prev_hash="0" * 64,
            hash="e" * 64,
        )
        _force_deferred_checks()
    assert "declares 2 lines but has 0" in str(err.value)


def test_no_line_can_be_added_to_a_complete_entry(posted):
    book, entry = posted
    with pytest.raises(IntegrityError) as err, transaction.atomic():
        Line.objects.create(
            entry=entry, position=5, account=f.account(book, "1002"), amount_fen=1, currency="CNY"
        )
    assert "lines" in str(err.value)
    assert Line.objects.filter(entry=entry).count() == 4


def test_an_account_with_lines_keeps_its_code_and_type_but_may_be_renamed(posted):
    book, _ = posted
    cash = f.account(book, "1001")
    with pytest.raises(IntegrityError), transaction.atomic():
        execute("UPDATE ledger_account SET code = '9999' WHERE id = %s", [cash.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        execute("UPDATE ledger_account SET type = 'expense' WHERE id = %s", [cash.pk])
    execute("UPDATE ledger_account SET name = '库存现金' WHERE id = %s", [cash.pk])
    cash.refresh_from_db()
    assert (cash.code, cash.type, cash.name) == ("1001", "asset", "库存现金")
    unused = f.account(book, "1002")
    execute("UPDATE ledger_account SET code = '1003' WHERE id = %s", [unused.pk])
