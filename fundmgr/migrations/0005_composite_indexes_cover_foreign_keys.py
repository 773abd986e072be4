"""Drop income's single-column community index: (community, paid_at), (community,
status) and (community, external_ref) cover it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fundmgr', '0004_settlements_disbursements'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # Only the index goes: AlterField would rebuild the table on SQLite (losing
            # its guard triggers) and re-validate the foreign key on PostgreSQL.
            state_operations=[
                migrations.AlterField(
                    model_name='income',
                    name='community',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='incomes', to='fundmgr.community', verbose_name='community'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS fundmgr_income_community_id_85505841",
                                  'CREATE INDEX fundmgr_income_community_id_85505841 ON fundmgr_income (community_id)'),
            ],
        ),
    ]
