"""The database-level guards of the ledger, kept as versioned SQL files in ledger/sql/.

Migrations install them through `install`; `purge` exists for test databases only,
doing what a database owner could do by hand (lift the guards, empty the tables,
restore the guards), because Django's test flush would otherwise be refused.
"""

from pathlib import Path

import sqlparse
from django.db.backends.base.base import BaseDatabaseWrapper

SQL_DIR = Path(__file__).resolve().parent / "sql"
CURRENT = "guards_v1"


def statements(name: str, vendor: str, *, reverse: bool = False) -> list[str]:
    suffix = ".reverse.sql" if reverse else ".sql"
    path = SQL_DIR / f"{name}.{vendor}{suffix}"
    if not path.exists():
        raise RuntimeError(f"the ledger has no guards for the {vendor} database ({path.name})")
    text = path.read_text(encoding="utf-8")
    return [s for s in (sqlparse.format(s, strip_comments=True).strip()
                        for s in sqlparse.split(text)) if s]


def install(connection: BaseDatabaseWrapper, name: str = CURRENT) -> None:
    with connection.cursor() as cursor:
        for statement in statements(name, connection.vendor):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper, name: str = CURRENT) -> None:
    with connection.cursor() as cursor:
        for statement in statements(name, connection.vendor, reverse=True):
            cursor.execute(statement)


def purge(connection: BaseDatabaseWrapper) -> None:
    """Empty the ledger's tables. For test databases only."""
    remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_line")
            cursor.execute("DELETE FROM ledger_entry")
    finally:
        install(connection)
