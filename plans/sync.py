"""Copy content/plan.toml into the Stage, Step and Source tables. Runs after every `migrate`.

Idempotent: rows are matched by stage number, step slug and source key and updated in place, so
editing the text and migrating again changes the text and keeps every couple's progress. A step
removed from the file is retired (hidden from the plan), never deleted.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from plans import content_cache
from plans.content import PlanContent, load_plan, recurring_steps
from plans.models import Source, Stage, Step


def sync_plan(plan: PlanContent) -> dict[str, int]:
    """Steps are matched by slug, so a step that moves to another stage keeps its completions."""
    schedules = {step.slug: [phase.as_dict() for phase in step.phases] for step in recurring_steps(plan)}
    with transaction.atomic():
        sources = {}
        for source in plan.sources:
            sources[source.key], _ = Source.objects.update_or_create(
                key=source.key, defaults={"title": source.title, "author": source.author}
            )
        seen_steps = []
        for stage_content in plan.stages:
            stage, _ = Stage.objects.update_or_create(
                number=stage_content.number,
                defaults={
                    "slug": f"tmp-{stage_content.number}-{stage_content.slug}"[:50],
                    "title": stage_content.title,
                    "summary": stage_content.summary,
                    "opened_by": stage_content.opened_by,
                },
            )
            for position, content in enumerate(stage_content.steps, start=1):
                step, _ = Step.objects.update_or_create(
                    slug=content.slug,
                    defaults={
                        "stage": stage,
                        "position": position,
                        "title": content.title,
                        "kind": content.kind,
                        "who": content.who,
                        "cadence": content.cadence,
                        "minutes": content.minutes,
                        "days": content.days,
                        "body": content.body,
                        "tool": content.tool,
                        "private": content.private,
                        "timer": [{"label": p.label, "minutes": p.minutes} for p in content.timer],
                        "schedule": schedules.get(content.slug, []),
                        "follows": content.follows,
                        "retired": False,
                    },
                )
                step.sources.set([sources[key] for key in content.sources])
                seen_steps.append(step.pk)
        # Stage slugs are unique: set the final ones after all stages exist, so renames can swap freely.
        for stage_content in plan.stages:
            Stage.objects.filter(number=stage_content.number).update(slug=stage_content.slug)
        retired = Step.objects.exclude(pk__in=seen_steps).filter(retired=False).update(retired=True)
    content_cache.changed()
    return {"stages": len(plan.stages), "steps": len(seen_steps), "retired": retired}


def sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate receiver for the plans app: a broken plan file stops `migrate` with its errors."""
    sync_plan(load_plan())
