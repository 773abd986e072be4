"""Guards version 2: on PostgreSQL the line-count guard runs once per INSERT statement
over a transition table instead of twice per line (imports add lines by the thousand);
SQLite's guards are unchanged."""

from django.db import migrations


def forward(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0002_guards")
    guards.install(schema_editor.connection, "0004_guards_v2")


def backward(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0004_guards_v2")
    guards.install(schema_editor.connection, "0002_guards")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_book_closed_through")]

    operations = [migrations.RunPython(forward, backward)]
