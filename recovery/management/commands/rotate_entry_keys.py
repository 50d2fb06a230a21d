"""Re-encrypt every encrypted column, and every waiting download, with the first ENTRY_ENCRYPTION_KEYS key.

Rotating a key: put the new key first in ENTRY_ENCRYPTION_KEYS (keep the old ones after it) and restart
the web and worker processes, so new writes use it; run this; when it reports nothing left to do, drop
the old key. It works in batches (each its own transaction), skips what is already under the first key,
and can be stopped and run again at any time.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from recovery import entry_crypto
from recovery.entry_rotation import BATCH_SIZE, Progress, encrypted_columns, reencrypt
from recovery.models import DataExport


class Command(BaseCommand):
    help = "Re-encrypt what people wrote (and waiting downloads) with the first key of ENTRY_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="rows per transaction")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        total = 0
        for model, names in encrypted_columns():
            done = reencrypt(model, names, batch_size=batch_size, report=self._report)
            self.stdout.write(f"{done.label} ({', '.join(names)}): {done.rewritten} of {done.looked_at} re-encrypted")
            total += done.rewritten
        exports = self._rotate_exports()
        self.stdout.write(f"recovery.DataExport (content): {exports} re-encrypted")
        total += exports
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows re-encrypted; every row is under the first key."))

    def _report(self, progress: Progress) -> None:
        self.stdout.write(f"  {progress.label}: {progress.looked_at} looked at, {progress.rewritten} re-encrypted…")

    def _rotate_exports(self) -> int:
        rotated = 0
        for export_id in DataExport.objects.exclude(content=b"").values_list("pk", flat=True):
            with transaction.atomic():
                export = DataExport.objects.select_for_update().filter(pk=export_id).first()
                if export is None or not export.content or entry_crypto.bytes_are_current(bytes(export.content)):
                    continue
                DataExport.objects.filter(pk=export_id).update(content=entry_crypto.rotate_bytes(bytes(export.content)))
                rotated += 1
        return rotated
