"""Keep working secrets out of log files."""

from __future__ import annotations

import logging
import re

# Invitation and account-restore links, allauth's e-mail confirmation and password-reset keys, reminder pause links.
_SECRET_PATHS = re.compile(
    r"(/(?:invitation|restore|accounts/confirm-email|accounts/password/reset/key|reminders/pause)/)[^/\s\"']+"
)


class RedactSecretLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_PATHS.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
