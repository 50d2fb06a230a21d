""" "Download my data": everything a person wrote in Mend, and what their partner shared with them, as a
zip of readable pages (one per kind, opening offline, no scripts) and one JSON file for machines.

- Asked for on the "Your data" page (after signing in again); built by a Celery task (`build`), kept
  encrypted with the entry keys in its DataExport row for DATA_EXPORT_VALID_HOURS, announced by a
  discreet e-mail, then deleted (erasure.expire_exports).
- What it holds (`collect`): the person's own entries from every space they have been in; from the
  space they are in now, what their partner shared with them — read through the same access rules as
  every page (`visible_to`), so "only me" never reaches the partner here either. From a closed space,
  only their own: nothing of one partner stays with the other after parting.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from celery import current_app
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recovery import entry_crypto, outbox
from recovery.access import SHARED, Visibility, membership_of, other_partner
from recovery.models import (
    AuditEvent,
    CareConsent,
    CareTeamAccess,
    DataExport,
    Delivery,
    Invitation,
    Partner,
    TherapistProfile,
    User,
)

logger = logging.getLogger(__name__)

FORMAT = "mend-export/1"
FOLDER = "mend-data"
# A job whose broker message was lost is started again after this; one still pending after STUCK_FOR
# (a worker killed every time) is given up, and the person can ask again.
RING_AGAIN_AFTER = timedelta(minutes=15)
GIVE_UP_AFTER = timedelta(hours=2)

# The pages of the export, in the order the index lists them: (file name, title).
PAGES = [
    ("profile", gettext_lazy("Your profile and account")),
    ("check-ins", gettext_lazy("Daily check-ins")),
    ("weekly-reviews", gettext_lazy("Weekly reviews")),
    ("triggers", gettext_lazy("Triggers and dates that matter")),
    ("plan-steps", gettext_lazy("Plan steps and notes")),
    ("stages", gettext_lazy("Stages")),
    ("rituals", gettext_lazy("Table of Trust")),
    ("agreement", gettext_lazy("Transparency agreement")),
    ("wish-notes", gettext_lazy("Wish notes")),
    ("reminders", gettext_lazy("Reminders and e-mails")),
    ("therapists", gettext_lazy("Therapist access")),
    ("audit", gettext_lazy("Who has seen your data")),
]


class ExportError(Exception):
    """Shown to the person as it is."""


# --- asking for one ----------------------------------------------------------------------------


def request_export(*, user: User) -> DataExport:
    """Start preparing a download; the one already being prepared if there is one."""
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
    except IntegrityError:
        return DataExport.objects.get(user=user, status=DataExport.Status.PENDING)
    transaction.on_commit(lambda: ring(export.pk), robust=True)
    return export


# The Celery task that builds a download, rung by name (recovery/tasks.py registers it under this constant).
BUILD_TASK = "mend.build_data_export"


def ring(export_id: int) -> None:
    build_data_export = current_app.tasks[BUILD_TASK]

    try:
        build_data_export.apply_async((export_id,))
    except Exception:  # a refusing broker: the upkeep task rings again
        logger.warning("The broker refused data export %s; it is started again later.", export_id, exc_info=True)


def ring_stuck(now: datetime) -> int:
    """Start again jobs whose message was lost; give up on ones that never finish."""
    DataExport.objects.filter(status=DataExport.Status.PENDING, requested_at__lte=now - GIVE_UP_AFTER).update(
        status=DataExport.Status.FAILED, error="never finished"
    )
    stuck = list(
        DataExport.objects.filter(
            status=DataExport.Status.PENDING, requested_at__lte=now - RING_AGAIN_AFTER
        ).values_list("pk", flat=True)
    )
    for export_id in stuck:
        ring(export_id)
    return len(stuck)


def latest_for(user: User) -> DataExport | None:
    """The person's most recent download, if it is still there (a pending, ready or failed one)."""
    return (
        DataExport.objects.filter(user=user)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .defer("content")
        .order_by("-requested_at")
        .first()
    )


def discard(*, user: User) -> int:
    deleted, _by_model = DataExport.objects.filter(user=user).delete()
    return deleted


# --- building it (the task) ----------------------------------------------------------------------


