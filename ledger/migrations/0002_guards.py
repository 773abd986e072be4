"""Database-level guards: append-only entries and lines, balanced entries.

The SQL lives in ledger/sql/0002_guards.<vendor>.sql with its reverse beside it. A later
change to the guards is a new file (guards_v2) and a new migration, never an edit.
"""

from django.db import migrations


def install(apps, schema_editor):
    from ledger import guards

    guards.install(schema_editor.connection, "0002_guards")


def remove(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0002_guards")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
