"""Published disclosures are immutable: reports/sql/0002_disclosure_guards.<vendor>.sql."""

from django.db import migrations


def install(apps, schema_editor):
    from ledger import guards

    guards.install(schema_editor.connection, "0002_disclosure_guards", "reports")


def remove(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0002_disclosure_guards", "reports")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
