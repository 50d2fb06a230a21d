"""Secret links (partner and therapist invitations): a random secret, signed with SECRET_KEY, of
which only the SHA-256 is stored — a copy of the database can't be turned into working links."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core import signing


class LinkTokens:
    def __init__(self, salt: str) -> None:
        self._signer = signing.Signer(salt=salt, sep=".")

    def new(self) -> tuple[str, str]:
        """A fresh (token for the link, hash to store)."""
        secret = secrets.token_urlsafe(32)
        return self._signer.sign(secret), _hash(secret)

    def hash_of(self, token: str) -> str | None:
        """The stored hash a link's token stands for, or None for a forged or mangled link."""
        try:
            return _hash(self._signer.unsign(token))
        except signing.BadSignature:
            return None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitation_email_context(delivery: object, payload: dict[str, Any]) -> dict[str, Any]:
    """What an invitation e-mail (partner or therapist) needs when the outbox sends it: its sealed link."""
    return {"accept_url": payload["accept_url"], "valid_days": settings.INVITATION_VALID_DAYS}
