"""The database-level guards of the ledger, kept as versioned SQL files in ledger/sql/.

Migrations install them through `install`; `purge` exists for test databases only,
doing what a database owner could do by hand (lift the guards, empty the tables,
restore the guards), because Django's test flush would otherwise be refused.
"""

from pathlib import Path

import sqlparse
from django.db.backends.base.base import BaseDatabaseWrapper

SQL_DIR = Path(__file__).resolve().parent / "sql"
CURRENT = "guards_v3"
# Every guard file purge lifts, in the order they are installed (the snapshot guard uses
# functions of the main one).
LIFTED = (CURRENT, "snapshot_guard_v1")


def statements(name: str, vendor: str, *, reverse: bool = False,
               sql_dir: Path = SQL_DIR) -> list[str]:
    suffix = ".reverse.sql" if reverse else ".sql"
    path = sql_dir / f"{name}.{vendor}{suffix}"
    if not path.exists():
        raise RuntimeError(f"the ledger has no guards for the {vendor} database ({path.name})")
    text = path.read_text(encoding="utf-8")
    return [s for s in (sqlparse.format(s, strip_comments=True).strip()
                        for s in sqlparse.split(text)) if s]


def install(connection: BaseDatabaseWrapper, name: str = CURRENT,
            sql_dir: Path = SQL_DIR) -> None:
    """Run <sql_dir>/<name>.<vendor>.sql: also for other apps' guards of their own."""
    with connection.cursor() as cursor:
        for statement in statements(name, connection.vendor, sql_dir=sql_dir):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper, name: str = CURRENT,
           sql_dir: Path = SQL_DIR) -> None:
    with connection.cursor() as cursor:
        for statement in statements(name, connection.vendor, reverse=True, sql_dir=sql_dir):
            cursor.execute(statement)


def purge(connection: BaseDatabaseWrapper, before=()) -> None:
    """Empty the ledger's tables. For test databases only. `before` lists (table, guard
    name or None, sql dir) of other tables that refer to entries and are emptied first."""
    for _table, name, sql_dir in before:
        if name:
            remove(connection, name, sql_dir)
    for name in reversed(LIFTED):
        remove(connection, name)
    try:
        with connection.cursor() as cursor:
            for table, _name, _dir in before:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            cursor.execute("DELETE FROM ledger_balancesnapshot")
            cursor.execute("DELETE FROM ledger_line")
            cursor.execute("DELETE FROM ledger_entry")
    finally:
        for name in LIFTED:
            install(connection, name)
        for _table, name, sql_dir in before:
            if name:
                install(connection, name, sql_dir)
