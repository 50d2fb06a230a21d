"""The outbox: every e-mail Mend sends — reminders, updates, invitations, account e-mails — goes
through a Delivery row and one send task, so each is sent once and none is lost on the way.

- `queue()` writes the row (once per recipient, kind and period: unique in the database) and rings the
  broker when the transaction commits. The broker is only a doorbell: the row is the truth.
- `send()` (the task) claims the row with a conditional UPDATE and a lease, re-checks that the person
  still wants the message, builds it from its kind's templates and sends it. Any error — mail server,
  database, anything — puts it back to wait with a backoff; it ends as `failed` only once the message is
  no longer worth sending (its `expires_at`), and as `cancelled` when the person no longer wants it.
- `heal()` (every minute) rings again for rows whose doorbell was lost: `pending` past a short grace (a
  broker that refused the publish, a restarted Redis) and `sending` whose lease ran out (a killed worker).

Kinds register themselves (`register`): their templates, the context they add when sent, and why a
message may no longer be wanted. The core knows no feature app; feature apps register their kinds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone

from recovery import sealing
from recovery.models import Delivery, User

logger = logging.getLogger(__name__)

# Backoff between attempts: 30 s, 1 min, 2 min, then every 3 min until the message expires. The cap
# keeps a long mail-server outage from delaying delivery by more than a few minutes once it's over.
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=3)
# A doorbell may arrive a moment before the row's time (clock skew between processes).
EARLY = timedelta(seconds=2)
HEAL_BATCH = 1000


@dataclass(frozen=True)
class Kind:
    """A kind of message. `template` names `emails/<template>_subject.txt`, `_body.txt` and `_body.html`;
    an empty `template` means the parts were rendered when queued and are sealed in the payload."""

    name: str
    template: str = ""
    # Extra template context when sent (may read the sealed payload). A "pause_url" in it adds the
    # one-click List-Unsubscribe headers (RFC 8058).
    context: Callable[[Delivery, dict[str, Any]], dict[str, Any]] | None = None
    # "" while the person still wants it; otherwise why not (recorded on the cancelled row).
    still_wanted: Callable[[Delivery, dict[str, Any]], str] | None = None


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def kind_named(name: str) -> Kind | None:
    return _KINDS.get(name)


PRE_RENDERED = register(Kind(name="account"))


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT)


def requeue_after() -> timedelta:
    return timedelta(seconds=settings.DELIVERY_REQUEUE_AFTER)


# --- queueing -----------------------------------------------------------------------------------


def queue(
    *,
    kind: str,
    period: str,
    expires_at: datetime,
    user: User | None = None,
    address: str = "",
    payload: dict[str, Any] | None = None,
) -> Delivery | None:
    """Write one delivery and ring for it on commit; None if this one was already queued (a double click,
    a second sweep, a second tab): the database's unique constraints make it once-only."""
    if kind not in _KINDS:
        raise ValueError(f"unknown delivery kind {kind!r}")
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                user=user,
                address="" if user is not None else address.strip().lower(),
                kind=kind,
                period=period,
                expires_at=expires_at,
                payload=sealing.seal(payload) if payload else "",
            )
    except IntegrityError:
        return None
    ring_on_commit([delivery.pk])
    return delivery


def queue_rendered(*, address: str, subject: str, text: str, html: str, expires_at: datetime, period: str) -> None:
    """An e-mail rendered now (allauth's account e-mails, in Mend's words), sealed until sent."""
    queue(
        kind=PRE_RENDERED.name,
        period=period,
        address=address,
        expires_at=expires_at,
        payload={"subject": subject, "text": text, "html": html},
    )


def ring_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        # robust: a broker that refuses must not break the request or the sweep; heal() rings later.
        transaction.on_commit(lambda: ring(delivery_ids), robust=True)


# After the broker refuses, stop knocking for a while: each refused publish costs a second of retries, and a
# sweep ringing hundreds of doorbells must not spend its time limit on a broker that is down. The rows are
# safe; heal() rings them once it answers again.
BROKER_REST = timedelta(seconds=30)

# The Celery task that sends one delivery. Tasks import the services they run, never the reverse: the outbox
# rings it by this name (recovery/tasks.py registers it under the same constant).
SEND_TASK = "mend.send_delivery"
_broker_refused_at: datetime | None = None


def ring(delivery_ids: Iterable[int], countdown: float | None = None) -> int:
    """Hand deliveries to the broker; returns how many it took. A refusing broker stops the loop at once,
    and for BROKER_REST seconds after (the rest wait for heal())."""
    global _broker_refused_at
    send_delivery = current_app.tasks[SEND_TASK]  # registered by recovery/tasks.py (see recovery/apps.py)

    if _broker_refused_at is not None and timezone.now() - _broker_refused_at < BROKER_REST:
        return 0
    rung = 0
    for delivery_id in delivery_ids:
        try:
            if countdown is None:
                send_delivery.apply_async((delivery_id,))
            else:
                send_delivery.apply_async((delivery_id,), countdown=countdown)
        except Exception:  # kombu raises many kinds; whatever it is, the row is safe and heal() retries
            logger.warning("The broker refused delivery %s; the outbox will ring again.", delivery_id, exc_info=True)
            _broker_refused_at = timezone.now()
            break
        rung += 1
    else:
        _broker_refused_at = None
    return rung


# --- sending ------------------------------------------------------------------------------------


