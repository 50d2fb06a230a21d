"""The outbox fault drill (issue 9, item 11): does every reminder e-mail arrive exactly once, within five
minutes of a fault ending, whatever breaks?

    DEBUG=1 .venv/bin/python bench/faults.py            # all six scenarios, about 50 minutes
    DEBUG=1 .venv/bin/python bench/faults.py --quick    # shorter outages (451 for 4 min, Redis down 1 min)
    DEBUG=1 .venv/bin/python bench/faults.py --only 3   # one scenario (repeat --only for more)
    make drill DRILL_ARGS=--quick

It runs everything itself and touches nothing shared: its own PostgreSQL cluster (initdb into a temporary
directory, a free port near 55432; as root the server runs as the `postgres` user), its own Redis without
persistence (a free port near 6391), an SMTP server (aiosmtpd) in a thread of the drill, and Mend's real
`celery -A recovery worker --concurrency=2` and `celery -A recovery beat`, as the Procfile runs them, with
Mend's production defaults for the outbox (DELIVERY_CLAIM_TIMEOUT and DELIVERY_REQUEUE_AFTER 120 s, the
Redis visibility timeout 3600 s — to show the outbox doesn't wait for it). Everything is removed at the end,
on Ctrl-C too; the logs are kept (and their folder printed) when a scenario fails or with --keep-logs.

Each scenario makes 50 new people (25 couples; new people, because a reminder goes once per local day) whose
daily reminder falls due at the start of a coming minute, in a time zone where that is mid-morning (so a
message never expires during the drill), lets beat's per-minute sweep pick them up, and breaks something:

1. the worker is killed with SIGKILL (its whole process group) mid-batch, and restarted 5 s later;
2. Redis is stopped for two minutes while sends are queued (25 people) and due (25 more, a minute later);
3. the mail server answers 451 to every recipient for twenty minutes;
4. Redis is restarted — no persistence, so every queued message is gone — while the sends wait in it;
5. PostgreSQL is restarted (`pg_ctl restart -m fast`) twice: mid-sweep (the sweep has locked its 50
   reminders and is writing their deliveries; the drill holds a lock that makes it wait there, so the
   restart lands mid-sweep every time), then mid-batch (once 10 of the 50 e-mails have arrived);
6. the broker refuses while the sweep publishes: the drill runs the sweep itself, its publisher pointed at
   a closed port, so the deliveries commit and every doorbell is lost; the real worker and beat keep Redis.

How to read the output: per scenario, what the drill did and saw (times in UTC), then one cell per person —
`p07 1 +2:41` means person 7 received 1 e-mail, the first 2 min 41 s after the fault ended (`-0:03`: before
it ended; `*` marks a duplicate) — then the count of people with 0, 1 and 2+ e-mails, the median and latest
delay, the people's delivery rows by status and attempts, and the verdict. PASS means all 50 received
exactly one e-mail within 5:00 of the fault ending. A duplicate is forgiven (and counted) only when the
worker died after the mail server had accepted the message and before the row was marked sent. The drill
exits non-zero when any scenario fails.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.drill_report import Outcome, Person, clock, render, summary
from bench.drill_services import CeleryProcess, MailServer, Postgres, Redis, free_port, wait_for

DATABASE = "mend_drill"
PEOPLE = 50
T = TypeVar("T")


def hms(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S.%f")[:-5]


def progress(message: str) -> None:
    """Progress goes to stderr, the report to stdout."""
    print(f"  · {datetime.now(UTC):%H:%M:%S} {message}", file=sys.stderr, flush=True)


def sleep_until(at: float) -> None:
    while (left := at - time.time()) > 0:
        time.sleep(min(left, 1.0))


class Drill:
    """The services, the processes and the drill's own view of Mend's database."""

    def __init__(self, work: Path, logs: Path, quick: bool) -> None:
        self.work, self.logs, self.quick = work, logs, quick
        self.redis_down = 60.0 if quick else 120.0
        self.smtp_outage = 4 * 60.0 if quick else 20 * 60.0
        self.pg = Postgres(work / "pg", free_port(55432), logs / "postgres.log")
        self.redis = Redis(work / "redis", free_port(6391), logs / "redis.log")
        self.mail = MailServer(free_port(2526))
        # Nothing listens here: the broker the drill's own sweep publishes to in scenario 6.
        self.closed_port = free_port()
        inherited = {
            k: v
            for k, v in os.environ.items()
            # Mend's production defaults for the outbox and the broker, whatever the caller's shell has set.
            if not k.startswith(("DELIVERY_", "CELERY_", "EMAIL_", "DATABASE_", "CACHE_", "CONN_MAX_AGE", "LOG_"))
        }
        self.env = {
            **inherited,
            "DEBUG": "1",
            "DATABASE_URL": self.pg.url(DATABASE),
            "CELERY_BROKER_URL": self.redis.url(0),
            "EMAIL_URL": f"smtp://127.0.0.1:{self.mail.port}",
            "MEND_VAR_DIR": str(work / "var"),
            "PYTHONUNBUFFERED": "1",
        }
        self.worker = CeleryProcess("worker", ["--loglevel=INFO", "--concurrency=2"], self.env, logs / "worker.log")
        beat_args = ["--loglevel=INFO", f"--schedule={work / 'celerybeat-schedule'}"]
        self.beat = CeleryProcess("beat", beat_args, self.env, logs / "beat.log")

    # --- start and stop ------------------------------------------------------------------------------

    def start(self) -> None:
        progress(f"PostgreSQL: a new cluster on 127.0.0.1:{self.pg.port} ({self.pg.bin})")
        self.pg.start()
        self.pg.create_database(DATABASE)
        progress(f"Redis on 127.0.0.1:{self.redis.port}, no persistence")
        self.redis.start()
        self.mail.start()
        self._setup_django()
        progress("migrating a fresh database")
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        progress("starting the worker and beat")
        self.worker.start()
        self.beat.start()

    def _setup_django(self) -> None:
        """The drill reads and writes Mend's database as Mend does; its own publisher points at a closed
        port (only scenario 6 publishes from here, and there the broker must refuse)."""
        os.environ.update({**self.env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.closed_port}/0"})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
        import django

        django.setup()
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.addHandler(logging.FileHandler(self.logs / "drill.log"))

    def stop(self) -> None:
        for step in (self.beat.stop, self.worker.stop, self.mail.stop, self.redis.stop, self._close_db, self.pg.stop):
            with contextlib.suppress(Exception):
                step()
        with contextlib.suppress(OSError):
            (self.logs / "postgres-server.log").write_text(self.pg.server_log())

    def _close_db(self) -> None:
        from django.db import connections

        connections.close_all()

    def healthy(self) -> None:
        """Back to normal between scenarios: each starts from a working system."""
        self.mail.mode, self.mail.delay = "accept", 0.0
        if not self.redis.answers():
            self.redis.start()
        for process in (self.worker, self.beat):
            if process.process is None or process.process.poll() is not None:
                process.start()

    # --- the database, through PostgreSQL restarts ----------------------------------------------------

    def db(self, query: Callable[[], T]) -> T:
        """Run a query of the drill's, reconnecting while PostgreSQL restarts."""
        from django.db import InterfaceError, OperationalError, connection

        for _ in range(120):
            try:
                return query()
            except (OperationalError, InterfaceError):
                connection.close()
                time.sleep(0.5)
        return query()

    def make_people(self, scenario: int, due: datetime, later: dict[int, datetime] | None = None) -> list[Person]:
        """50 people in 25 couples, each with one daily reminder due at `due` (a minute's start) — or, for
        the people numbered in `later`, at the time given there."""
        from django.db import transaction

        from checkins.models import Reminder
        from recovery.models import Couple, Partner, User, available_time_zones

        # Mid-morning where they live: the rest of the local day (a reminder's expiry) is hours away.
        zone = ZoneInfo(min(sorted(available_time_zones()), key=lambda name: _minutes_from(due, name, 10 * 60)))
        people: list[Person] = []
        with transaction.atomic():
            for first in range(1, PEOPLE + 1, 2):
                couple = Couple.objects.create()
                for seat, role in ((1, Partner.Role.HURT), (2, Partner.Role.INVOLVED)):
                    number = first + seat - 1
                    label = f"p{number:02d}"
                    user = User.objects.create_user(
                        f"s{scenario}-{label}@drill.mend.test", None, display_name=label, time_zone=zone.key
                    )
                    Partner.objects.create(couple=couple, user=user, role=role, seat=seat)
                    at = (later or {}).get(number, due)
                    Reminder.objects.create(
                        user=user, kind="daily", local_time=at.astimezone(zone).time(), next_due_at=at
                    )
                    people.append(Person(label=label, email=user.email, user_id=user.pk))
        return people

    def statuses(self, people: list[Person]) -> Counter[str]:
        from recovery.models import Delivery

        ids = [p.user_id for p in people]
        return Counter(self.db(lambda: list(Delivery.objects.filter(user_id__in=ids).values_list("status", flat=True))))

    def attempts(self, people: list[Person]) -> Counter[int]:
        from recovery.models import Delivery

        ids = [p.user_id for p in people]
        return Counter(
            self.db(lambda: list(Delivery.objects.filter(user_id__in=ids).values_list("attempts", flat=True)))
        )

    def still_due(self, people: list[Person], due: datetime) -> int:
        from checkins.models import Reminder

        ids = [p.user_id for p in people]
        return self.db(lambda: Reminder.objects.filter(user_id__in=ids, next_due_at__lte=due).count())

    def arrivals(self, people: list[Person]) -> dict[str, list[float]]:
        emails = {p.email for p in people}
        found: dict[str, list[float]] = {}
        for arrival in self.mail.arrivals():
            if arrival.recipient in emails:
                found.setdefault(arrival.recipient, []).append(arrival.at)
        return found

    def arrived(self, people: list[Person]) -> int:
        return sum(len(times) for times in self.arrivals(people).values())

    def accepted_but_not_recorded(self, people: list[Person], before: float) -> set[str]:
        """People whose e-mail the mail server had accepted while their row still says `sending`."""
        from recovery.models import Delivery

        ids = [p.user_id for p in people]
        sending = set(
            self.db(
                lambda: list(
                    Delivery.objects.filter(user_id__in=ids, status="sending").values_list("user__email", flat=True)
                )
            )
        )
        accepted = {email for email, times in self.arrivals(people).items() if min(times) <= before}
        return sending & accepted

    def settle(self, people: list[Person], fault_end: float) -> None:
        """Wait until nothing more can arrive (every row finished, everyone served), or until well past
        the target so a late e-mail is seen as late rather than as missing."""
        hard_stop = fault_end + 6 * 60
        while time.time() < hard_stop:
            statuses = self.statuses(people)
            finished = sum(statuses.values()) == len(people) and not statuses["pending"] and not statuses["sending"]
            if finished and len(self.arrivals(people)) == len(people):
                time.sleep(5)  # a copy already on its way would still be counted
                return
            time.sleep(1)

    def outcome(
        self,
        number: int,
        title: str,
        people: list[Person],
        fault_end: float,
        story: list[str],
        accept_then_die: set[str] | None = None,
    ) -> Outcome:
        self.settle(people, fault_end)
        return Outcome(
            number=number,
            title=title,
            people=people,
            fault_end=fault_end,
            story=story,
            arrivals=self.arrivals(people),
            statuses=self.statuses(people),
            attempts=self.attempts(people),
            accept_then_die=accept_then_die or set(),
        )


