"""On PostgreSQL, audit rows can't be changed or removed, whatever the application does."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION recovery_auditevent_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER recovery_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON recovery_auditevent
    FOR EACH ROW EXECUTE FUNCTION recovery_auditevent_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS recovery_auditevent_no_update_delete ON recovery_auditevent;
DROP FUNCTION IF EXISTS recovery_auditevent_immutable();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("recovery", "0004_care_team")]

    operations = [migrations.RunPython(create, drop)]
