"""Each couple's `shared_trigger_at` from the shared triggers saved before it existed: the newest one's creation."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def backfill(apps, schema_editor):
    Couple = apps.get_model("recovery", "Couple")
    Trigger = apps.get_model("checkins", "Trigger")
    newest = (
        Trigger.objects.filter(couple=OuterRef("pk"), visibility__in=["partner", "therapist"])
        .values("couple")
        .annotate(newest=Max("created_at"))
        .values("newest")
    )
    Couple.objects.update(shared_trigger_at=Subquery(newest))


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0006_triggers_and_dates"),
        ("recovery", "0011_couple_shared_trigger_at"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
