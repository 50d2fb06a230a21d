"""The fault drill's own services: a PostgreSQL cluster, a Redis, a mail server, and Mend's Celery worker
and beat as real processes — all private to one drill run, on ports of their own, removed at the end.

Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379): other people run tests against
them, and the drill restarts and kills what it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psycopg2
import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]


def free_port(preferred: int = 0) -> int:
    """`preferred` when nothing listens there, otherwise any free port (a second drill, a stale server)."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as probe:
            # As servers bind: a port only in TIME_WAIT (the last run's connections) is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError("no free TCP port on 127.0.0.1")


def wait_for(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _postgres_bin() -> Path:
    """The PostgreSQL server programs: PG_BIN, or Debian's newest /usr/lib/postgresql/<version>/bin."""
    if configured := os.environ.get("PG_BIN"):
        return Path(configured)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise RuntimeError("PostgreSQL server programs not found: install postgresql or set PG_BIN")
    return versions[-1].parent


class Postgres:
    """A throwaway cluster: initdb into `home`, trust authentication, 127.0.0.1:`port` only."""

    def __init__(self, home: Path, port: int, log: Path) -> None:
        self.home, self.data, self.port, self.log = home, home / "data", port, log
        self.bin = _postgres_bin()
        # initdb and postgres refuse to run as root; a drill started as root runs them as `postgres`.
        self._as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _tool(self, name: str, *args: str) -> None:
        # Output to a file, never a pipe: pg_ctl's server would inherit the pipe and hold it open.
        with self.log.open("ab") as log:
            subprocess.run(
                [*self._as_owner, str(self.bin / name), *args], stdout=log, stderr=subprocess.STDOUT, check=True
            )

    def start(self) -> None:
        self.home.mkdir(parents=True)
        if self._as_owner:
            shutil.chown(self.home, "postgres", "postgres")
        self._tool("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.home}"
        self._tool("pg_ctl", "-D", str(self.data), "-l", str(self.home / "server.log"), "-o", options, "-w", "start")

    def restart(self) -> None:
        """What an operator's restart does: `-m fast` ends every session and aborts open transactions."""
        self._tool("pg_ctl", "-D", str(self.data), "-l", str(self.home / "server.log"), "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._tool("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def connect(self, database: str) -> Any:
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database)

    def create_database(self, name: str) -> None:
        conn = self.connect("postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()

    def server_log(self) -> str:
        path = self.home / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


class Redis:
    """A Redis of the drill's own, without persistence — like the review's: a restart forgets everything."""

    def __init__(self, home: Path, port: int, log: Path) -> None:
        self.home, self.port, self.log = home, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--daemonize", "no", "--dir", str(self.home)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_for(self.answers, 10, "Redis to answer")

    def stop(self) -> None:
        """SIGTERM: Redis shuts down at once and, with nothing to save, forgets every message."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def answers(self) -> bool:
        try:
            return bool(self._client().ping())
        except redis.RedisError:
            return False

    def waiting_messages(self) -> int:
        """Task messages in Redis: the queue (and its priority lists), plus those a worker took but hasn't
        acknowledged (kombu's `unacked` hash) — everything a restart without persistence would lose."""
        client = self._client()
        queued = sum(int(client.llen(key)) for key in client.scan_iter("celery*") if client.type(key) == b"list")
        return queued + int(client.hlen("unacked"))


@dataclass(frozen=True)
class Arrival:
    at: float  # time.time() when the mail server accepted the message (its "250" to the end of DATA)
    recipient: str


class MailServer:
    """An SMTP server in a thread of the drill, with a behaviour the scenarios switch: accept, or answer 451
    (a temporary failure, as a greylisting or overloaded server does), optionally slowly."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mode: Literal["accept", "451"] = "accept"
        # Seconds spent before answering each RCPT: the delay comes *before* acceptance, so a worker killed
        # during it has sent nothing; only the short moment after "250" and before the row is marked sent
        # can make a duplicate.
        self.delay = 0.0
        self.refused = 0
        self._arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._controller.stop()

    def arrivals(self) -> list[Arrival]:
        with self._lock:
            return list(self._arrivals)

    # aiosmtpd calls these hooks by name.
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.mode == "451":
            with self._lock:
                self.refused += 1
            return "451 4.3.0 Temporary local problem, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = time.time()
        with self._lock:
            self._arrivals.extend(Arrival(at=at, recipient=rcpt.lower()) for rcpt in envelope.rcpt_tos)
        return "250 2.0.0 Message accepted for delivery"


class CeleryProcess:
    """`celery -A recovery worker|beat` as a real process in a process group of its own, so SIGKILL takes
    the pool's children with it, as a killed container or an OOM-killed machine would."""

    def __init__(self, role: Literal["worker", "beat"], args: list[str], env: dict[str, str], log: Path) -> None:
        self.role, self.args, self.env, self.log = role, args, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout: float = 60) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "recovery", self.role, *self.args],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        ready = b" ready." if self.role == "worker" else b"beat: Starting..."

        def started() -> bool:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"the {self.role} exited at start; see {self.log}")
            with self.log.open("rb") as log:
                log.seek(offset)
                return ready in log.read()

        wait_for(started, ready_timeout, f"the {self.role} to start", interval=0.1)

    def kill(self) -> None:
        """SIGKILL to the whole process group: no warm shutdown, no acknowledgements, no cleanup."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        self.kill()  # anything of the group still there (a pool child) goes too
