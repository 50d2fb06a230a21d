"""Create the database cache table that allauth's rate limits use by default (CACHE_URL=db://...).

Running it from a migration means `manage.py migrate` is the only set-up step; with a Redis cache it
does nothing.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("recovery", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
