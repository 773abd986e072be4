"""The insider of issue #16: database superuser access, triggers off, an income of a
published month made ¥50.00 smaller - cash debit and provider credit both, so the entry
stays balanced - the income row, the account totals and the balance snapshots made to
agree, and every later entry and the book's head re-hashed. verify_ledger's chain,
totals and snapshot checks all pass afterwards; only the signed heads can catch it."""

from contextlib import contextmanager
from decimal import Decimal

from django.db import connection

from fundmgr.chart import PROVIDER_ACCOUNT_PREFIX
from ledger import guards
from ledger.chain import GENESIS_HASH, entry_hash
from ledger.models import Account, Line
from ledger.verify import stored_entries
from tests.conftest import GUARDED_TABLES, LEDGER_GUARDS


@contextmanager
def triggers_off():
    """PostgreSQL: `SET LOCAL session_replication_role = replica`, as the brief's
    superuser does. SQLite has no such switch: its guards are dropped and put back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
        return
    lifted = [(app, name) for _t, app, name in GUARDED_TABLES if name]
    for app, name in lifted:
        guards.remove(connection, name, app)
    for name in reversed(LEDGER_GUARDS):
        guards.remove(connection, name)
    try:
        yield
    finally:
        for name in LEDGER_GUARDS:
            guards.install(connection, name)
        for app, name in lifted:
            guards.install(connection, name, app)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def take_off(income, fen: int = 5000) -> None:
    """Make a recorded income `fen` smaller everywhere the books hold it, consistently."""
    entry = income.entry
    book = entry.book
    provider = Account.objects.get(
        book=book, code=PROVIDER_ACCOUNT_PREFIX + income.package.provider.code
    )
    cash = Line.objects.get(entry=entry, amount_fen__gt=0).account
    with triggers_off():
        # The two legs: the cash debit and the provider's credit (negative) shrink.
        assert sql(
            "UPDATE ledger_line SET amount_fen = amount_fen - %s WHERE entry_id = %s "
            "AND account_id = %s",
            [fen, entry.pk, cash.pk],
        )
        assert sql(
            "UPDATE ledger_line SET amount_fen = amount_fen + %s WHERE entry_id = %s "
            "AND account_id = %s",
            [fen, entry.pk, provider.pk],
        )
        # The income row, the running totals, every snapshot through a later day.
        yuan = Decimal(fen).scaleb(-2)  # the income's MoneyField columns are decimals
        assert sql(
            "UPDATE fundmgr_income SET amount = amount - %s, "
            "provider_share = provider_share - %s WHERE id = %s",
            [yuan, yuan, income.pk],
        )
        sql("UPDATE ledger_account SET debit_fen = debit_fen - %s WHERE id = %s", [fen, cash.pk])
        sql(
            "UPDATE ledger_account SET credit_fen = credit_fen - %s WHERE id = %s",
            [fen, provider.pk],
        )
        sql(
            "UPDATE ledger_balancesnapshot SET debit_fen = debit_fen - %s "
            "WHERE account_id = %s AND through >= %s",
            [fen, cash.pk, entry.date],
        )
        sql(
            "UPDATE ledger_balancesnapshot SET credit_fen = credit_fen - %s "
            "WHERE account_id = %s AND through >= %s",
            [fen, provider.pk, entry.date],
        )
        # Re-hash the chain from the changed entry on, and the book's head.
        running = GENESIS_HASH
        for stored in stored_entries(book):
            if stored.record.seq >= entry.seq:
                digest = entry_hash(running, stored.record)
                sql(
                    "UPDATE ledger_entry SET prev_hash = %s, hash = %s WHERE id = %s",
                    [running, digest, stored.id],
                )
                running = digest
            else:
                running = stored.hash
        sql("UPDATE ledger_book SET head_hash = %s WHERE id = %s", [running, book.pk])
