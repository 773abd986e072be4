"""Published disclosures are immutable: reports/sql/disclosure_guards_v1.<vendor>.sql."""

from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def install(apps, schema_editor):
    from ledger import guards

    guards.install(schema_editor.connection, "disclosure_guards_v1", SQL_DIR)


def remove(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "disclosure_guards_v1", SQL_DIR)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
