"""A model field for what people write: plain text in Python, ciphertext in the database.

Why our own rather than a package: the maintained Fernet field packages derive their keys from
SECRET_KEY (so rotating the session-signing key would re-key every entry), store an empty string as
NULL (these columns are NOT NULL), quietly return ciphertext when a key is missing, and let `filter()`
compare against a fresh ciphertext that never matches. This one keeps its own keys
(ENTRY_ENCRYPTION_KEYS, see entry_crypto.py), fails loudly, and refuses lookups outright.
"""

from __future__ import annotations

from typing import Any

from django.core import validators
from django.core.exceptions import FieldError
from django.db import models
from django.utils.functional import cached_property

from recovery import entry_crypto


class EncryptedTextField(models.TextField):
    """Text encrypted at rest under ENTRY_ENCRYPTION_KEYS.

    The column is `text` whatever `max_length` says (ciphertext is longer than the words); `max_length`
    still limits the words, in forms and in `full_clean()`. Ciphertext is different every time, so the
    database can't search, compare or sort these columns: any lookup but `isnull` raises FieldError.
    """

    description = "Text encrypted at rest"

    @cached_property
    def validators(self) -> list[Any]:
        limit = [validators.MaxLengthValidator(self.max_length)] if self.max_length is not None else []
        return [*super().validators, *limit]

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        return None if value is None else entry_crypto.decrypt(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return entry_crypto.encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(self._refusal(lookup_name))

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(self._refusal(lookup_name))

    def _refusal(self, lookup_name: str) -> str:
        where = f"{self.model.__name__}.{self.name}" if hasattr(self, "model") else self.name
        return (
            f"{where} is encrypted at rest: the database can't search or compare it ('{lookup_name}'). "
            "Filter on other fields and look at the words in Python."
        )
