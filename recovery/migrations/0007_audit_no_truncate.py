"""On PostgreSQL, the audit table can't be emptied with TRUNCATE either (row triggers don't see it).

Together with an app role that has no TRUNCATE, ALTER or trigger rights (see `manage.py database_roles`),
nobody running Mend can quietly remove the record of who looked at a couple's data.
"""

from django.db import migrations

CREATE = """
CREATE TRIGGER recovery_auditevent_no_truncate
    BEFORE TRUNCATE ON recovery_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION recovery_auditevent_immutable();
"""
DROP = "DROP TRIGGER IF EXISTS recovery_auditevent_no_truncate ON recovery_auditevent;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("recovery", "0006_delivery")]

    operations = [migrations.RunPython(create, drop)]