def _minutes_from(at: datetime, zone: str, target: int) -> int:
    local = at.astimezone(ZoneInfo(zone))
    return abs(local.hour * 60 + local.minute - target)


def next_minute(lead: float = 20) -> datetime:
    """The start of the first minute at least `lead` seconds away: time to make 50 people before it."""
    at = datetime.now(UTC) + timedelta(seconds=lead)
    return at.replace(second=0, microsecond=0) + timedelta(minutes=1)


# --- the scenarios ------------------------------------------------------------------------------------


def worker_killed(drill: Drill) -> Outcome:
    title = "worker killed with SIGKILL mid-batch"
    due = next_minute()
    people = drill.make_people(1, due)
    drill.mail.delay = 0.15  # each message takes a moment, so the kill lands in the middle of the batch
    progress(f"scenario 1: {PEOPLE} due at {due:%H:%M:%S}; mail server answers each recipient after 0.15 s")
    sleep_until(due.timestamp())
    wait_for(lambda: drill.arrived(people) >= 10, 120, "ten e-mails", interval=0.01)
    drill.worker.kill()
    killed = time.time()
    accepted = drill.accepted_but_not_recorded(people, killed)
    arrived, statuses = drill.arrived(people), drill.statuses(people)
    time.sleep(5)
    drill.worker.start()
    fault_end = time.time()
    story = [
        f"{hms(due.timestamp())} {PEOPLE} reminders due; the sweep queues them, the worker sends (0.15 s a recipient)",
        f"{hms(killed)} SIGKILL to the worker's process group after {arrived} e-mails had arrived; rows then: "
        f"{statuses['sent']} sent, {statuses['sending']} sending, {statuses['pending']} pending; "
        f"{len(accepted)} of the sending ones already accepted by the mail server",
        f"{hms(fault_end)} a new worker is ready: the fault ends",
    ]
    return drill.outcome(1, title, people, fault_end, story, accept_then_die=accepted)


