"""Time-based one-time codes (RFC 6238, HMAC-SHA1 as RFC 4226 truncates it) for the demo therapist.

allauth checks the codes people type; Mend only needs to *produce* one, for `manage.py demo_code` and the
demo's browser tests. allauth's own helpers for that live in its internal modules, so the few lines are
here, reading the same documented settings (`MFA_TOTP_PERIOD`, `MFA_TOTP_DIGITS`) allauth reads."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

from django.conf import settings


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for the base32 `secret` at the Unix time `at` (default: now)."""
    period: int = getattr(settings, "MFA_TOTP_PERIOD", 30)
    digits: int = getattr(settings, "MFA_TOTP_DIGITS", 6)
    counter = int(time.time() if at is None else at) // period
    return hotp_code(base64.b32decode(secret, casefold=True), counter, digits=digits)


def hotp_code(key: bytes, counter: int, *, digits: int = 6) -> str:
    """RFC 4226: HMAC-SHA1 of the 8-byte counter, dynamically truncated to 31 bits, the last `digits`."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"
