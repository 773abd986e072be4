"""Balance snapshots of closed periods, append-only (ledger/sql/0006_balance_snapshots.*)."""

import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    from ledger import guards

    guards.install(schema_editor.connection, "0006_balance_snapshots")


def remove(apps, schema_editor):
    from ledger import guards

    guards.remove(schema_editor.connection, "0006_balance_snapshots")


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_composite_indexes_cover_foreign_keys'),
    ]

    operations = [
        migrations.CreateModel(
            name='BalanceSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('through', models.DateField(verbose_name='through')),
                ('debit_fen', models.BigIntegerField(verbose_name='debits (fen)')),
                ('credit_fen', models.BigIntegerField(verbose_name='credits (fen)')),
                ('line_count', models.BigIntegerField(verbose_name='lines')),
                ('account', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='ledger.account')),
                ('book', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='ledger.book')),
            ],
            options={
                'verbose_name': 'balance snapshot',
                'verbose_name_plural': 'balance snapshots',
                'indexes': [models.Index(fields=['book', 'through'], name='ledger_snapshot_book_through')],
                'constraints': [models.UniqueConstraint(fields=('account', 'through'), name='ledger_snapshot_once')],
            },
        ),
        migrations.RunPython(install, remove),
    ]
