"""The plan as written in content/plan.toml: loaded, validated and rendered.

Validation collects every problem and names the stage and step it belongs to, so a content editor
sees all mistakes at once: unknown source keys, duplicate slugs, missing fields, bad enum values.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

PLAN_PATH = Path(__file__).resolve().parent / "content" / "plan.toml"

SOURCE_KEYS = ("six-step-plan", "ten-steps", "betrayal-qa", "sexologists", "five-ways")
KINDS = ("agreement", "exercise", "ritual", "reflection", "conversation")
WHO = ("both", "hurt", "involved")
CADENCES = ("once", "daily", "weekly")
OPENED_BY = ("both", "pace_setter")
TOOLS = ("table-of-trust", "transparency", "wish-notes", "timer")
STAGE_COUNT = 7


class PlanContentError(ValueError):
    """The plan file is wrong; the message lists every problem, each naming its stage and step."""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    author: str


@dataclass(frozen=True)
class TimerPhase:
    label: str
    minutes: int


@dataclass(frozen=True)
class StepContent:
    slug: str
    title: str
    kind: str
    who: str
    cadence: str
    minutes: int | None
    days: int | None
    body: str
    sources: tuple[str, ...]
    tool: str = ""
    private: bool = False
    timer: tuple[TimerPhase, ...] = ()


@dataclass(frozen=True)
class StageContent:
    number: int
    slug: str
    title: str
    summary: str
    opened_by: str
    steps: tuple[StepContent, ...]


@dataclass(frozen=True)
class PlanContent:
    version: int
    sources: tuple[Source, ...]
    stages: tuple[StageContent, ...]
    steps: tuple[StepContent, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(step for stage in self.stages for step in stage.steps))


def load_plan(path: Path = PLAN_PATH) -> PlanContent:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PlanContentError(f"{path.name}: {exc}") from exc
    return parse_plan(raw)


def parse_plan(raw: dict[str, Any]) -> PlanContent:
    errors: list[str] = []
    sources = _parse_sources(raw.get("sources"), errors)
    source_keys = {s.key for s in sources}
    stages: list[StageContent] = []
    seen_stage_slugs: set[str] = set()
    seen_step_slugs: dict[str, str] = {}
    raw_stages = raw.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        errors.append("the plan has no [[stages]]")
        raw_stages = []
    for index, raw_stage in enumerate(raw_stages, start=1):
        where = f"stage {raw_stage.get('number', index)}" if isinstance(raw_stage, dict) else f"stage #{index}"
        stage = _parse_stage(raw_stage, where, index, source_keys, seen_stage_slugs, seen_step_slugs, errors)
        if stage:
            stages.append(stage)
    if len(raw_stages) != STAGE_COUNT:
        errors.append(f"the plan must have {STAGE_COUNT} stages, it has {len(raw_stages)}")
    version = raw.get("version")
    if not isinstance(version, int) or version < 1:
        errors.append("version must be a positive whole number")
    if errors:
        raise PlanContentError("plan.toml has problems:\n- " + "\n- ".join(errors))
    return PlanContent(version=version, sources=tuple(sources), stages=tuple(stages))


def _parse_sources(raw_sources: Any, errors: list[str]) -> list[Source]:
    sources: list[Source] = []
    if not isinstance(raw_sources, list):
        errors.append("the plan has no [[sources]]")
        return sources
    for raw in raw_sources:
        key = raw.get("key", "")
        if key not in SOURCE_KEYS:
            errors.append(f"source {key!r}: unknown source key (known: {', '.join(SOURCE_KEYS)})")
            continue
        missing = [name for name in ("title", "author") if not str(raw.get(name, "")).strip()]
        if missing:
            errors.append(f"source {key!r}: missing {', '.join(missing)}")
            continue
        sources.append(Source(key=key, title=raw["title"].strip(), author=raw["author"].strip()))
    listed = {s.key for s in sources}
    for key in SOURCE_KEYS:
        if key not in listed and not any(key in e for e in errors):
            errors.append(f"source {key!r} is not described in [[sources]]")
    return sources


def _text(raw: dict[str, Any], name: str, where: str, errors: list[str]) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}: missing {name}")
        return ""
    return value.strip()


def _choice(raw: dict[str, Any], name: str, allowed: tuple[str, ...], where: str, errors: list[str]) -> str:
    value = raw.get(name)
    if value is None:
        errors.append(f"{where}: missing {name}")
        return ""
    if value not in allowed:
        errors.append(f"{where}: {name} {value!r} is not one of {', '.join(allowed)}")
        return ""
    return value


def _parse_stage(
    raw: Any,
    where: str,
    index: int,
    source_keys: set[str],
    seen_stage_slugs: set[str],
    seen_step_slugs: dict[str, str],
    errors: list[str],
) -> StageContent | None:
    if not isinstance(raw, dict):
        errors.append(f"{where}: is not a table")
        return None
    number = raw.get("number")
    if number != index:
        errors.append(f"{where}: number must be {index} (stages are numbered in order)")
    slug = _text(raw, "slug", where, errors)
    if slug in seen_stage_slugs:
        errors.append(f"{where}: duplicate stage slug {slug!r}")
    seen_stage_slugs.add(slug)
    title = _text(raw, "title", where, errors)
    summary = _text(raw, "summary", where, errors)
    opened_by = _choice(raw, "opened_by", OPENED_BY, where, errors)
    steps = []
    raw_steps = raw.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        errors.append(f"{where}: has no steps")
        raw_steps = []
    for step_index, raw_step in enumerate(raw_steps, start=1):
        step_where = f"{where}, step {raw_step.get('slug') or f'#{step_index}'!r}"
        step = _parse_step(raw_step, step_where, source_keys, seen_step_slugs, errors)
        if step:
            steps.append(step)
    return StageContent(number=index, slug=slug, title=title, summary=summary, opened_by=opened_by, steps=tuple(steps))


def _parse_step(
    raw: dict[str, Any], where: str, source_keys: set[str], seen: dict[str, str], errors: list[str]
) -> StepContent | None:
    before = len(errors)
    slug = _text(raw, "slug", where, errors)
    if slug and not all(c.islower() or c.isdigit() or c == "-" for c in slug):
        errors.append(f"{where}: slug must use lowercase letters, digits and hyphens")
    if slug in seen:
        errors.append(f"{where}: duplicate step slug {slug!r} (also in {seen[slug]})")
    seen[slug] = where
    title = _text(raw, "title", where, errors)
    body = _text(raw, "body", where, errors)
    kind = _choice(raw, "kind", KINDS, where, errors)
    who = _choice(raw, "who", WHO, where, errors)
    cadence = _choice(raw, "cadence", CADENCES, where, errors)
    minutes, days = raw.get("minutes"), raw.get("days")
    if (minutes is None) == (days is None):
        errors.append(f"{where}: give either minutes or days (exactly one)")
    for name, value in (("minutes", minutes), ("days", days)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            errors.append(f"{where}: {name} must be a positive whole number")
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources:
        errors.append(f"{where}: missing sources")
        sources = []
    for key in sources:
        if key not in source_keys and key not in SOURCE_KEYS:
            errors.append(f"{where}: unknown source key {key!r}")
    tool = raw.get("tool", "")
    if tool and tool not in TOOLS:
        errors.append(f"{where}: tool {tool!r} is not one of {', '.join(TOOLS)}")
    private = raw.get("private", False)
    if not isinstance(private, bool):
        errors.append(f"{where}: private must be true or false")
    timer = _parse_timer(raw.get("timer"), tool, where, errors)
    unknown = set(raw) - {
        "slug", "title", "kind", "who", "cadence", "minutes", "days", "body", "sources", "tool", "private", "timer",
    }  # fmt: skip
    if unknown:
        errors.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if len(errors) > before:
        return None
    return StepContent(
        slug=slug,
        title=title,
        kind=kind,
        who=who,
        cadence=cadence,
        minutes=minutes,
        days=days,
        body=body,
        sources=tuple(sources),
        tool=tool,
        private=private,
        timer=timer,
    )


def _parse_timer(raw: Any, tool: str, where: str, errors: list[str]) -> tuple[TimerPhase, ...]:
    if tool != "timer":
        if raw:
            errors.append(f'{where}: timer phases need tool = "timer"')
        return ()
    if not isinstance(raw, list) or not raw:
        errors.append(f"{where}: a timer step needs [[...timer]] phases")
        return ()
    phases = []
    for phase in raw:
        label, minutes = phase.get("label"), phase.get("minutes")
        if not isinstance(label, str) or not label.strip() or not isinstance(minutes, int) or minutes < 1:
            errors.append(f"{where}: each timer phase needs a label and whole minutes")
            continue
        phases.append(TimerPhase(label=label.strip(), minutes=minutes))
    return tuple(phases)


def render_body(text: str) -> SafeString:
    """Paragraphs separated by blank lines; lines starting with "- " become a list. All text escaped."""
    blocks = []
    for block in text.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        items = [line[2:] for line in lines if line.startswith("- ")]
        if items and len(items) == len(lines):
            blocks.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items))))
        elif items:
            intro = [line for line in lines if not line.startswith("- ")]
            blocks.append(format_html("<p>{}</p>", " ".join(intro)))
            blocks.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items))))
        else:
            blocks.append(format_html("<p>{}</p>", " ".join(lines)))
    return mark_safe("".join(blocks))  # every piece above went through format_html
