"""What people write is ciphertext at rest: in the column, in a key rotation, in a migrated legacy row,
and in a `pg_dump` of the whole database."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from checkins.models import DailyCheckIn, WeeklyReview
from plans.models import AgreementItem, Completion, Ritual, WishNote
from recovery import entry_crypto
from recovery.composition import data_export
from recovery.entry_rotation import encrypted_columns
from recovery.fields import EncryptedTextField
from recovery.models import DataExport
from tests.factories import DailyCheckInFactory, DataExportFactory, UserFactory, make_couple
from tests.recovery.writing import write_through_the_app

K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _stored(model: type, pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def couple(db: None):
    return make_couple(hurt=UserFactory(display_name="Alex"), involved=UserFactory(display_name="Sam"))


def test_every_free_text_field_a_person_writes_is_encrypted() -> None:
    found = {f"{model.__name__}.{name}" for model, names in encrypted_columns() for name in names}
    assert found == {
        "DailyCheckIn.high", "DailyCheckIn.low", "DailyCheckIn.to_talk_through", "DailyCheckIn.trigger_note",
        "DailyCheckIn.shared_unprompted", "WeeklyReview.what_worked", "WeeklyReview.what_was_hard",
        "WeeklyReview.small_victory", "WeeklyReview.appreciation", "WeeklyReview.accountability",
        "Completion.note", "Ritual.text", "AgreementItem.text", "WishNote.text",
        "Question.text", "AnswerVersion.text", "AnswerVersion.note",
        "Trigger.what_happened", "Trigger.what_helped", "DateThatMatters.label",
    }  # fmt: skip


def test_the_column_holds_ciphertext_and_python_the_words(couple) -> None:
    alex = couple.partners.get(seat=1).user
    entry = DailyCheckInFactory(author=alex, high="The walk by the lake helped.", low="")
    stored = _stored(DailyCheckIn, entry.pk, "high")
    assert stored.startswith(entry_crypto.MARK) and "lake" not in stored
    assert _stored(DailyCheckIn, entry.pk, "low") == ""  # nothing written stays nothing
    assert DailyCheckIn.objects.get(pk=entry.pk).high == "The walk by the lake helped."
    assert list(DailyCheckIn.objects.values_list("high", flat=True)) == ["The walk by the lake helped."]
    # Ciphertext differs every time, even for the same words.
    entry.save()
    assert _stored(DailyCheckIn, entry.pk, "high") != stored


def test_the_words_keep_their_length_limit(couple) -> None:
    alex = couple.partners.get(seat=1).user
    ritual = Ritual(couple=couple, created_by=alex, text="x" * 201)
    with pytest.raises(ValidationError) as raised:
        ritual.full_clean()
    assert "text" in raised.value.message_dict
    Ritual(couple=couple, created_by=alex, text="x" * 200).full_clean()  # the limit is on the words, not the cipher


def test_the_database_can_not_be_asked_to_search_the_words(couple) -> None:
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(DailyCheckIn.objects.filter(high="anything"))
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(AgreementItem.objects.filter(text__icontains="phone"))
    assert not DailyCheckIn.objects.filter(high__isnull=True).exists()  # isnull says nothing about the words


def test_a_missing_key_fails_loudly_rather_than_showing_ciphertext(couple, settings) -> None:
    alex = couple.partners.get(seat=1).user
    settings.ENTRY_ENCRYPTION_KEYS = [K1]
    entry = DailyCheckInFactory(author=alex, high="Only K1 can open this.")
    settings.ENTRY_ENCRYPTION_KEYS = [K2]
    with pytest.raises(entry_crypto.UnreadableEntry, match="rotate_entry_keys"):
        DailyCheckIn.objects.get(pk=entry.pk)


def test_rotation_re_encrypts_every_column_with_the_first_key_and_can_run_again(couple, settings, capsys) -> None:
    alex, sam = couple.partners.get(seat=1).user, couple.partners.get(seat=2).user
    settings.ENTRY_ENCRYPTION_KEYS = [K1]
    entry = DailyCheckInFactory(author=alex, high="Written under the old key.", trigger_note="A note too.")
    WishNote.objects.create(couple=couple, author=sam, text="A wish under the old key.")
    export = DataExportFactory(user=alex, status="ready", content=entry_crypto.encrypt_bytes(b"zip bytes"))
    settings.ENTRY_ENCRYPTION_KEYS = [K2, K1]  # a new key first; the old one still opens old rows
    newer = DailyCheckInFactory(author=sam, high="Written under the new key.")
    assert DailyCheckIn.objects.get(pk=entry.pk).high == "Written under the old key."
    assert not entry_crypto.is_current(_stored(DailyCheckIn, entry.pk, "high"))

    call_command("rotate_entry_keys", batch_size=1)
    out = capsys.readouterr().out
    assert "checkins.DailyCheckIn (high, low, to_talk_through, trigger_note, shared_unprompted): 1 of 2" in out
    assert "plans.WishNote (text): 1 of 1" in out and "DataExport (content): 1" in out
    settings.ENTRY_ENCRYPTION_KEYS = [K2]  # the old key can go now
    assert DailyCheckIn.objects.get(pk=entry.pk).high == "Written under the old key."
    assert DailyCheckIn.objects.get(pk=entry.pk).trigger_note == "A note too."
    assert DailyCheckIn.objects.get(pk=newer.pk).high == "Written under the new key."
    assert WishNote.objects.get().text == "A wish under the old key."
    assert data_export.content_of(DataExport.objects.get(pk=export.pk)) == b"zip bytes"

    settings.ENTRY_ENCRYPTION_KEYS = [K2, K1]
    call_command("rotate_entry_keys")  # again: nothing left to do
    assert "Done: 0 rows re-encrypted" in capsys.readouterr().out


def test_legacy_plain_rows_are_encrypted_by_the_migration_and_decrypted_backwards(couple) -> None:
    alex = couple.partners.get(seat=1).user
    entry = DailyCheckInFactory(author=alex, high="placeholder")
    ritual = Ritual.objects.create(couple=couple, created_by=alex, text="placeholder")
    with connection.cursor() as cursor:  # rows as they were before encryption existed
        cursor.execute("UPDATE checkins_dailycheckin SET high = %s, low = %s", ["An old plain high.", ""])
        cursor.execute("UPDATE plans_ritual SET text = %s", ["our old plain ritual"])
    assert DailyCheckIn.objects.get(pk=entry.pk).high == "An old plain high."  # read as it is meanwhile
    from django.apps import apps

    checkins_migration = importlib.import_module("checkins.migrations.0004_encrypt_entries")
    plans_migration = importlib.import_module("plans.migrations.0004_encrypt_entries")
    checkins_migration.encrypt_existing(apps, None)
    plans_migration.encrypt_existing(apps, None)
    assert entry_crypto.is_encrypted(_stored(DailyCheckIn, entry.pk, "high"))
    assert _stored(DailyCheckIn, entry.pk, "low") == ""
    assert entry_crypto.is_encrypted(_stored(Ritual, ritual.pk, "text"))
    assert DailyCheckIn.objects.get(pk=entry.pk).high == "An old plain high."
    assert Ritual.objects.get(pk=ritual.pk).text == "our old plain ritual"

    checkins_migration.decrypt_existing(apps, None)
    plans_migration.decrypt_existing(apps, None)
    assert _stored(DailyCheckIn, entry.pk, "high") == "An old plain high."
    assert _stored(Ritual, ritual.pk, "text") == "our old plain ritual"


@pytest.mark.django_db(transaction=True)
def test_the_migrations_run_forwards_and_backwards_over_real_rows() -> None:
    from django.db.migrations.executor import MigrationExecutor

    couple = make_couple()
    alex = couple.partners.get(seat=1).user
    entry = DailyCheckInFactory(author=alex, high="Kept through the migration.")
    executor = MigrationExecutor(connection)
    executor.migrate([("checkins", "0003_outbox_and_pause_token")])
    assert _stored(DailyCheckIn, entry.pk, "high") == "Kept through the migration."
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert entry_crypto.is_encrypted(_stored(DailyCheckIn, entry.pk, "high"))
    assert DailyCheckIn.objects.get(pk=entry.pk).high == "Kept through the migration."


def test_pages_show_the_words_written_through_them(couple) -> None:
    alex, sam = couple.partners.get(seat=1).user, couple.partners.get(seat=2).user
    written = write_through_the_app(couple, alex, sam)
    client = Client()
    client.force_login(sam)
    history = client.get(reverse("checkins:history")).content.decode()
    assert "Heron walk by the canal steadied me." in history
    assert "I reread the old messages" not in history  # Alex's "only me"
    assert Completion.objects.filter(note__isnull=False).count() == 4
    assert WeeklyReview.objects.count() == 2
    assert {r.text for r in Ritual.objects.all()} == {written.alex_shared[-2]}


def test_every_encrypted_field_is_an_encrypted_text_column() -> None:
    for model, names in encrypted_columns():
        for name in names:
            field = model._meta.get_field(name)
            assert isinstance(field, EncryptedTextField) and field.db_type(connection) in ("text", "TEXT")


@pytest.mark.django_db(transaction=True)
def test_pg_dump_of_the_database_shows_none_of_the_words() -> None:
    """The promise itself: a dump (what a backup is) holds ciphertext only. PostgreSQL only."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed (Debian: postgresql-client)"
    alex, sam = UserFactory(display_name="Alex"), UserFactory(display_name="Sam")
    couple = make_couple(hurt=alex, involved=sam)
    written = write_through_the_app(couple, alex, sam)
    # A download waiting for Alex, built by the task at once (this test commits, so on_commit runs now).
    export = data_export.request_export(user=alex)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY and export.size > 0
    # The words are there, for the app.
    assert written.alex_shared[0] in DailyCheckIn.objects.get(author=alex, visibility="partner").high
    assert len(written.everything) >= 20

    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    args = [pg_dump, "-h", db.get("HOST") or "127.0.0.1", "-U", db.get("USER") or "postgres", db["NAME"]]
    if db.get("PORT"):
        args[1:1] = ["-p", str(db["PORT"])]
    dump = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=True).stdout

    assert "COPY public.checkins_dailycheckin" in dump and entry_crypto.MARK in dump  # it did dump the rows
    leaked = [sentence for sentence in written.everything if sentence in dump]
    assert not leaked, leaked
    # Nor a telling fragment of one (these words appear nowhere in Mend's own content).
    assert not [word for word in ("Heron", "Lisbon", "Marigold", "trickling", "fridge") if word in dump]


