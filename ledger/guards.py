"""Database-level guards kept as versioned SQL files beside the migrations, each named
after the migration that installs it (`<app>/sql/<migration>.<vendor>[.reverse].sql`,
as django-hordak does), so `sqlmigrate` shows it and an old migration never runs
today's SQL. Other apps keep their guards the same way and install them through here.

A migration that changed PostgreSQL only has no SQLite file of its own: it installs the
SQLite file of the migration named in SAME_AS, byte for byte what it installed before
the files were named after migrations.
"""

from pathlib import Path

import sqlparse
from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper

# The guards in force (what a test that lifts and restores them puts back).
CURRENT = "0008_guards_v3"
SNAPSHOT = "0006_balance_snapshots"
# (migration, vendor) -> the migration whose file it installs unchanged.
SAME_AS = {
    ("0004_guards_v2", "sqlite"): "0002_guards",
    ("0008_guards_v3", "sqlite"): "0002_guards",
}


def sql_dir(app_label: str = "ledger") -> Path:
    """The folder of an app's SQL files: `sql/` in its package."""
    return Path(apps.get_app_config(app_label).path) / "sql"


def statements(
    name: str, vendor: str, *, reverse: bool = False, app_label: str = "ledger"
) -> list[str]:
    name = SAME_AS.get((name, vendor), name) if app_label == "ledger" else name
    suffix = ".reverse.sql" if reverse else ".sql"
    path = sql_dir(app_label) / f"{name}.{vendor}{suffix}"
    if not path.exists():
        raise RuntimeError(f"{app_label} has no guards for the {vendor} database ({path.name})")
    text = path.read_text(encoding="utf-8")
    return [
        s
        for s in (sqlparse.format(s, strip_comments=True).strip() for s in sqlparse.split(text))
        if s
    ]


def install(
    connection: BaseDatabaseWrapper, name: str = CURRENT, app_label: str = "ledger"
) -> None:
    """Run <app>/sql/<name>.<vendor>.sql."""
    with connection.cursor() as cursor:
        for statement in statements(name, connection.vendor, app_label=app_label):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper, name: str = CURRENT, app_label: str = "ledger") -> None:
    """Run <app>/sql/<name>.<vendor>.reverse.sql."""
    with connection.cursor() as cursor:
        for statement in statements(name, connection.vendor, reverse=True, app_label=app_label):
            cursor.execute(statement)
