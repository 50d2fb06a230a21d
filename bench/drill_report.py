"""What the fault drill prints: per scenario, every person's e-mail count and how late the first arrived
after the fault ended; then a verdict, and a summary table of all scenarios.

The target (issue 9, item 11): exactly one e-mail per person, within five minutes of the fault ending. A
second copy is forgiven only when the worker died in the moment between the mail server accepting the
first and the outbox recording it as sent — no sender can tell that copy went out; every other duplicate,
every missing e-mail and every late one fails the scenario.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

TARGET_SECONDS = 5 * 60
PER_LINE = 5


@dataclass(frozen=True)
class Person:
    label: str  # "p01": short enough for five to a line
    email: str
    user_id: int


@dataclass
class Outcome:
    number: int
    title: str
    people: list[Person]
    fault_end: float  # time.time() when the fault was over (the service back, the worker ready, …)
    story: list[str]  # what the drill did and saw, in order, for the reader to check the fault was real
    arrivals: dict[str, list[float]]  # e-mail address → when each copy arrived
    statuses: Counter[str]  # the people's Delivery rows by status
    attempts: Counter[int]  # … and by number of attempts
    # Addresses the mail server had accepted while their row was still `sending` when the worker died:
    # the accept-then-die window, the one place a duplicate can't be prevented.
    accept_then_die: set[str] = field(default_factory=set)
    late_extras: int = 0  # copies that arrived after the verdict (checked once more at the end of the drill)

    def count(self, person: Person) -> int:
        return len(self.arrivals.get(person.email, []))

    def delay(self, person: Person) -> float | None:
        """Seconds from the fault's end to the person's first e-mail (negative: it came before the end)."""
        times = self.arrivals.get(person.email)
        return min(times) - self.fault_end if times else None

    @property
    def missing(self) -> list[Person]:
        return [p for p in self.people if self.count(p) == 0]

    @property
    def late(self) -> list[Person]:
        return [p for p in self.people if (d := self.delay(p)) is not None and d > TARGET_SECONDS]

    @property
    def duplicated(self) -> list[Person]:
        return [p for p in self.people if self.count(p) >= 2]

    @property
    def explained(self) -> list[Person]:
        # One kill opens the window once per send in flight: two copies at most, and only for those.
        return [p for p in self.duplicated if self.count(p) == 2 and p.email in self.accept_then_die]

    @property
    def passed(self) -> bool:
        unexplained = len(self.duplicated) - len(self.explained)
        return not self.missing and not self.late and not unexplained and not self.late_extras


def clock(seconds: float) -> str:
    """+m:ss after the fault ended, -m:ss before it."""
    whole = round(abs(seconds))
    return f"{'-' if seconds < 0 else '+'}{whole // 60}:{whole % 60:02d}"


def _cell(outcome: Outcome, person: Person) -> str:
    count, delay = outcome.count(person), outcome.delay(person)
    mark = "*" if count >= 2 else " "
    return f"{person.label} {count}{mark}{clock(delay) if delay is not None else '  —  ':>6}"


def _delays(outcome: Outcome) -> list[float]:
    return [d for p in outcome.people if (d := outcome.delay(p)) is not None]


def render(outcome: Outcome) -> str:
    lines = [f"Scenario {outcome.number}: {outcome.title}", *(f"  {line}" for line in outcome.story)]
    lines.append("  person, e-mails received, first one after the fault ended (* = more than one):")
    cells = [_cell(outcome, person) for person in outcome.people]
    for start in range(0, len(cells), PER_LINE):
        lines.append("    " + "   ".join(cells[start : start + PER_LINE]))
    counts = Counter(min(outcome.count(p), 2) for p in outcome.people)
    delays = _delays(outcome)
    timing = (
        f"first e-mail after the fault ended: median {clock(statistics.median(delays))}, "
        f"latest {clock(max(delays))}; {sum(d <= 0 for d in delays)} arrived before it ended"
        if delays
        else "no e-mail arrived"
    )
    lines.append(f"  people with 0 e-mails: {counts[0]} · exactly 1: {counts[1]} · 2 or more: {counts[2]} · {timing}")
    rows = ", ".join(f"{n} {status}" for status, n in sorted(outcome.statuses.items()))
    tries = ", ".join(f"{n} with {attempts}" for attempts, n in sorted(outcome.attempts.items()))
    lines.append(f"  delivery rows: {rows}; attempts: {tries}")
    for person in outcome.duplicated:
        times = ", ".join(clock(t - outcome.fault_end) for t in sorted(outcome.arrivals[person.email]))
        why = (
            "the worker died after the mail server accepted the first copy and before it was recorded as sent"
            if person in outcome.explained
            else "NOT explained by the accept-then-die window"
        )
        lines.append(f"  duplicate: {person.label} got {outcome.count(person)} copies ({times}): {why}")
    lines.append("  " + verdict(outcome))
    return "\n".join(lines)


def verdict(outcome: Outcome) -> str:
    n = len(outcome.people)
    exactly_one_in_time = n - len(outcome.missing) - len(outcome.late) - len(outcome.duplicated)
    if outcome.passed:
        extra = f"; {len(outcome.explained)} accept-then-die duplicate(s)" if outcome.explained else ""
        return f"PASS: {n} of {n} got their e-mail within 5:00 of the fault ending{extra}"
    problems = [
        f"{len(outcome.missing)} got nothing" if outcome.missing else "",
        f"{len(outcome.late)} got it later than 5:00" if outcome.late else "",
        f"{len(outcome.duplicated) - len(outcome.explained)} unexplained duplicate(s)"
        if len(outcome.duplicated) > len(outcome.explained)
        else "",
        f"{outcome.late_extras} more copies arrived after the verdict" if outcome.late_extras else "",
    ]
    return f"FAIL: {exactly_one_in_time} of {n} exactly once in time; " + "; ".join(p for p in problems if p)


def summary(outcomes: list[Outcome]) -> str:
    header = f"{'scenario':<52} {'0':>3} {'1':>3} {'2+':>3} {'median':>7} {'latest':>7} {'dup*':>5}  result"
    lines = ["Summary (0 / 1 / 2+ = people with that many e-mails; delays after the fault ended;", header]
    lines[0] += " dup* = accept-then-die duplicates)"
    for outcome in outcomes:
        counts = Counter(min(outcome.count(p), 2) for p in outcome.people)
        delays = _delays(outcome)
        median = clock(statistics.median(delays)) if delays else "—"
        latest = clock(max(delays)) if delays else "—"
        title = f"{outcome.number}. {outcome.title}"
        lines.append(
            f"{title[:52]:<52} {counts[0]:>3} {counts[1]:>3} {counts[2]:>3} {median:>7} {latest:>7} "
            f"{len(outcome.explained):>5}  {'PASS' if outcome.passed else 'FAIL'}"
        )
    return "\n".join(lines)
