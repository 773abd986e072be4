"""Drop the single-column foreign-key indexes that composite indexes already cover
((book, seq), (account, entry), (entry, position)): each cost every insert, and with
stale statistics the planner scanned a whole book through one of them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0004_guards_v2'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # Only the index goes: AlterField would rebuild the table on SQLite (losing
            # its guard triggers) and re-validate the foreign key on PostgreSQL.
            state_operations=[
                migrations.AlterField(
                    model_name='entry',
                    name='book',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='ledger.book'),
                ),
                migrations.AlterField(
                    model_name='line',
                    name='account',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='line',
                    name='entry',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='ledger.entry'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS ledger_entry_book_id_0747a339",
                                  'CREATE INDEX ledger_entry_book_id_0747a339 ON ledger_entry (book_id)'),
                migrations.RunSQL("DROP INDEX IF EXISTS ledger_line_account_id_a3112da4",
                                  'CREATE INDEX ledger_line_account_id_a3112da4 ON ledger_line (account_id)'),
                migrations.RunSQL("DROP INDEX IF EXISTS ledger_line_entry_id_a699af21",
                                  'CREATE INDEX ledger_line_entry_id_a699af21 ON ledger_line (entry_id)'),
            ],
        ),
    ]
