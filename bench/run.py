"""`make bench`: Mend at scale on PostgreSQL, served by gunicorn (2 workers), loaded by wrk from a second
process. Prints, for every page, requests/s, p50/p95 and the ratio to two floors measured in the same
run (the app floor: an authenticated one-query view behind Mend's middleware; the bare floor: the same
view behind Django's default middleware); the SQL queries of each page at 1 week and 1 year of history
and at 5 and 50 couples in a caseload; and the reminder sweep's time at 10,000 and 100,000 people.

    make bench                      # the full run (~20 minutes on 2 cores; seeding the first time)
    make bench BENCH_ARGS=--quick   # 100 couples, short loads: a few minutes

The seeded database (`mend_bench`, or `mend_bench_quick`) is kept between runs and reused while the
migrations and bench/seed.py are unchanged. Needs PostgreSQL, Redis and wrk (`apt-get install -y wrk`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5")
PORT = int(os.environ.get("BENCH_PORT", "8914"))

# Fixed keys: the seeded database's entries are encrypted with them and must read back on the next run.
ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "MFA_ENCRYPTION_KEYS": "mGm0T0c3qOQ0pE5n9sV9m0o3WJ6m4jDkqYlA8hH0b1E=",
    "ENTRY_ENCRYPTION_KEYS": "3y0gk3v1I3S2Wn2m4v6b8c0d2e4f6g8h0i2j4k6l8m0=",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "60",  # persistent connections, as a deployment would run
    "CACHE_URL": REDIS,
    "CELERY_BROKER_URL": REDIS,
    "SITE_URL": f"http://127.0.0.1:{PORT}",
    "EMAIL_URL": "consolemail://",
    "LOG_LEVEL": "WARNING",
}


LAYOUT = "layout floor"


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    who: str  # "partner" or "therapist"
    method: str = "GET"
    partner_page: bool = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 couples, 3-second loads, a 10,000-person sweep")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the schema is unchanged")
    parser.add_argument("--duration", type=int, help="seconds of load per page and round")
    parser.add_argument("--rounds", type=int, help="rounds over all pages (interleaved)")
    parser.add_argument("--skip-load", action="store_true", help="only the query counts and the sweep")
    parser.add_argument("--skip-sweep", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None and not args.skip_load:
        sys.exit("bench: wrk is missing. Install it with `sudo apt-get install -y wrk` (Debian/Ubuntu).")
    couples, therapists = (100, 10) if args.quick else (1000, 50)
    duration = args.duration or (3 if args.quick else 12)
    rounds = args.rounds or (1 if args.quick else 2)
    db_name = "mend_bench_quick" if args.quick else "mend_bench"
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = f"{PG}/{db_name}"
    sys.path.insert(0, str(ROOT))

    started = time.monotonic()
    seeded = _database(db_name, couples, therapists, reseed=args.reseed)
    _vacuum()
    print(f"bench: database {db_name} ready ({_since(started)}).", flush=True)
    pages = _pages(seeded)
    counts = _query_counts(seeded, pages)
    load: dict[str, list[dict[str, float]]] = {}
    if not args.skip_load:
        load = _load(seeded, pages, duration=duration, rounds=rounds)
    sweep = [] if args.skip_sweep else _sweeps(quick=args.quick)
    _report(seeded, pages, counts, load, sweep, duration=duration, rounds=rounds, quick=args.quick)
    print(f"\nbench: done in {_since(started)}.")


def _since(started: float) -> str:
    seconds = int(time.monotonic() - started)
    return f"{seconds // 60}m{seconds % 60:02d}s"


# --- the database -------------------------------------------------------------------------------------------


def _database(db_name: str, couples: int, therapists: int, *, reseed: bool) -> dict:
    import psycopg2

    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name])
        exists = cursor.fetchone() is not None
    key = _seed_key(couples, therapists)
    if exists and not reseed:
        conn = psycopg2.connect(f"{PG}/{db_name}")
        with conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_seed') IS NOT NULL")
            row = None
            if (exists_row := cursor.fetchone()) and exists_row[0]:
                cursor.execute("SELECT key, seeded FROM bench_seed")
                row = cursor.fetchone()
        conn.close()
        if row and row[0] == key:
            print(f"bench: reusing {db_name} (migrations and seed unchanged).", flush=True)
            _django()
            return json.loads(row[1])
    with admin.cursor() as cursor:
        if exists:
            cursor.execute(f'DROP DATABASE "{db_name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{db_name}"')
    admin.close()
    _django()
    from django.core.management import call_command

    print(f"bench: migrating {db_name}…", flush=True)
    began = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    from bench.seed import seed

    print(f"bench: seeding {couples} couples with a year of history and {therapists} therapists…", flush=True)
    found = seed(couples=couples, therapists=therapists)
    seeded = {**found.__dict__, "seconds": round(time.monotonic() - began)}
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_seed (key text, seeded text)")
        cursor.execute("INSERT INTO bench_seed VALUES (%s, %s)", [key, json.dumps(seeded)])
        cursor.execute("ANALYZE")
    print(f"bench: migrated and seeded in {seeded['seconds']} s: {seeded['counts']}", flush=True)
    return seeded


def _seed_key(couples: int, therapists: int) -> str:
    """The migration files of every app and the seed script: a change to either seeds afresh."""
    digest = hashlib.sha256(f"{couples}/{therapists}".encode())
    for path in sorted([*ROOT.glob("*/migrations/0*.py"), ROOT / "bench" / "seed.py"]):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_READY = False


def _django() -> None:
    global _READY
    if not _READY:
        import django

        django.setup()
        _READY = True


# --- pages and sessions ---------------------------------------------------------------------------------


def _pages(seeded: dict) -> list[Page]:
    from plans.models import Step

    step = Step.objects.filter(stage__number=1, retired=False).order_by("position").values_list("slug", flat=True)[0]
    return [
        Page("home", "/", "partner"),
        Page("plan", "/plan/", "partner"),
        Page("step", f"/plan/steps/{step}/", "partner"),
        Page("check-in GET", "/checkins/today/", "partner"),
        Page("check-in POST", "/checkins/today/", "partner", method="POST"),
        Page("weekly review", "/checkins/week/", "partner"),
        Page("history", "/checkins/", "partner"),
        Page("who has seen our data", "/care/seen/", "partner"),
        Page("questions", "/plan/questions/", "partner"),
        Page("wellbeing", "/wellbeing/", "partner"),
        Page("caseload", "/therapist/", "therapist", partner_page=False),
        Page("couple summary", "/therapist/couples/{couple}/", "therapist", partner_page=False),
        Page("session brief", "/therapist/couples/{couple}/brief/", "therapist", partner_page=False),
    ]


def _client(user_id: int) -> Any:
    from django.test import Client

    from recovery.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client


CHECK_IN = {"mood": "3", "trust": "6", "closeness": "6", "high": "A walk after dinner.", "low": "",
            "to_talk_through": "", "trigger_note": "", "visibility": "partner"}  # fmt: skip


def _post_body(client: Any, path: str) -> dict[str, str]:
    html = client.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token, f"no form token on {path}"
    return {**CHECK_IN, "csrfmiddlewaretoken": token.group(1)}


def _query_counts(seeded: dict, pages: list[Page]) -> dict[str, tuple[int, int]]:
    """Each page's SQL queries: 1 week vs 1 year of history; 5 vs 50 couples for the caseload."""
    import time_machine
    from django.utils import timezone

    print("bench: counting queries…", flush=True)
    # The clock stands still while counting: the once-a-minute session write (recovery/sessions.py) must not
    # land inside one page's count and not another's.
    with time_machine.travel(timezone.now(), tick=False):
        return _count_all(seeded, pages)


