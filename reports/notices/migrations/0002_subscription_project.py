# Follow a project (#19): a subscription may be scoped to one project. Existing rows keep
# project NULL - the community notices they asked for - and their uniqueness.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fundmgr', '0009_income_price_note'),
        ('notices', '0001_initial'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='subscription',
            name='subscription_once',
        ),
        migrations.AddField(
            model_name='subscription',
            name='project',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.project', verbose_name='project followed'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(condition=models.Q(('project__isnull', True)), fields=('community', 'email'), name='subscription_once'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(condition=models.Q(('project__isnull', False)), fields=('project', 'email'), name='subscription_project_once'),
        ),
    ]