def redis_stopped(drill: Drill) -> Outcome:
    down = drill.redis_down
    title = f"Redis stopped for {clock(down)[1:]}, sends queued and due"
    due = next_minute()
    later = due + timedelta(minutes=1)
    people = drill.make_people(2, due, later=dict.fromkeys(range(26, PEOPLE + 1), later))
    drill.mail.delay = 0.5  # slow enough that most sends still wait in Redis when it stops
    progress(f"scenario 2: 25 due at {due:%H:%M:%S}, 25 at {later:%H:%M:%S}; Redis stops once 5 e-mails arrived")
    sleep_until(due.timestamp())
    wait_for(lambda: drill.arrived(people) >= 5, 120, "five e-mails", interval=0.01)
    waiting = drill.redis.waiting_messages()
    drill.redis.stop()
    stopped = time.time()
    drill.mail.delay = 0.0
    arrived = drill.arrived(people)
    progress(f"Redis stopped; back at {hms(stopped + down)}")
    sleep_until(stopped + down)
    drill.redis.start()
    fault_end = time.time()
    story = [
        f"{hms(due.timestamp())} 25 reminders due (p01 to p25); the sweep queues them; the worker sends (0.5 s each)",
        f"{hms(stopped)} Redis stopped (SIGTERM, nothing saved) after {arrived} e-mails; {waiting} messages "
        "were waiting in it",
        f"{hms(later.timestamp())} 25 more reminders due (p26 to p50), Redis still down",
        f"{hms(fault_end)} Redis back, empty: the fault ends",
    ]
    return drill.outcome(2, title, people, fault_end, story)