def send(delivery_id: int) -> str:
    """Claim, re-check, build and send one delivery. Returns what happened, for the task's log."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now + EARLY)
            | Q(status=Delivery.Status.SENDING, next_attempt_at__lte=now)  # a lease that ran out
        )
        .update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            next_attempt_at=now + claim_timeout(),
            attempts=F("attempts") + 1,
        )
    )
    if claimed != 1:
        return "not claimed"  # sent, finished, someone else's, or not due yet: nothing to do
    delivery = Delivery.objects.select_related("user").get(pk=delivery_id)
    try:
        return _send_claimed(delivery, now)
    except Exception as exc:  # the database, a bug, anything: wait and try again, never stay "sending"
        logger.exception("Delivery %s (%s) hit an error; trying again later.", delivery.pk, delivery.kind)
        return _try_again_later(delivery, exc, now)


def _send_claimed(delivery: Delivery, now: datetime) -> str:
    if now >= delivery.expires_at:
        return _finish(delivery, Delivery.Status.FAILED, _expired_error(delivery))
    kind = _KINDS.get(delivery.kind)
    if kind is None:
        return _finish(delivery, Delivery.Status.FAILED, f"unknown kind {delivery.kind!r}")
    if delivery.user is not None and not delivery.user.is_active:
        return _finish(delivery, Delivery.Status.CANCELLED, "the account is closed")
    try:
        payload = sealing.unseal(delivery.payload)
    except sealing.Unsealable as exc:
        return _finish(delivery, Delivery.Status.FAILED, f"{exc} (SECRET_KEY changed?)")
    if kind.still_wanted is not None and (reason := kind.still_wanted(delivery, payload)):
        return _finish(delivery, Delivery.Status.CANCELLED, reason)
    try:
        message = build_message(delivery, kind, payload)
    except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
        # Our own templates are broken: retrying can't help until a new release; say so on the row.
        logger.error("Delivery %s (%s) can't be built: %s", delivery.pk, delivery.kind, exc)
        return _finish(delivery, Delivery.Status.FAILED, f"{type(exc).__name__}: {exc}")
    try:
        message.send()
    except Exception as exc:
        return _try_again_later(delivery, exc, now)
    _mark_sent(delivery.pk)
    return "sent"


def build_message(delivery: Delivery, kind: Kind, payload: dict[str, Any]) -> EmailMultiAlternatives:
    """The one e-mail builder: Mend's sender, the person's address, three templates per kind (or the
    parts rendered when queued), and the one-click pause headers when the kind offers a pause link."""
    to = delivery.user.email if delivery.user is not None else delivery.address
    headers = {"Auto-Submitted": "auto-generated"}
    if kind.template:
        context: dict[str, Any] = {"site_url": site_url("/")}
        if delivery.user is not None:
            context["name"] = delivery.user.get_short_name()
        if kind.context is not None:
            context.update(kind.context(delivery, payload))
        subject = render_to_string(f"emails/{kind.template}_subject.txt", context)
        text = render_to_string(f"emails/{kind.template}_body.txt", context)
        html = render_to_string(f"emails/{kind.template}_body.html", context)
        if pause_url := context.get("pause_url"):
            headers["List-Unsubscribe"] = f"<{pause_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        subject, text, html = payload["subject"], payload["text"], payload["html"]
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def site_url(path: str) -> str:
    """An absolute link for an e-mail (SITE_URL: e-mails are sent far from any request)."""
    return settings.SITE_URL.rstrip("/") + path


def backoff(attempts: int) -> timedelta:
    return min(FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 10), MAX_BACKOFF)


def _try_again_later(delivery: Delivery, exc: BaseException, now: datetime) -> str:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    wait = backoff(delivery.attempts)
    if now + wait >= delivery.expires_at:
        return _finish(delivery, Delivery.Status.FAILED, error)
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING, next_attempt_at=now + wait, error=error
    )
    ring([delivery.pk], countdown=wait.total_seconds())  # if this doorbell is lost too, heal() rings
    return "retry"


def _finish(delivery: Delivery, status: str, error: str) -> str:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, error=error[:1000], payload="")
    if status == Delivery.Status.FAILED:
        logger.warning("Delivery %s (%s) failed for good: %s", delivery.pk, delivery.kind, error)
    return str(status)


def _expired_error(delivery: Delivery) -> str:
    last = f" Last error: {delivery.error}" if delivery.error else ""
    return f"No longer worth sending (expired {delivery.expires_at:%Y-%m-%d %H:%M} UTC).{last}"


def _mark_sent(delivery_id: int) -> None:
    """The mail server has it: record that, even through a database restart, so the lease never runs out
    on a message already sent (which heal() would then send again)."""
    deadline = time.monotonic() + settings.DELIVERY_CLAIM_TIMEOUT / 2
    while True:
        try:
            Delivery.objects.filter(pk=delivery_id).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), error="", payload=""
            )
            return
        except DatabaseError:
            if time.monotonic() > deadline:
                logger.error("Delivery %s was sent but can't be marked sent; it may be sent twice.", delivery_id)
                raise
            close_old_connections()
            time.sleep(1)


# --- healing ------------------------------------------------------------------------------------


def heal(now: datetime | None = None) -> int:
    """Ring again for deliveries whose doorbell was lost. Returns how many were rung."""
    now = now or timezone.now()
    rung = 0
    while True:
        with transaction.atomic():
            ids = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(
                    Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now - requeue_after())
                    | Q(status=Delivery.Status.SENDING, next_attempt_at__lte=now)
                )
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:HEAL_BATCH]
            )
            # Back to waiting, due now; not rung again for another `requeue_after` if this one is lost too.
            Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING).update(
                status=Delivery.Status.PENDING, error="The sender stopped before finishing; trying again."
            )
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
        if ids:
            logger.info("Ringing again for %s deliveries.", len(ids))
            taken = ring(ids)
            rung += taken
            if taken < len(ids):
                return rung  # the broker is refusing: next minute
        if len(ids) < HEAL_BATCH:
            return rung
