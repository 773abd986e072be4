"""Database-level guards: append-only entries and lines, balanced entries.

The SQL lives in ledger/sql/guards_v1.<vendor>.sql with its reverse beside it. A later
change to the guards is a new file (guards_v2) and a new migration, never an edit.
"""

from django.db import migrations


def install(apps, schema_editor):
    from ledger import guards

    guards.install(schema_editor.connection, "guards_v1")


def remove(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "guards_v1")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