def smtp_451(drill: Drill) -> Outcome:
    outage = drill.smtp_outage
    title = f"mail server answers 451 for {clock(outage)[1:]}"
    due = next_minute()
    people = drill.make_people(3, due)
    sleep_until(due.timestamp() - 5)
    drill.mail.mode, drill.mail.refused = "451", 0
    began = time.time()
    progress(f"scenario 3: {PEOPLE} due at {due:%H:%M:%S}; the mail server answers 451 until {hms(began + outage)}")
    while time.time() < began + outage:
        time.sleep(min(60.0, began + outage - time.time()))
        if time.time() < began + outage:
            progress(f"451 so far: {drill.mail.refused} answers; {drill.arrived(people)} e-mails arrived")
    drill.mail.mode = "accept"
    fault_end = time.time()
    story = [
        f"{hms(began)} the mail server starts answering every recipient with 451 (try again later)",
        f"{hms(due.timestamp())} {PEOPLE} reminders due; the sweep queues them; every attempt is refused",
        f"{hms(fault_end)} the mail server accepts again after {drill.mail.refused} refusals: the fault ends",
    ]
    return drill.outcome(3, title, people, fault_end, story)


def redis_restarted(drill: Drill) -> Outcome:
    title = "Redis restarted without persistence, sends queued"
    due = next_minute()
    people = drill.make_people(4, due)
    drill.mail.delay = 2.0  # so slow that the sends pile up in Redis
    progress(f"scenario 4: {PEOPLE} due at {due:%H:%M:%S}; Redis restarts once 40 messages wait in it")
    sleep_until(due.timestamp())
    wait_for(lambda: drill.redis.waiting_messages() >= 40, 60, "40 messages waiting in Redis", interval=0.01)
    waiting = drill.redis.waiting_messages()
    drill.redis.stop()
    restarted = time.time()
    drill.redis.start()
    drill.mail.delay = 0.0
    fault_end = time.time()
    story = [
        f"{hms(due.timestamp())} {PEOPLE} reminders due; the sweep queues them; the worker sends (2 s each)",
        f"{hms(restarted)} Redis restarted (SIGTERM, nothing saved) with {waiting} messages waiting in it, "
        f"after {drill.arrived(people)} e-mails had arrived",
        f"{hms(fault_end)} Redis back with {drill.redis.waiting_messages()} messages: the fault ends",
    ]
    return drill.outcome(4, title, people, fault_end, story)


