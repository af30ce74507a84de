from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # settings.CACHES keeps the shared cache (rate limits) in the database; migrate makes its table everywhere.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_closed_with_last_role")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
