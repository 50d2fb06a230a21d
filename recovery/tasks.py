"""Celery tasks of the core: the outbox's send and its self-healing, building a data download, and the
privacy upkeep (erasure). They load by id and call outbox.py, data_export.py and erasure.py."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from recovery import outbox
from recovery.composition import data_export, erasure

# A database restart takes seconds; a longer outage is left to heal(), which rings again once it's back.
DATABASE_RETRIES = 12
DATABASE_RETRY_SECONDS = 5


@shared_task(
    bind=True,
    name=outbox.SEND_TASK,
    acks_late=True,  # a worker killed mid-send leaves the message on the broker; the lease and heal() do the rest
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=DATABASE_RETRIES,
)
def send_delivery(self: Task, delivery_id: int) -> str:
    try:
        return outbox.send(delivery_id)
    except (OperationalError, InterfaceError) as exc:
        # The database is away (a restart): knock again in a few seconds rather than wait for heal().
        raise self.retry(exc=exc, countdown=DATABASE_RETRY_SECONDS) from exc


@shared_task(name="mend.heal_outbox", ignore_result=True)
def heal_outbox() -> int:
    return outbox.heal()


@shared_task(
    name=data_export.BUILD_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=600,  # reads everything a person wrote: longer than the default two minutes
    soft_time_limit=540,
)
def build_data_export(export_id: int) -> str:
    return data_export.build(export_id)


@shared_task(name="mend.privacy_upkeep", ignore_result=True, time_limit=540, soft_time_limit=500)
def privacy_upkeep() -> dict[str, int]:
    return erasure.upkeep()