def postgres_restarted(drill: Drill) -> Outcome:
    title = "PostgreSQL restarted mid-sweep, then mid-batch"
    due = next_minute()
    people = drill.make_people(5, due)
    progress(f"scenario 5: {PEOPLE} due at {due:%H:%M:%S}; PostgreSQL restarts mid-sweep, then mid-batch")
    sleep_until(due.timestamp() - 5)
    # Hold the deliveries table in SHARE mode: the sweep can lock its reminders and check them, and then
    # waits at its first delivery insert — mid-sweep — until the restart ends everyone's transaction.
    hold = drill.pg.connect(DATABASE)
    hold.cursor().execute("LOCK TABLE recovery_delivery IN SHARE MODE")
    sweep_waits = """
        SELECT count(*) FROM pg_locks w JOIN pg_class d ON d.oid = w.relation AND d.relname = 'recovery_delivery'
        JOIN pg_locks r ON r.pid = w.pid JOIN pg_class c ON c.oid = r.relation AND c.relname = 'checkins_reminder'
        WHERE NOT w.granted AND r.granted AND r.mode = 'RowShareLock'
    """
    watch = drill.pg.connect(DATABASE)
    watch.autocommit = True

    def sweep_is_waiting() -> bool:
        with watch.cursor() as cursor:
            cursor.execute(sweep_waits)
            return bool(cursor.fetchone()[0])

    wait_for(sweep_is_waiting, 60, "the sweep to wait at its first delivery", interval=0.02)
    watch.close()
    first = time.time()
    drill.pg.restart()
    first_back = time.time()
    with contextlib.suppress(Exception):
        hold.close()
    queued_then = sum(drill.statuses(people).values())
    still_due = drill.still_due(people, due)
    drill.mail.delay = 0.3  # the next sweep's batch takes a few seconds: time to restart in its middle
    wait_for(lambda: drill.arrived(people) >= 10, 150, "ten e-mails", interval=0.01)
    second = time.time()
    arrived, statuses = drill.arrived(people), drill.statuses(people)
    drill.pg.restart()
    fault_end = time.time()
    drill.mail.delay = 0.0
    story = [
        f"{hms(due.timestamp())} {PEOPLE} reminders due; the sweep locks them and waits at its first delivery "
        "(the drill holds the deliveries table)",
        f"{hms(first)} pg_ctl restart -m fast mid-sweep; back at {hms(first_back)}; deliveries queued then: "
        f"{queued_then}, reminders still due: {still_due} (the sweep's transaction was rolled back)",
        f"{hms(second)} pg_ctl restart -m fast mid-batch, the next minute's sweep having queued them: "
        f"{arrived} e-mails had arrived; rows {statuses['sent']} sent, {statuses['sending']} sending, "
        f"{statuses['pending']} pending",
        f"{hms(fault_end)} PostgreSQL accepts connections again: the fault ends",
    ]
    return drill.outcome(5, title, people, fault_end, story)


