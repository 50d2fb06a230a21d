# The outbox's delivery rows move here from checkins (every e-mail Mend sends goes through them now).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recovery", "0005_audit_immutable")]

    operations = [
        migrations.CreateModel(
            name="Delivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("address", models.EmailField(blank=True, max_length=254)),
                ("kind", models.CharField(max_length=32)),
                ("period", models.CharField(max_length=64)),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Pending"), ("sending", "Sending"), ("sent", "Sent"),
                                 ("failed", "Failed"), ("cancelled", "Cancelled")],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateTimeField(help_text="After this it is no longer worth sending.")),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
                ("payload", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "deliveries",
                "indexes": [
                    models.Index(
                        condition=models.Q(("status__in", ["pending", "sending"])),
                        fields=["next_attempt_at"],
                        name="delivery_open",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("user__isnull", False)),
                        fields=("user", "kind", "period"),
                        name="delivery_once_per_user",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("user__isnull", True)),
                        fields=("address", "kind", "period"),
                        name="delivery_once_per_address",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("user__isnull", False), models.Q(("address", ""), _negated=True),
                                           _connector="OR"),
                        name="delivery_has_recipient",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "sending", "sent", "failed", "cancelled"])),
                        name="delivery_status_valid",
                    ),
                ],
            },
        ),
    ]