def _count_all(seeded: dict, pages: list[Page]) -> dict[str, tuple[int, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = {"partner": _client(seeded["week_partner"]), "therapist": _client(seeded["therapist_5"])}
    large = {"partner": _client(seeded["year_partner"]), "therapist": _client(seeded["therapist_50"])}
    found = {}
    for page in pages:
        result = []
        for clients, couple in ((small, seeded["week_couple"]), (large, seeded["year_couple"])):
            client = clients[page.who]
            path = page.path.format(couple=couple)
            client.get(path)  # warm: the first look of a session or a minute does more
            data = _post_body(client, path) if page.method == "POST" else None
            with CaptureQueriesContext(connection) as captured:
                response = client.post(path, data) if data else client.get(path)
            expected = 302 if page.method == "POST" else 200
            if response.status_code != expected:
                sys.exit(f"bench: {page.method} {path} answered {response.status_code}, not {expected}")
            result.append(len(captured))
        found[page.label] = (result[0], result[1])
    return found


# --- load ------------------------------------------------------------------------------------------------


def _cookie(user_id: int) -> tuple[str, Any]:
    client = _client(user_id)
    return f"sessionid={client.cookies['sessionid'].value}", client


def _load(seeded: dict, pages: list[Page], *, duration: int, rounds: int) -> dict[str, list[dict[str, float]]]:
    partner_cookie, partner = _cookie(seeded["year_partner"])
    therapist_cookie, _therapist = _cookie(seeded["therapist_50"])
    body = _post_body(partner, "/checkins/today/")
    if (csrf := partner.cookies.get("csrftoken")) is not None:
        partner_cookie += f"; csrftoken={csrf.value}"
    targets = [("bare floor", "/bench/bare/floor/", partner_cookie, "GET", ""),
               ("app floor", "/bench/floor/", partner_cookie, "GET", ""),
               (LAYOUT, "/bench/layout/", partner_cookie, "GET", "")]  # fmt: skip
    for page in pages:
        cookie = partner_cookie if page.who == "partner" else therapist_cookie
        targets.append((page.label, page.path.format(couple=seeded["year_couple"]), cookie, page.method,
                        urlencode(body) if page.method == "POST" else ""))  # fmt: skip
    log = open(tempfile.gettempdir() + "/mend-bench-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "bench.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{PORT}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    results: dict[str, list[dict[str, float]]] = {}
    try:
        _wait_for(f"http://127.0.0.1:{PORT}/healthz")
        for _label, path, cookie, method, data in targets:  # each answers as expected before any load
            status = _status(path, cookie, method, data)
            expected = 302 if method == "POST" else 200
            if status != expected:
                sys.exit(f"bench: {method} {path} answered {status} through gunicorn, not {expected}")
            _wrk(path, cookie, method, data, seconds=1)  # warm both workers
        for number in range(rounds):
            print(f"bench: load round {number + 1} of {rounds}, {duration} s per page…", flush=True)
            for label, path, cookie, method, data in targets:
                results.setdefault(label, []).append(_wrk(path, cookie, method, data, seconds=duration))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    return results


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("bench: gunicorn did not start (see /tmp/mend-bench-gunicorn.log)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _status(path: str, cookie: str, method: str, data: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", method=method, data=data.encode() if data else None,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"http://127.0.0.1:{PORT}{path}"},
    )  # fmt: skip
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wrk(path: str, cookie: str, method: str, data: str, *, seconds: int) -> dict[str, float]:
    env = {**os.environ, "BENCH_COOKIE": cookie, "BENCH_METHOD": method, "BENCH_BODY": data,
           "BENCH_REFERER": f"http://127.0.0.1:{PORT}{path}"}  # fmt: skip
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout", "10s", "-s", str(ROOT / "bench" / "wrk.lua"),
         f"http://127.0.0.1:{PORT}{path}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    values = {k: float(v) for k, v in (part.split("=") for part in line.split()[1:])}
    return {
        "rps": values["requests"] / (values["duration_us"] / 1e6),
        "p50": values["p50_us"] / 1000,
        "p95": values["p95_us"] / 1000,
        "errors": values["errors"],
    }


# --- the sweep -------------------------------------------------------------------------------------------


def _sweeps(*, quick: bool) -> list[dict[str, Any]]:
    """Reminder sweeps over people in active couples, in a transaction rolled back at the end (the seeded
    database is left as it was). The broker's doorbells are rung on commit, so they are timed apart."""
    from datetime import time as clock
    from datetime import timedelta

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from checkins import reminders
    from checkins.models import Reminder
    from recovery import outbox
    from recovery.models import Couple, Delivery, Partner, User

    small, large = (1_000, 10_000) if quick else (10_000, 100_000)
    zones = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
    now = timezone.now()
    made: list[int] = []

    def people(count: int) -> None:
        start = len(made)
        users = User.objects.bulk_create(
            [User(email=f"sweep-{start + i}@bench.mend.test", display_name="P", time_zone=zones[i % 4], password="!")
             for i in range(count)], batch_size=5000,
        )  # fmt: skip
        couples = Couple.objects.bulk_create([Couple() for _ in range(count // 2)], batch_size=5000)
        Partner.objects.bulk_create(
            [Partner(couple=couples[i // 2], user=u, role="hurt" if i % 2 == 0 else "involved", seat=1 + i % 2)
             for i, u in enumerate(users)], batch_size=5000,
        )  # fmt: skip
        Reminder.objects.bulk_create(
            [
                Reminder(user=u, kind="daily", local_time=clock(20, 0), next_due_at=now + timedelta(hours=3))
                for u in users
            ],
            batch_size=5000,
        )
        made.extend(u.pk for u in users)

    def run(label: str, due: int) -> dict[str, Any]:
        # Only the rows the last sweep moved go back: rewriting all 100,000 each time would leave the partial
        # index full of dead entries (nothing vacuums inside the transaction) and time that instead.
        later = now + timedelta(hours=3)
        Delivery.objects.filter(user_id__gte=made[0]).delete()
        Reminder.objects.filter(user_id__gte=made[0], enabled=True).exclude(next_due_at=later).update(next_due_at=later)
        step = max(1, len(made) // due)
        chosen = made[::step][:due]
        Reminder.objects.filter(user_id__in=chosen).update(next_due_at=now - timedelta(minutes=1))
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            queued = reminders.sweep(now=now)
            seconds = time.perf_counter() - began
        statements = sum(not q["sql"].startswith(("SAVEPOINT", "RELEASE")) for q in captured.captured_queries)
        batches = -(-due // reminders.BATCH_SIZE)
        row = {"label": label, "people": len(made), "due": due, "queued": len(queued), "seconds": seconds,
               "statements": statements, "per_batch": statements / batches, "ids": queued}  # fmt: skip
        print(f"bench: sweep {label}: {seconds:.2f} s, {statements} statements", flush=True)
        return row

    print("bench: timing the reminder sweep…", flush=True)
    rows = []
    with transaction.atomic():
        people(small)
        rows.append(run(f"{small:,} people, 1% due", small // 100))
        people(large - small)
        rows.append(run(f"{large:,} people, 1% due", large // 100))
        rows.append(run(f"{large:,} people, {small // 100:,} due", small // 100))
        rows.append(run(f"{large:,} people, {small:,} due", small))
        began = time.perf_counter()
        rung = outbox.ring(rows[-1]["ids"])  # what commit would do: one doorbell per delivery
        rows[-1]["ring"] = time.perf_counter() - began
        rows[-1]["rung"] = rung
        transaction.set_rollback(True)
    from recovery.celery import app

    app.control.purge()  # the doorbells rung for rolled-back rows: nobody should answer them
    _vacuum()
    return rows


def _vacuum() -> None:
    """The sweep's rolled-back 100,000 people leave dead rows at the ends of the user, couple and partner
    indexes; until autovacuum comes by, the planner walks them to estimate every join on those tables
    (a two-table join planned in 0.8 ms instead of 0.1). A deployment's autovacuum keeps up with its own
    writes; the benchmark cleans up after itself so the next run's pages are measured on a tidy database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- the report ------------------------------------------------------------------------------------------


def _report(
    seeded: dict,
    pages: list[Page],
    counts: dict[str, tuple[int, int]],
    load: dict[str, list[dict[str, float]]],
    sweep: list[dict[str, Any]],
    *,
    duration: int,
    rounds: int,
    quick: bool,
) -> None:
    def mean(label: str, key: str) -> float:
        return statistics.fmean(r[key] for r in load[label])

    print()
    size = "quick: 100 couples" if quick else "1,000 couples"
    print(f"Mend at scale ({size} with a year of history; gunicorn 2 workers; wrk -t1 -c4, "
          f"{rounds} round(s) x {duration} s per page, interleaved)")  # fmt: skip
    print()
    header = f"{'page':<24}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'x app':>7}{'x bare':>8}{'errors':>7}   target"
    print(header)
    print("-" * len(header) + "-" * 12)
    if load:
        bare, app = mean("bare floor", "rps"), mean("app floor", "rps")
        for label in ["bare floor", "app floor", LAYOUT, *[p.label for p in pages]]:
            rps = mean(label, "rps")
            page = next((p for p in pages if p.label == label), None)
            if label == "bare floor":
                target = ""
            elif label == "app floor":
                target = f"≥ 0.70x bare: {'met' if rps / bare >= 0.7 else 'NOT met'}"
            elif label == LAYOUT:
                target = "(no target: the page layout alone)"
            elif page is not None and page.partner_page:
                target = f"≥ 0.50x app: {'met' if rps / app >= 0.5 else 'NOT met'}"
            else:
                target = f"≥ 0.33x app: {'met' if rps / app >= 0.33 else 'NOT met'}"
            errors = int(sum(r["errors"] for r in load[label]))
            print(f"{label:<24}{rps:>8.0f}{mean(label, 'p50'):>8.1f}{mean(label, 'p95'):>8.1f}"
                  f"{rps / app:>7.2f}{rps / bare:>8.2f}{errors:>7}   {target}")  # fmt: skip
        layout = mean(LAYOUT, "rps")
        print("\n  The layout floor is the app floor's view drawn in Mend's page layout (header, menu, footer,")
        print(f"  context processors) around one line: {layout / app:.2f}x the app floor before a page shows anything")
        print("  of its own. Each page against it (what the page itself costs):")
        print("  " + ", ".join(f"{p.label} {mean(p.label, 'rps') / layout:.2f}x" for p in pages))
    print()
    print(f"{'SQL queries per page':<24}{'1 week':>8}{'1 year':>8}   (caseload: 5 couples / 50 couples)")
    for label, (week, year) in counts.items():
        note = "same" if week == year else "GROWS"
        print(f"{label:<24}{week:>8}{year:>8}   {note}")
    if sweep:
        print()
        print(f"{'reminder sweep':<30}{'due':>7}{'queued':>8}{'seconds':>9}{'statements':>12}{'per batch':>11}")
        for row in sweep:
            print(f"{row['label']:<30}{row['due']:>7,}{row['queued']:>8,}{row['seconds']:>9.2f}"
                  f"{row['statements']:>12}{row['per_batch']:>11.1f}")  # fmt: skip
        last = sweep[-1]
        print(f"  …then ringing the broker for those {last['rung']:,} deliveries (on commit): {last['ring']:.2f} s")
        ratio = sweep[1]["seconds"] / sweep[0]["seconds"]
        same = sweep[2]["seconds"] / sweep[0]["seconds"]
        print(f"  {sweep[1]['people']:,} vs {sweep[0]['people']:,} people, 1% due: {ratio:.2f}x; "
              f"same number due: {same:.2f}x (target ≤ 1.5x: {'met' if same <= 1.5 else 'NOT met'} for the same "
              f"due, {'met' if ratio <= 1.5 else 'NOT met'} at 1% due)")  # fmt: skip
        total = last["seconds"] + last["ring"]
        print(
            f"  {last['due']:,} due swept and rung in {total:.1f} s "
            f"(target ≤ 60 s: {'met' if total <= 60 else 'NOT met'})"
        )
        worst = max(r["per_batch"] for r in sweep)
        print(
            f"  statements per batch of {500}: at most {worst:.1f} (target ≤ 12: {'met' if worst <= 12 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