def build(export_id: int) -> str:
    export = DataExport.objects.select_related("user").defer("content").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return "nothing to do"  # built already, discarded, or the account was closed meanwhile
    user = export.user
    if not user.is_active:
        DataExport.objects.filter(pk=export_id).delete()
        return "account closed"
    try:
        now = timezone.now()
        archive = render_zip(user, collect(user), now)
        expires_at = now + timedelta(hours=settings.DATA_EXPORT_VALID_HOURS)
        with transaction.atomic():
            done = DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
                status=DataExport.Status.READY,
                content=entry_crypto.encrypt_bytes(archive),
                size=len(archive),
                ready_at=now,
                expires_at=expires_at,
            )
            if done != 1:
                return "nothing to do"
            # One download at a time: the new one replaces any earlier one.
            DataExport.objects.filter(user=user).exclude(pk=export_id).delete()
            outbox.queue(kind=READY_EMAIL.name, period=str(export_id), user=user, expires_at=expires_at, payload=None)
    except Exception as exc:
        logger.exception("Data export %s could not be built.", export_id)
        DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
            status=DataExport.Status.FAILED, error=f"{type(exc).__name__}"[:200]
        )
        return "failed"
    return "ready"


def content_of(export: DataExport) -> bytes:
    return entry_crypto.decrypt_bytes(bytes(export.content))


def filename_for(export: DataExport) -> str:
    day = (export.ready_at or export.requested_at).astimezone(ZoneInfo(export.user.time_zone)).date()
    return f"mend-data-{day.isoformat()}.zip"


# --- what it holds -------------------------------------------------------------------------------


