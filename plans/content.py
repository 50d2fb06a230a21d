"""The plan as written in content/plan.toml: loaded, validated and rendered.

Validation collects every problem and names the stage and step it belongs to, so a content editor
sees all mistakes at once: unknown source keys, duplicate slugs, missing fields, bad enum values,
a stage that doesn't say what happens to an earlier recurring step, and a stage that asks too much
time of either partner (the rules are in load.py).

Each stage from the second on says, for every daily or weekly step still going from earlier stages,
whether the couple keeps doing it (`keep_doing`), lets it rest from this stage (`[[stages.rest]]`), or
does it more lightly (`[[stages.lighten]]`: fewer minutes, or fewer days a week).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from plans import load as plan_load

PLAN_PATH = Path(__file__).resolve().parent / "content" / "plan.toml"

# The five articles the plan is drawn from: each must be described in [[sources]]. Further sources
# (a study, a clinical guideline) may be described too, for claims no article makes.
SOURCE_KEYS = ("six-step-plan", "ten-steps", "betrayal-qa", "sexologists", "five-ways")
KINDS = ("agreement", "exercise", "ritual", "reflection", "conversation")
WHO = ("both", "hurt", "involved")
CADENCES = ("once", "daily", "weekly")
OPENED_BY = ("both", "pace_setter")
TOOLS = ("table-of-trust", "transparency", "wish-notes", "timer")
STAGE_COUNT = 7
DAYS_A_WEEK = 7
# A link in a body: [words](/a/path/) — site-relative paths only, so a body can never send anyone off-site.
BODY_LINK = re.compile(r"\[([^\[\]\n]+)\]\((/(?!/)[a-z0-9/_-]*)\)")


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
    per_week: int = 0  # days a week for a daily step (7 = every day), 1 for weekly, 0 for once
    follows: str = ""  # a step in the same stage this one takes over from (see load.py)


@dataclass(frozen=True)
class Rest:
    """A recurring step from an earlier stage that rests from this stage on."""

    step: str
    why: str


@dataclass(frozen=True)
class Lightening:
    """A recurring step from an earlier stage done more lightly from this stage on."""

    step: str
    minutes: int | None
    per_week: int | None
    why: str


@dataclass(frozen=True)
class StageContent:
    number: int
    slug: str
    title: str
    summary: str
    opened_by: str
    steps: tuple[StepContent, ...]
    keep_doing: tuple[str, ...] = ()
    rests: tuple[Rest, ...] = ()
    lightens: tuple[Lightening, ...] = ()


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


def parse_plan(raw: dict[str, Any], *, check_load: bool = True) -> PlanContent:
    """The plan, or PlanContentError listing every problem.

    `check_load=False` skips the two load rules (every earlier recurring step accounted for at each
    stage, and no stage over the cap), so `python -m plans.load --unchecked` can measure any file.
    """
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
        version = 0
    if not errors:
        _check_follows(stages, errors)
        _check_carry_over(stages, errors, complete=check_load)
    if not errors:
        cited = {key for stage in stages for step in stage.steps for key in step.sources}
        errors.extend(f"source {s.key!r} is described but no step cites it" for s in sources if s.key not in cited)
    if not errors and check_load:
        errors.extend(plan_load.overload_problems(_recurring(stages), [s.number for s in stages]))
    if errors:
        raise PlanContentError("plan.toml has problems:\n- " + "\n- ".join(errors))
    return PlanContent(version=version, sources=tuple(sources), stages=tuple(stages))


def _parse_sources(raw_sources: Any, errors: list[str]) -> list[Source]:
    sources: list[Source] = []
    if not isinstance(raw_sources, list):
        errors.append("the plan has no [[sources]]")
        return sources
    seen: set[str] = set()
    for raw in raw_sources:
        key = raw.get("key", "")
        if not isinstance(key, str) or not key or not all(c.islower() or c.isdigit() or c == "-" for c in key):
            errors.append(f"source {key!r}: a key uses lowercase letters, digits and hyphens")
            continue
        if key in seen:
            errors.append(f"source {key!r}: described twice")
            continue
        seen.add(key)
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
    keep_doing = raw.get("keep_doing", [])
    if not isinstance(keep_doing, list) or not all(isinstance(k, str) and k for k in keep_doing):
        errors.append(f"{where}: keep_doing must be a list of step slugs")
        keep_doing = []
    rests = tuple(_parse_rest(r, where, errors) for r in _tables(raw.get("rest"), f"{where}: rest", errors))
    lightens = tuple(_parse_lighten(r, where, errors) for r in _tables(raw.get("lighten"), f"{where}: lighten", errors))
    unknown = set(raw) - {"number", "slug", "title", "summary", "opened_by", "steps", "keep_doing", "rest", "lighten"}
    if unknown:
        errors.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    return StageContent(
        number=index,
        slug=slug,
        title=title,
        summary=summary,
        opened_by=opened_by,
        steps=tuple(steps),
        keep_doing=tuple(keep_doing),
        rests=rests,
        lightens=lightens,
    )


def _tables(value: Any, where: str, errors: list[str]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errors.append(f"{where} must be written as [[...]] tables")
        return []
    return value


def _parse_rest(raw: dict[str, Any], where: str, errors: list[str]) -> Rest:
    step = _text(raw, "step", f"{where}, rest", errors)
    why = _text(raw, "why", f"{where}, rest {step!r}", errors)
    if unknown := set(raw) - {"step", "why"}:
        errors.append(f"{where}, rest {step!r}: unknown field(s) {', '.join(sorted(unknown))}")
    return Rest(step=step, why=why)


def _parse_lighten(raw: dict[str, Any], where: str, errors: list[str]) -> Lightening:
    step = _text(raw, "step", f"{where}, lighten", errors)
    here = f"{where}, lighten {step!r}"
    why = _text(raw, "why", here, errors)
    minutes, per_week = raw.get("minutes"), raw.get("per_week")
    if minutes is None and per_week is None:
        errors.append(f"{here}: give minutes, per_week or both")
    if minutes is not None and not _whole(minutes, 1, 600):
        errors.append(f"{here}: minutes must be a positive whole number")
    if per_week is not None and not _whole(per_week, 1, DAYS_A_WEEK):
        errors.append(f"{here}: per_week must be a whole number from 1 to {DAYS_A_WEEK}")
    if unknown := set(raw) - {"step", "why", "minutes", "per_week"}:
        errors.append(f"{here}: unknown field(s) {', '.join(sorted(unknown))}")
    return Lightening(step=step, minutes=minutes, per_week=per_week, why=why)


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


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
    for problem in body_link_problems(body):
        errors.append(f"{where}: {problem}")
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
        if key not in source_keys:
            errors.append(f"{where}: unknown source key {key!r}")
    if len(set(sources)) != len(sources):
        errors.append(f"{where}: a source is cited twice")
    tool = raw.get("tool", "")
    if tool and tool not in TOOLS:
        errors.append(f"{where}: tool {tool!r} is not one of {', '.join(TOOLS)}")
    private = raw.get("private", False)
    if not isinstance(private, bool):
        errors.append(f"{where}: private must be true or false")
    timer = _parse_timer(raw.get("timer"), tool, where, errors)
    per_week = raw.get("per_week")
    if per_week is not None and cadence != "daily":
        errors.append(f"{where}: per_week is only for daily steps (how many days a week)")
    elif per_week is not None and not _whole(per_week, 1, DAYS_A_WEEK):
        errors.append(f"{where}: per_week must be a whole number from 1 to {DAYS_A_WEEK}")
    if cadence != "once" and minutes is None:
        errors.append(f"{where}: a {cadence} step needs minutes, so its load can be counted")
    follows = raw.get("follows", "")
    if not isinstance(follows, str):
        errors.append(f"{where}: follows must be a step slug")
    unknown = set(raw) - {
        "slug", "title", "kind", "who", "cadence", "minutes", "days", "body", "sources", "tool", "private", "timer",
        "per_week", "follows",
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
        per_week={"daily": per_week or DAYS_A_WEEK, "weekly": 1}.get(cadence, 0),
        follows=follows,
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


def _check_follows(stages: list[StageContent], errors: list[str]) -> None:
    """A step may follow only an earlier recurring step of the same stage, with the same cadence."""
    for stage in stages:
        earlier: dict[str, StepContent] = {}
        for step in stage.steps:
            if step.follows:
                before = earlier.get(step.follows)
                if before is None or before.cadence == "once" or before.cadence != step.cadence:
                    errors.append(
                        f"stage {stage.number}, step {step.slug!r}: follows {step.follows!r}, which must be an "
                        f"earlier {step.cadence} step of the same stage"
                    )
            earlier[step.slug] = step


def _check_carry_over(stages: list[StageContent], errors: list[str], *, complete: bool) -> None:
    """Each stage names every recurring step still going from earlier stages exactly once: kept, rested
    or lightened. Only a step still going can be named, and a lightening must make it lighter."""
    going: dict[str, tuple[StepContent, int, int]] = {}  # slug -> (step, minutes, per_week) as done now
    for stage in stages:
        where = f"stage {stage.number}"
        named: list[str] = [*stage.keep_doing, *(r.step for r in stage.rests), *(lt.step for lt in stage.lightens)]
        for slug in sorted({s for s in named if named.count(s) > 1}):
            errors.append(f"{where}: {slug!r} is named more than once in keep_doing, rest and lighten")
        for slug in named:
            if slug not in going:
                errors.append(f"{where}: {slug!r} is not a daily or weekly step still going before this stage")
        if complete:
            for slug in going:
                if slug not in named:
                    errors.append(
                        f"{where}: say what happens to {slug!r} from this stage: list it in keep_doing, "
                        "or add a [[stages.rest]] or [[stages.lighten]] for it"
                    )
        for rest in stage.rests:
            going.pop(rest.step, None)
        for lighter in stage.lightens:
            if lighter.step not in going:
                continue
            step, minutes, per_week = going[lighter.step]
            new_minutes = lighter.minutes or minutes
            new_per_week = lighter.per_week or per_week
            if lighter.per_week is not None and step.cadence != "daily":
                errors.append(f"{where}, lighten {lighter.step!r}: per_week is only for daily steps")
            elif new_minutes * new_per_week >= minutes * per_week:
                errors.append(
                    f"{where}, lighten {lighter.step!r}: must be lighter than now "
                    f"({minutes} minutes, {per_week} times a week)"
                )
            going[lighter.step] = (step, new_minutes, new_per_week)
        for step in stage.steps:
            if step.cadence != "once":
                going[step.slug] = (step, step.minutes or 0, step.per_week)


def _recurring(stages: tuple[StageContent, ...] | list[StageContent]) -> list[plan_load.Recurring]:
    changes: dict[str, list[tuple[int, int, int, str]]] = {}
    current: dict[str, tuple[int, int]] = {}
    steps: dict[str, tuple[StepContent, int]] = {}
    for stage in stages:
        for rest in stage.rests:
            if rest.step in current:
                changes[rest.step].append((stage.number, 0, 0, rest.why))
                del current[rest.step]
        for lighter in stage.lightens:
            if lighter.step in current:
                minutes, per_week = current[lighter.step]
                minutes, per_week = lighter.minutes or minutes, lighter.per_week or per_week
                changes[lighter.step].append((stage.number, minutes, per_week, lighter.why))
                current[lighter.step] = (minutes, per_week)
        for step in stage.steps:
            if step.cadence != "once":
                steps[step.slug] = (step, stage.number)
                changes[step.slug] = []
                current[step.slug] = (step.minutes or 0, step.per_week)
    return [
        plan_load.Recurring(
            slug=slug,
            title=step.title,
            who=step.who,
            cadence=step.cadence,
            phases=plan_load.schedule(
                introduced_at=number, minutes=step.minutes or 0, per_week=step.per_week, changes=changes[slug]
            ),
            follows=step.follows,
        )
        for slug, (step, number) in steps.items()
    ]


def recurring_steps(plan: PlanContent) -> list[plan_load.Recurring]:
    """Every daily and weekly step with its schedule across the stages (introduced, lightened, rested)."""
    return _recurring(plan.stages)


def body_link_problems(text: str) -> list[str]:
    """Text that looks like a link but isn't one render_body will draw (an outside or malformed address)."""
    leftover = BODY_LINK.sub("", text)
    if "](" in leftover:
        return ["a link must look like [words](/a/path/on/this/site/)"]
    return []


def body_links(text: str) -> list[str]:
    return [match.group(2) for match in BODY_LINK.finditer(text)]


def _inline(line: str) -> SafeString:
    """One line of text, escaped, with [words](/path/) drawn as a link to a page of this site."""
    pieces, last = [], 0
    for match in BODY_LINK.finditer(line):
        pieces.append(format_html("{}", line[last : match.start()]))
        pieces.append(format_html('<a href="{}">{}</a>', match.group(2), match.group(1)))
        last = match.end()
    pieces.append(format_html("{}", line[last:]))
    return mark_safe("".join(pieces))  # every piece went through format_html


def render_body(text: str) -> SafeString:
    """Paragraphs separated by blank lines; lines starting with "- " become a list; [words](/path/)
    becomes a link to a page of this site. All other text is escaped."""
    blocks = []
    for block in text.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        items = [_inline(line[2:]) for line in lines if line.startswith("- ")]
        intro = [line for line in lines if not line.startswith("- ")]
        if intro:
            blocks.append(format_html("<p>{}</p>", _inline(" ".join(intro))))
        if items:
            blocks.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items))))
    return mark_safe("".join(blocks))  # every piece above went through format_html
