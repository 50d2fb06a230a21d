# Deliveries move to recovery's outbox (rows copied, so no reminder is sent twice), and each person's
# one-click pause link becomes a random token of their own (no user id in it).

import secrets
from datetime import timedelta

from django.db import migrations, models

import checkins.models


def copy_deliveries(apps, schema_editor):
    Old = apps.get_model("checkins", "Delivery")
    New = apps.get_model("recovery", "Delivery")
    batch = []
    for old in Old.objects.order_by("pk").iterator(chunk_size=2000):
        batch.append(
            New(
                user_id=old.user_id, kind=old.kind, period=old.period, status=old.status, attempts=old.attempts,
                claimed_at=old.claimed_at, sent_at=old.sent_at, error=old.error, created_at=old.created_at,
                next_attempt_at=old.created_at, expires_at=old.created_at + timedelta(days=1),
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


def give_each_a_pause_token(apps, schema_editor):
    NotificationSettings = apps.get_model("checkins", "NotificationSettings")
    for prefs in NotificationSettings.objects.filter(pause_token__isnull=True).iterator():
        prefs.pause_token = secrets.token_urlsafe(32)
        prefs.save(update_fields=["pause_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0002_notificationsettings_delivery_reminder"),
        ("recovery", "0006_delivery"),
    ]

    operations = [
        migrations.RunPython(copy_deliveries, migrations.RunPython.noop),
        migrations.DeleteModel(name="Delivery"),
        migrations.AddField(
            model_name="notificationsettings",
            name="pause_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_each_a_pause_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notificationsettings",
            name="pause_token",
            field=models.CharField(
                default=checkins.models.new_pause_token, editable=False, max_length=64, unique=True
            ),
        ),
    ]
