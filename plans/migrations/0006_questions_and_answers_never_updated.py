"""On PostgreSQL, a question or an answer version can't be changed, whatever the application does.

The record only grows: an amendment is a new row. DELETE stays possible so that closing a couple's space
(or an account) can still remove everything of theirs at once; the app never deletes a single row (see
plans.models.AddedOnlyQuerySet).
"""

from django.db import migrations

TABLES = ("plans_question", "plans_answerversion")
CREATE = """
CREATE OR REPLACE FUNCTION plans_questions_answers_unchanged() RETURNS trigger AS $$
BEGIN
    -- The one update allowed: `manage.py rotate_entry_keys` re-encrypting the same words under a newer key
    -- (recovery/entry_rotation.py sets mend.rewrapping for its batch), and then nothing else may change.
    IF current_setting('mend.rewrapping', true) = 'on'
       AND (to_jsonb(NEW) - ARRAY['text', 'note']) = (to_jsonb(OLD) - ARRAY['text', 'note']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'questions and answers are never edited: an amendment is added instead';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION plans_questions_answers_unchanged();
"""
    for table in TABLES
)
DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS plans_questions_answers_unchanged();"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("plans", "0005_questions_and_answers")]

    operations = [migrations.RunPython(create, drop)]
