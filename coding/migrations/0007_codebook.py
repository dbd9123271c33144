# The codebook: removed themes are kept whole so that a delete or a merge can be undone.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coding', '0006_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DeletedTheme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('original_id', models.BigIntegerField(unique=True, verbose_name='original id')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('action', models.CharField(choices=[('deleted', 'Deleted'), ('merged', 'Merged')], max_length=20, verbose_name='action')),
                ('snapshot', models.JSONField(help_text="The theme's fields, place, sub-themes and codings at removal.", verbose_name='snapshot')),
                ('deleted_at', models.DateTimeField(auto_now_add=True, verbose_name='removed at')),
                ('deleted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='removed by')),
            ],
            options={
                'verbose_name': 'removed theme',
                'verbose_name_plural': 'removed themes',
                'ordering': ['-deleted_at', '-pk'],
            },
        ),
    ]
