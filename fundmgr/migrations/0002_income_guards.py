"""Database guards on recorded income: facts fixed, nothing deleted.
SQL in fundmgr/sql/0002_income_guards.<vendor>.sql, with its reverse beside it."""

from django.db import migrations


def install(apps, schema_editor):
    from ledger import guards

    guards.install(schema_editor.connection, "0002_income_guards", "fundmgr")


def remove(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0002_income_guards", "fundmgr")


class Migration(migrations.Migration):
    dependencies = [("fundmgr", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
