"""Re-encrypting what is stored: legacy plain rows (the data migrations) and rows under an older key
(`manage.py rotate_entry_keys`).

Rows are walked in primary-key order, a batch per transaction, so a run that stops (a deploy, Ctrl-C)
keeps what it finished and the next run carries on; a row already under the first key is left alone,
so running it twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, router, transaction
from django.db.models.functions import Cast

from recovery import entry_crypto
from recovery.fields import EncryptedTextField

BATCH_SIZE = 500


@dataclass
class Progress:
    label: str
    looked_at: int = 0
    rewritten: int = 0


def encrypted_columns() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields, and their names (any new EncryptedTextField is found here)."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def _allow_rewrapping(model: type[models.Model]) -> None:
    """Tables whose rows are never edited (questions and answers) let this transaction re-encrypt the same
    words under a newer key, and nothing else (see the trigger in plans' migration 0006)."""
    connection = transaction.get_connection(router.db_for_write(model))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL mend.rewrapping = 'on'")


def _raw(name: str) -> str:
    return f"_stored_{name}"


def reencrypt(
    model: type[models.Model],
    names: list[str],
    *,
    batch_size: int = BATCH_SIZE,
    report: Callable[[Progress], None] | None = None,
) -> Progress:
    """Encrypt plain rows and re-encrypt rows under older keys with the first key of ENTRY_ENCRYPTION_KEYS.

    Works on historical models too (a data migration passes `apps.get_model(...)`): their fields are
    EncryptedTextField, whose save encrypts with the first key.
    """
    progress = Progress(label=f"{model._meta.app_label}.{model.__name__}")
    # The stored values as they are, without the field's decryption: a cast to plain text.
    stored = {_raw(name): Cast(name, output_field=models.TextField()) for name in names}
    last_pk = 0
    while True:
        with transaction.atomic():
            _allow_rewrapping(model)
            rows = list(
                # Locked for the batch: a person saving the same entry meanwhile waits, then writes last.
                model._base_manager.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .annotate(**stored)
                .values_list("pk", *stored)[:batch_size]
            )
            changed: list[tuple[models.Model, set[str]]] = []
            for pk, *values in rows:
                if all(value is None or entry_crypto.is_current(value) for value in values):
                    continue
                plain = {name: entry_crypto.decrypt(value) for name, value in zip(names, values, strict=True) if value}
                changed.append((model(pk=pk, **plain), set(plain)))
            # Saving the plain words through the field encrypts them with the first key. Each column is
            # written only for the rows that hold something in it: an empty or NULL value keeps its own.
            for name in names:
                subset = [row for row, written in changed if name in written]
                if subset:
                    model._base_manager.bulk_update(subset, [name])
            last_pk = rows[-1][0] if rows else last_pk
        progress.looked_at += len(rows)
        progress.rewritten += len(changed)
        if report is not None and rows:
            report(progress)
        if len(rows) < batch_size:
            return progress


def decrypt_to_plain(model: type[models.Model], names: list[str], *, batch_size: int = BATCH_SIZE) -> int:
    """Undo the encryption (a migration run backwards): write the words back as plain text."""
    stored = {_raw(name): Cast(name, output_field=models.TextField()) for name in names}
    count = 0
    for pk, *values in model._base_manager.annotate(**stored).values_list("pk", *stored).iterator(batch_size):
        plain = {
            name: models.Value(entry_crypto.decrypt(value), output_field=models.TextField())
            for name, value in zip(names, values, strict=True)
            if value and entry_crypto.is_encrypted(value)
        }
        if plain:
            model._base_manager.filter(pk=pk).update(**plain)
            count += 1
    return count
