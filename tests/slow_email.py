"""An e-mail backend for the worker test: notes when a send starts, waits, then writes the message
to a file. Killing the worker during the wait kills it mid-send, before anything was sent."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        markers = os.environ["MEND_TEST_SEND_MARKERS"]
        with open(os.path.join(markers, uuid.uuid4().hex), "w") as marker:
            marker.write(",".join(address for message in email_messages for address in message.to))
        time.sleep(float(os.environ.get("MEND_TEST_SEND_SECONDS", "1")))
        return super().send_messages(email_messages)
