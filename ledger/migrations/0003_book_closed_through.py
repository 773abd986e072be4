"""Period locks: a book closed through a date refuses entries dated on or before it,
in the posting service and (ledger/sql/period_guard_v1.<vendor>.sql) in the database."""

from django.db import migrations, models


def install(apps, schema_editor):
    from ledger import guards

    guards.install(schema_editor.connection, "period_guard_v1")


def remove(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "period_guard_v1")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_guards")]

    operations = [
        migrations.AddField(
            model_name="book",
            name="closed_through",
            field=models.DateField(blank=True, null=True, verbose_name="closed through"),
        ),
        migrations.RunPython(install, remove),
    ]