@pytest.mark.django_db(transaction=True)
def test_answers_never_edited_can_still_move_to_a_new_key_and_nothing_else_changes(couple, settings) -> None:
    from django.db import DatabaseError, connection, transaction

    from plans import questions
    from plans.models import AnswerVersion

    if connection.vendor != "postgresql":
        pytest.skip("the no-edit trigger is PostgreSQL's")
    sam = couple.partners.get(seat=2).user
    settings.ENTRY_ENCRYPTION_KEYS = [K1]
    question = questions.ask(membership=couple.partners.get(seat=1), text="When did it end?", visibility="partner")
    questions.add_answer(question=question, by=sam, text="In March.", told_everything=True)
    settings.ENTRY_ENCRYPTION_KEYS = [K2, K1]
    call_command("rotate_entry_keys")
    settings.ENTRY_ENCRYPTION_KEYS = [K2]
    assert AnswerVersion.objects.get().text == "In March."
    assert entry_crypto.is_current(_stored(AnswerVersion, AnswerVersion.objects.get().pk, "text"))
    # The rotation's permission covers re-encrypting the words only: anything else is still refused.
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL mend.rewrapping = 'on'")
        cursor.execute("UPDATE plans_answerversion SET told_everything = false")
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE plans_answerversion SET text = 'x'")
