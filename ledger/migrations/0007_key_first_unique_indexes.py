"""Unique indexes led by the looked-up key, not by the book/community: look-ups probe
them one key at a time, whatever the planner's statistics say (ledger.rows.probe_sql)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0006_balance_snapshots'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='entry',
            name='ledger_entry_idempotency_per_book',
        ),
        migrations.AddConstraint(
            model_name='entry',
            constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key__isnull', False)), fields=('idempotency_key', 'book'), name='ledger_entry_key_per_book'),
        ),
    ]
