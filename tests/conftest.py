import datetime as dt
import os
import time

import pytest
from django.db import connection

from ledger import guards

# FUNDMGR_TEST_NOW=2027-01-01T00:30+08:00 runs the whole suite on that clock (CI does, on
# the 1st of a month just after midnight, when UTC is still on the day before): a test
# that silently reads the wall clock fails there instead of on a newcomer's first day.
TEST_NOW = os.environ.get("FUNDMGR_TEST_NOW", "")
_travel = None


def pytest_configure(config):
    global _travel
    if TEST_NOW:
        import time_machine

        try:
            moment = dt.datetime.fromisoformat(TEST_NOW)
        except ValueError:
            raise pytest.UsageError(
                f"FUNDMGR_TEST_NOW={TEST_NOW!r} is not an ISO date-time"
            ) from None
        # The real instant the suite's clock starts: the browser tests' server and demo
        # (tests/browser/clock.py) start theirs from the same instant, so every process
        # reads the same time - a second factor's 30-second code needs that.
        os.environ.setdefault("FUNDMGR_TEST_EPOCH", repr(time.time()))
        _travel = time_machine.travel(moment, tick=True)
        _travel.start()


def pytest_unconfigure(config):
    if _travel is not None:
        _travel.stop()


def pytest_report_header(config):
    return f"clock: {TEST_NOW} (FUNDMGR_TEST_NOW)" if TEST_NOW else "clock: the wall clock"


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    # Under pytest-xdist (--dist loadgroup) the browser tests go to one worker together:
    # they share one server loaded with the demo, started once.
    browsers = pytest.mark.xdist_group("browser")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip_pg)
        if "browser" in item.keywords:
            item.add_marker(browsers)


@pytest.fixture
def ledger_purge(transactional_db):
    """For tests that commit (threads, processes): the ledger tables are append-only at
    the database, so Django's flush after the test would be refused. Empty them the way
    a database owner would, with the guards lifted for that moment only."""
    yield
    from django.db import connections

    for conn in connections.all():
        conn.close()
    purge(connection)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the product's default language (zh-Hans), as a command or a
    task does: a request in English left English active for the next test in the
    process, so a test's language depended on the order pytest-xdist gave it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests,
    and a cached look-up (a published month, a rendered page) must not outlive it."""
    from django.core.cache import cache

    from reports.public import cache as published

    cache.clear()
    published.forget_all()
    yield
    cache.clear()
    published.forget_all()


# The tables that refer to ledger entries, children first, each with the app and the
# guards to lift while it is emptied (None: it has none).
GUARDED_TABLES = [
    ("reports_disclosure", "reports", "0002_disclosure_guards"),
    ("spaces_rentpayment", "spaces", None),
    ("fundmgr_disbursementapproval", "fundmgr", None),
    ("fundmgr_attachment", "fundmgr", None),
    ("fundmgr_disbursement", "fundmgr", None),
    ("fundmgr_settlement", "fundmgr", None),
    ("fundmgr_income", "fundmgr", "0002_income_guards"),
]
# Every ledger guard lifted, in the order they are installed (the snapshot guard uses
# functions of the main one).
LEDGER_GUARDS = (guards.CURRENT, guards.SNAPSHOT)


def purge(connection) -> None:
    """Empty the ledger's tables and those that refer to them, as a database owner could
    by hand: lift the guards, delete, restore the guards. Test databases only."""
    for _table, app, name in GUARDED_TABLES:
        if name:
            guards.remove(connection, name, app)
    for name in reversed(LEDGER_GUARDS):
        guards.remove(connection, name)
    try:
        with connection.cursor() as cursor:
            for table, _app, _name in GUARDED_TABLES:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            cursor.execute("DELETE FROM ledger_balancesnapshot")
            cursor.execute("DELETE FROM ledger_line")
            cursor.execute("DELETE FROM ledger_entry")
    finally:
        for name in LEDGER_GUARDS:
            guards.install(connection, name)
        for _table, app, name in GUARDED_TABLES:
            if name:
                guards.install(connection, name, app)
