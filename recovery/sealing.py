"""Sealing short-lived secrets at rest (the links an e-mail in the outbox will carry).

The key is derived from SECRET_KEY, so a copy of the database alone can't be turned into working
links; the SECRET_KEY_FALLBACKS keys still open what was sealed before a key rotation.
"""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Unsealable(ValueError):
    """Sealed with a key Mend no longer has (or altered)."""


def _fernet_key(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"mend.sealing", info=b"outbox").derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


@cache
def _fernet(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in (secret_key, *fallbacks)])


def _current() -> MultiFernet:
    return _fernet(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def seal(data: dict[str, Any]) -> str:
    return _current().encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()


def unseal(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_current().decrypt(token.encode()))
    except InvalidToken as exc:
        raise Unsealable("sealed with a key this server no longer has") from exc