def collect(user: User) -> dict[str, Any]:
    """Everything the export holds, as plain data: the JSON file as it is, and what the pages show."""
    from checkins.models import (
        DailyCheckIn,
        DateThatMatters,
        HolidayNote,
        NotificationSettings,
        Reminder,
        Trigger,
        WeeklyReview,
    )
    from plans.models import AgreementItem, Completion, Readiness, Ritual, StageChange, WishNote

    membership = membership_of(user)
    current = membership.couple if membership is not None and not user.is_therapist else None
    partner = other_partner(user) if current is not None else None
    partner_name = partner.user.get_short_name() if partner is not None else ""
    my_spaces = list(Partner.objects.filter(user=user).select_related("couple").order_by("joined_at"))
    space_ids = [m.couple_id for m in my_spaces]

    def by(author_id: int | None) -> str:
        if author_id == user.pk:
            return "you"
        return "partner" if author_id is not None else "someone who has left"

    def shared(model: Any) -> Any:
        """The partner's entries the person may see now, through the one place that decides it."""
        if current is None:
            return model.objects.none()
        return model.objects.visible_to(user).filter(couple=current, visibility__in=SHARED).exclude(author=user)

    check_ins = [
        *DailyCheckIn.objects.filter(author=user).order_by("local_date"),
        *shared(DailyCheckIn).order_by("local_date"),
    ]
    reviews = [
        *WeeklyReview.objects.filter(author=user).order_by("week_start"),
        *shared(WeeklyReview).order_by("week_start"),
    ]
    completions = [
        *Completion.objects.filter(author=user).select_related("step__stage").order_by("done_on", "created_at"),
        *shared(Completion).exclude(step__private=True).select_related("step__stage").order_by("done_on"),
    ]
    return {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "about": (
            "Everything you wrote in Mend, and what your partner shared with you in the space you share now. "
            "Times are UTC; the pages show them in your own time zone."
        ),
        "profile": _profile(user),
        "spaces": [
            {
                "space": m.couple_id,
                "role": m.role,
                "role_words": str(m.get_role_display()),
                "joined_at": m.joined_at,
                "left_at": m.left_at,
                "status": m.couple.status,
                "current": current is not None and m.couple_id == current.pk,
                "partner_name": partner_name if current is not None and m.couple_id == current.pk else "",
                "closed_because_a_partner_left": m.couple.ended_by_leaving,
            }
            for m in my_spaces
        ],
        "partner_name": partner_name,
        "invitations_sent": [
            {
                "space": i.couple_id,
                "email": i.email,
                "sent_at": i.sent_at,
                "expires_at": i.expires_at,
                "accepted_at": i.accepted_at,
                "cancelled_at": i.cancelled_at,
            }
            for i in Invitation.objects.filter(invited_by=user).order_by("created_at")
        ],
        "check_ins": [_check_in(c, by(c.author_id)) for c in check_ins],
        "weekly_reviews": [_review(r, by(r.author_id)) for r in reviews],
        "plan_steps": [_completion(c, by(c.author_id)) for c in completions],
        "triggers": [
            _trigger(t, by(t.author_id))
            for t in [
                *Trigger.objects.filter(author=user).order_by("occurred_at"),
                *shared(Trigger).order_by("occurred_at"),
            ]
        ],
        "dates_that_matter": [
            {
                "space": d.couple_id,
                "by": by(d.author_id),
                "label": d.label,
                "date": d.on,
                "yearly": d.yearly,
                **_visibility(d, by(d.author_id)),
                "written_at": d.created_at,
            }
            for d in [
                *DateThatMatters.objects.filter(author=user).order_by("on"),
                *shared(DateThatMatters).order_by("on"),
            ]
        ],
        "holiday_notes": sorted(HolidayNote.objects.filter(user=user).values_list("holiday", flat=True)),
        "readiness": [
            {"space": r.couple_id, "ready_for_stage": r.for_stage, "at": r.at}
            for r in Readiness.objects.filter(user=user).order_by("at")
        ],
        "stage_changes": [
            {
                "space": s.couple_id,
                "at": s.at,
                "from_stage": s.from_stage,
                "to_stage": s.to_stage,
                "reason": s.reason,
                "by": by(s.by_id),
            }
            for s in StageChange.objects.filter(
                Q(couple=current) | Q(couple_id__in=space_ids, by=user) if current else Q(by=user)
            ).order_by("at", "pk")
        ],
        "rituals": [
            _ritual(r, user, by, in_current=current is not None and r.couple_id == current.pk)
            for r in Ritual.objects.filter(
                Q(couple=current) | Q(created_by=user) if current else Q(created_by=user)
            ).prefetch_related("dates_done")
        ],
        "agreement": [
            _agreement_item(item, user, by, in_current=current is not None and item.couple_id == current.pk)
            for item in AgreementItem.objects.filter(
                Q(couple=current) | Q(proposed_by=user) if current else Q(proposed_by=user)
            )
            .prefetch_related("changes")
            .order_by("proposed_at")
        ],
        "wish_notes": [
            {"space": n.couple_id, "by": by(n.author_id), "text": n.text, "written_at": n.created_at}
            for n in WishNote.objects.filter(
                Q(couple=current) | Q(author=user) if current else Q(author=user)
            ).order_by("created_at")
        ],
        "reminders": {
            "reminders": [
                {
                    "kind": r.kind,
                    "kind_words": str(r.get_kind_display()),
                    "on": r.enabled,
                    "local_time": r.local_time,
                    "weekday": r.weekday,
                    "next_due_at": r.next_due_at,
                }
                for r in Reminder.objects.filter(user=user).order_by("kind")
            ],
            "settings": [
                {
                    "paused_until": s.paused_until,
                    "partner_ready_updates": s.partner_ready,
                    "reviews_ready_updates": s.reviews_ready,
                }
                for s in NotificationSettings.objects.filter(user=user)
            ],
        },
        "therapists": _therapists(user, current, space_ids, by),
        "audit": _audit(user, space_ids),
    }


