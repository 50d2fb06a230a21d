"""Celery tasks of check-ins: load nothing themselves, call the modules that know what to do."""

from __future__ import annotations

from celery import shared_task

from checkins import reminders


@shared_task(name="checkins.sweep_reminders", ignore_result=True)
def sweep_reminders() -> int:
    return len(reminders.sweep())
