import pytest
from django.db import connection

from ledger import guards


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip_pg)


@pytest.fixture
def ledger_purge(transactional_db):
    """For tests that commit (threads, processes): the ledger tables are append-only at
    the database, so Django's flush after the test would be refused. Empty them the way
    a database owner would, with the guards lifted for that moment only."""
    yield
    from django.db import connections

    for conn in connections.all():
        conn.close()
    from pathlib import Path

    import reports
    from fundmgr.guards import GUARDED_TABLES

    reports_sql = Path(reports.__file__).resolve().parent / "sql"
    guards.purge(connection, before=[
        ("reports_disclosure", "disclosure_guards_v1", reports_sql), *GUARDED_TABLES])


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests,
    and a cached look-up (a published month, a rendered page) must not outlive it."""
    from django.core.cache import cache

    from reports import published

    cache.clear()
    published.forget_all()
    yield
    cache.clear()
    published.forget_all()