def broker_refuses(drill: Drill) -> Outcome:
    from checkins import reminders

    title = "broker refuses while the sweep publishes"
    # Due a quarter past a minute's start: after beat's sweep of that minute, well before the next one,
    # so the drill's own sweep (publishing to a closed port) is the one that takes them.
    due = next_minute() + timedelta(seconds=15)
    people = drill.make_people(6, due)
    progress(f"scenario 6: {PEOPLE} due at {due:%H:%M:%S}; the drill sweeps them, its broker refusing")
    refusals = _count_refusals()
    sleep_until(due.timestamp() + 1)
    began = time.time()
    queued = drill.db(reminders.sweep)
    fault_end = time.time()
    from django.db import connection

    connection.close()
    statuses = drill.statuses(people)
    story = [
        f"{hms(began)} the drill's sweep (publisher at 127.0.0.1:{drill.closed_port}, where nothing listens) "
        f"queues {len(queued)} deliveries and commits; the broker refused {refusals.count} publishes",
        f"{hms(fault_end)} the sweep returns ({fault_end - began:.1f} s): the fault ends; rows: "
        f"{statuses['pending']} pending, none of them on the broker",
    ]
    logging.getLogger("recovery.outbox").removeHandler(refusals)
    return drill.outcome(6, title, people, fault_end, story)


class _RefusalCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "broker refused" in record.getMessage():
            self.count += 1


def _count_refusals() -> _RefusalCounter:
    counter = _RefusalCounter()
    logging.getLogger("recovery.outbox").addHandler(counter)
    return counter


SCENARIOS: dict[int, Callable[[Drill], Outcome]] = {
    1: worker_killed,
    2: redis_stopped,
    3: smtp_451,
    4: redis_restarted,
    5: postgres_restarted,
    6: broker_refuses,
}


# --- main ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="451 for 4 minutes and Redis down for 1 (iterating)")
    parser.add_argument("--only", type=int, action="append", choices=sorted(SCENARIOS), help="run scenario N")
    parser.add_argument("--keep-logs", action="store_true", help="keep the logs folder even when all pass")
    args = parser.parse_args(argv)
    # Clean up on Ctrl-C and on `kill` alike (a shell may start a background job with SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="mend-drill-"))
    work.chmod(0o755)  # the PostgreSQL server (as `postgres` when run as root) lives inside
    logs = Path(tempfile.mkdtemp(prefix="mend-drill-logs-"))
    drill = Drill(work, logs, quick=args.quick)
    outcomes: list[Outcome] = []
    passed, interrupted = False, False
    print(
        f"Mend outbox fault drill{' (--quick)' if args.quick else ''}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"own PostgreSQL :{drill.pg.port}, own Redis :{drill.redis.port}, mail server :{drill.mail.port}; "
        "worker --concurrency=2 and beat; DELIVERY_CLAIM_TIMEOUT=120 s, DELIVERY_REQUEUE_AFTER=120 s, "
        "visibility timeout 3600 s (the defaults)",
        flush=True,
    )
    try:
        drill.start()
        for number in sorted(set(args.only or SCENARIOS)):
            drill.healthy()
            outcome = SCENARIOS[number](drill)
            outcomes.append(outcome)
            print("\n" + render(outcome), flush=True)
        time.sleep(5)
        for outcome in outcomes:  # anything more for an earlier scenario since its verdict?
            now = drill.arrivals(outcome.people)
            outcome.late_extras = sum(len(now.get(p.email, [])) - outcome.count(p) for p in outcome.people)
        print("\n" + summary(outcomes))
        for outcome in outcomes:
            if outcome.late_extras:
                print(f"Scenario {outcome.number}: {outcome.late_extras} more e-mails arrived after its verdict: FAIL")
        passed = bool(outcomes) and all(o.passed for o in outcomes)
    except (KeyboardInterrupt, SystemExit):
        interrupted = True
    finally:
        drill.stop()
        shutil.rmtree(work, ignore_errors=True)
        minutes, seconds = divmod(round(time.monotonic() - started), 60)
        result = "interrupted" if interrupted else "PASS" if passed else "FAIL"
        print(f"\n{result}: drill took {minutes} min {seconds:02d} s", flush=True)
        if passed and not args.keep_logs:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"logs: {logs}", flush=True)
    return 130 if interrupted else 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
