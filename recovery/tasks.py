"""Celery tasks of the core: the outbox's send and its self-healing. They load by id and call outbox.py."""

from __future__ import annotations

from celery import shared_task

from recovery import outbox


@shared_task(
    name="mend.send_delivery",
    acks_late=True,  # a worker killed mid-send leaves the message on the broker; the lease and heal() do the rest
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_delivery(delivery_id: int) -> str:
    return outbox.send(delivery_id)


@shared_task(name="mend.heal_outbox", ignore_result=True)
def heal_outbox() -> int:
    return outbox.heal()
