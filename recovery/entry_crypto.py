"""Encryption at rest of what people write (and of their data exports while they wait to be downloaded).

Authenticated encryption (Fernet: AES-128-CBC with an HMAC-SHA256, from `cryptography`) under the keys in
ENTRY_ENCRYPTION_KEYS: the first encrypts, every one decrypts, so a new key can be put first and the old
rows re-encrypted at leisure (`manage.py rotate_entry_keys`) before the old key is dropped.

A stored value is `MARK` followed by the Fernet token, so plain text written before encryption existed
(legacy rows, until their migration encrypts them) is told apart from ciphertext without guessing.

What this protects: a database dump, a backup, a replica or a stolen disk shows ciphertext only. What it
doesn't: a running server holds the keys and decrypts for every page it shows; someone who controls it
(or who has both the database and the keys) reads everything.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# "mend, entry encryption, format 1": never the start of anything a person writes by accident, and
# short, so a one-word note stays small.
MARK = "m1$"


class UnreadableEntry(ImproperlyConfigured):
    """Ciphertext none of the configured keys opens: a key was dropped too early, or the row was altered."""


@cache
def _keys(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = [Fernet(key.encode()) for key in keys]
    return MultiFernet(fernets), fernets[0]


def _current() -> tuple[MultiFernet, Fernet]:
    return _keys(tuple(settings.ENTRY_ENCRYPTION_KEYS))


def is_encrypted(stored: str) -> bool:
    return stored.startswith(MARK)


def encrypt(plain: str) -> str:
    """The stored form of a person's words. The empty string stays empty: it says only that nothing was
    written, as the form's other fields already do."""
    if plain == "":
        return ""
    multi, _first = _current()
    return MARK + multi.encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """A person's words from their stored form; a legacy plain value is returned as it is."""
    if not is_encrypted(stored):
        return stored
    multi, _first = _current()
    try:
        return multi.decrypt(stored[len(MARK) :].encode()).decode()
    except InvalidToken as exc:
        raise UnreadableEntry(
            "An entry can't be decrypted with any key in ENTRY_ENCRYPTION_KEYS: was a key removed before "
            "`manage.py rotate_entry_keys` had finished?"
        ) from exc


def is_current(stored: str) -> bool:
    """Whether a stored value needs nothing from `rotate_entry_keys`: empty, or encrypted with the first key."""
    if stored == "":
        return True
    if not is_encrypted(stored):
        return False
    _multi, first = _current()
    try:
        first.decrypt(stored[len(MARK) :].encode())
    except InvalidToken:
        return False
    return True


def encrypt_bytes(data: bytes) -> bytes:
    multi, _first = _current()
    return multi.encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    multi, _first = _current()
    try:
        return multi.decrypt(token)
    except InvalidToken as exc:
        raise UnreadableEntry("A data export can't be decrypted with any key in ENTRY_ENCRYPTION_KEYS.") from exc


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt with the first key (a no-op in meaning: the same bytes come out of it)."""
    multi, _first = _current()
    try:
        return multi.rotate(token)
    except InvalidToken as exc:
        raise UnreadableEntry("A data export can't be decrypted with any key in ENTRY_ENCRYPTION_KEYS.") from exc


def bytes_are_current(token: bytes) -> bool:
    _multi, first = _current()
    try:
        first.decrypt(token)
    except InvalidToken:
        return False
    return True
