"""Guards version 3: on PostgreSQL the line-count guard plans its look-ups as index
probes (a scan of every entry per statement made each batch of an import slower than
the last); SQLite's guards are unchanged. The snapshot guard uses the main guards'
functions, so it is lifted and put back around the swap."""

from django.db import migrations


def forward(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0006_balance_snapshots")
    guards.remove(schema_editor.connection, "0004_guards_v2")
    guards.install(schema_editor.connection, "0008_guards_v3")
    guards.install(schema_editor.connection, "0006_balance_snapshots")


def backward(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0006_balance_snapshots")
    guards.remove(schema_editor.connection, "0008_guards_v3")
    guards.install(schema_editor.connection, "0004_guards_v2")
    guards.install(schema_editor.connection, "0006_balance_snapshots")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_key_first_unique_indexes")]

    operations = [migrations.RunPython(forward, backward)]
