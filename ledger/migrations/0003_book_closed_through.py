"""Period locks: a book closed through a date refuses entries dated on or before it,
in the posting service and (ledger/sql/0003_book_closed_through.<vendor>.sql) in the database."""

from django.db import migrations, models


def install(apps, schema_editor):
    from ledger import guards

    guards.install(schema_editor.connection, "0003_book_closed_through")


def remove(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0003_book_closed_through")


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