def _profile(user: User) -> dict[str, Any]:
    therapist = TherapistProfile.objects.filter(user=user).first()
    return {
        "email": user.email,
        "name": user.display_name,
        "time_zone": user.time_zone,
        "default_visibility": user.default_visibility,
        "shows_check_in_presence": user.shows_check_in_presence,
        "joined_at": user.date_joined,
        "last_login_at": user.last_login,
        "safety_check_first_offered_at": user.safety_check_offered_at,
        "safety_check_last_offered_at": user.safety_check_last_offered_at,
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        # Which kinds of two-step sign-in are on, never their secrets.
        "two_step_sign_in": [
            {"type": a.type, "added_at": a.created_at, "last_used_at": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "signed_in_devices": [
            {"ip_address": s.ip, "browser": s.user_agent, "signed_in_at": s.created_at, "last_seen_at": s.last_seen_at}
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
        "therapist_profile": (
            {"practice": therapist.practice, "registration": therapist.registration, "created_at": therapist.created_at}
            if therapist is not None
            else None
        ),
    }


def _visibility(entry: Any, by: str) -> dict[str, Any]:
    if by == "you":
        words = str(entry.get_visibility_display())
    elif entry.visibility == Visibility.PARTNER_AND_THERAPIST:
        words = _("Shared with you and your therapist")
    else:
        words = _("Shared with you")
    return {"visibility": entry.visibility, "visibility_words": words}


def _check_in(c: Any, by: str) -> dict[str, Any]:
    return {
        "space": c.couple_id,
        "by": by,
        "date": c.local_date,
        "mood": c.mood,
        "mood_words": str(c.get_mood_display()),
        "trust": c.trust,
        "closeness": c.closeness,
        "high": c.high,
        "low": c.low,
        "to_talk_through": c.to_talk_through,
        "trigger": c.trigger,
        "trigger_note": c.trigger_note,
        "shared_unprompted": c.shared_unprompted,
        **_visibility(c, by),
        "written_at": c.created_at,
        "changed_at": c.updated_at,
    }


def _trigger(t: Any, by: str) -> dict[str, Any]:
    return {
        "space": t.couple_id,
        "by": by,
        "occurred_at": t.occurred_at,
        "date": t.local_date,
        "strength": t.strength,
        "what_happened": t.what_happened,
        "what_helped": t.what_helped,
        **_visibility(t, by),
        "partner_said_here_at": t.here_at,
        "written_at": t.created_at,
    }


def _review(r: Any, by: str) -> dict[str, Any]:
    from checkins.measures import CSI4_ITEMS, is_distressed

    return {
        "space": r.couple_id,
        "by": by,
        "week_starting": r.week_start,
        "what_worked": r.what_worked,
        "what_was_hard": r.what_was_hard,
        "small_victory": r.small_victory,
        "appreciation": r.appreciation,
        "accountability": r.accountability,
        "csi4": {item.key.removeprefix("csi_"): getattr(r, item.key) for item in CSI4_ITEMS},
        "csi4_total": r.csi_total,
        "csi4_below_distress_line": is_distressed(r.csi_total),
        **_visibility(r, by),
        "written_at": r.created_at,
        "changed_at": r.updated_at,
    }


def _completion(c: Any, by: str) -> dict[str, Any]:
    return {
        "space": c.couple_id,
        "by": by,
        "stage": c.step.stage.number,
        "step": c.step.slug,
        "step_title": c.step.title,
        "done_on": c.done_on,
        "period": c.period,
        "note": c.note,
        **_visibility(c, by),
    }


def _ritual(r: Any, user: User, by: Any, *, in_current: bool) -> dict[str, Any]:
    return {
        "space": r.couple_id,
        "i_miss": r.text,
        "added_by": by(r.created_by_id),
        "added_at": r.created_at,
        "archived_at": r.archived_at,
        # In a closed space, only the dates the person marked themselves.
        "dates_done": [
            {"date": d.done_on, "by": by(d.by_id)}
            for d in sorted(r.dates_done.all(), key=lambda d: d.done_on)
            if in_current or d.by_id == user.pk
        ],
    }


def _agreement_item(item: Any, user: User, by: Any, *, in_current: bool) -> dict[str, Any]:
    history = []
    for change in sorted(item.changes.all(), key=lambda c: (c.at, c.pk)):
        if not in_current and change.by_id != user.pk:
            continue  # in a closed space, only the person's own steps
        # As on the agreement page: who withdrew their agreement is never said, unless it was you.
        who = by(change.by_id) if change.action != "ended" or change.by_id == user.pk else ""
        history.append(
            {"at": change.at, "action": change.action, "action_words": str(change.get_action_display()), "by": who}
        )
    return {
        "space": item.couple_id,
        "area": item.area,
        "area_words": str(item.get_area_display()),
        "text": item.text,
        "asks_of": item.asks_of,
        "status": item.status,
        "status_words": str(item.get_status_display()),
        "proposed_by": by(item.proposed_by_id),
        "proposed_at": item.proposed_at,
        "decided_at": item.decided_at,
        "review_on": item.review_on,
        "history": history,
    }


def _therapists(user: User, current: Any, space_ids: list[int], by: Any) -> dict[str, Any]:
    accesses = (
        CareTeamAccess.objects.filter(
            Q(couple=current) | Q(couple_id__in=space_ids, invited_by=user) if current else Q(invited_by=user)
        )
        .select_related("therapist__therapist_profile")
        .order_by("created_at")
    )
    mine = CareTeamAccess.objects.filter(therapist=user).order_by("accepted_at")
    return {
        "access": [
            {
                "space": a.couple_id,
                "email": a.email,
                "therapist_name": a.therapist.get_short_name() if a.therapist else "",
                "practice": getattr(getattr(a.therapist, "therapist_profile", None), "practice", ""),
                "invited_by": by(a.invited_by_id),
                "invited_at": a.created_at,
                "accepted_at": a.accepted_at,
                "ended_at": a.ended_at,
            }
            for a in accesses
        ],
        "your_consents": [
            {"access": c.access_id, "space": c.access.couple_id, "given_at": c.given_at}
            for c in CareConsent.objects.filter(partner=user).select_related("access").order_by("given_at")
        ],
        "as_a_therapist": [{"space": a.couple_id, "accepted_at": a.accepted_at, "ended_at": a.ended_at} for a in mine],
    }


def _audit(user: User, space_ids: list[int]) -> dict[str, Any]:
    """Every look a therapist took at the person's spaces (names while the therapist's access row exists,
    otherwise "A former therapist"), and, for a therapist, every look they took themselves."""
    names = {
        (a.couple_id, a.therapist_id): a.therapist.get_short_name()
        for a in CareTeamAccess.objects.filter(couple_id__in=space_ids, therapist__isnull=False).select_related(
            "therapist"
        )
        if a.therapist is not None
    }
    former = _("A former therapist")
    return {
        "about_your_spaces": [
            {
                "space": e.couple_id,
                "at": e.at,
                "what": e.what,
                "therapist": names.get((e.couple_id, e.therapist_id), former),
            }
            for e in AuditEvent.objects.filter(couple_id__in=space_ids).order_by("at", "pk")
        ],
        "your_own_looks": [
            {"space": e.couple_id, "at": e.at, "what": e.what, "ip_address": e.ip_address}
            for e in AuditEvent.objects.filter(therapist_id=user.pk).order_by("at", "pk")
        ],
    }


# --- the zip ---------------------------------------------------------------------------------------


def render_zip(user: User, data: dict[str, Any], now: datetime) -> bytes:
    buffer = io.BytesIO()
    with (
        translation.override(settings.LANGUAGE_CODE),
        timezone.override(ZoneInfo(user.time_zone)),
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        context = {
            "data": data,
            "pages": PAGES,
            "name": user.get_short_name(),
            "generated": now,
            "time_zone": user.time_zone,
        }
        archive.writestr(f"{FOLDER}/index.html", render_to_string("export/index.html", context))
        for slug, title in PAGES:
            page = render_to_string(f"export/{slug}.html", {**context, "slug": slug, "title": title})
            archive.writestr(f"{FOLDER}/{slug}.html", page)
        archive.writestr(f"{FOLDER}/data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    return buffer.getvalue()


# --- the "your download is ready" e-mail ------------------------------------------------------------


def _ready_context(delivery: Delivery, payload: dict[str, Any]) -> dict[str, Any]:
    export = DataExport.objects.defer("content").filter(pk=int(delivery.period)).first()
    until = export.expires_at if export is not None and export.expires_at else timezone.now()
    assert delivery.user is not None
    return {
        "data_url": outbox.site_url(reverse("my_data")),
        "until": date_format(until.astimezone(ZoneInfo(delivery.user.time_zone)), "j F Y, H:i"),
    }


def _ready_still_wanted(delivery: Delivery, payload: dict[str, Any]) -> str:
    export = DataExport.objects.defer("content").filter(pk=int(delivery.period)).first()
    if export is None or export.status != DataExport.Status.READY:
        return "the download was deleted or replaced"
    return ""


READY_EMAIL = outbox.register(
    outbox.Kind(
        name="data_export_ready", template="data_export_ready", context=_ready_context, still_wanted=_ready_still_wanted
    )
)
