"""Database guards on recorded income: facts fixed, nothing deleted.
SQL in fundmgr/sql/income_guards_v1.<vendor>.sql, with its reverse beside it."""

from django.db import migrations


def install(apps, schema_editor):
    from fundmgr.guards import SQL_DIR
    from ledger import guards

    guards.install(schema_editor.connection, "income_guards_v1", SQL_DIR)


def remove(apps, schema_editor):
    from fundmgr.guards import SQL_DIR
    from ledger import guards

    guards.remove(schema_editor.connection, "income_guards_v1", SQL_DIR)


class Migration(migrations.Migration):
    dependencies = [("fundmgr", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
