"""Unique indexes led by the looked-up key, not by the book/community: look-ups probe
them one key at a time, whatever the planner's statistics say (ledger.rows.probe_sql)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fundmgr', '0005_composite_indexes_cover_foreign_keys'),
        ('ledger', '0007_key_first_unique_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='income',
            name='income_external_ref_per_community',
        ),
        migrations.AddConstraint(
            model_name='income',
            constraint=models.UniqueConstraint(condition=models.Q(('external_ref__isnull', False), models.Q(('status', 'rejected'), _negated=True)), fields=('external_ref', 'community'), name='income_ref_per_community'),
        ),
    ]
