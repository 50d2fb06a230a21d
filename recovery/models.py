"""The couple account: people, the couple space they share, and invitations to it."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recovery.access import CoupleScopedQuerySet, InvitationQuerySet


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(_("Choose a time zone from the list, such as Europe/London."), code="invalid")


def available_time_zones() -> frozenset[str]:
    return _TIME_ZONES


# Legacy aliases like "US/Pacific" or "Brazil/East" are valid for zoneinfo but confusing in a list:
# offer the canonical Area/Location names (from the tzdata package, so every machine has the same list).
_AREAS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/")
_TIME_ZONES = frozenset(name for name in zoneinfo.available_timezones() if name.startswith((*_AREAS, "Pacific/"))) | {
    "UTC"
}


class ChecksValidatedByFields(models.Model):
    """A model whose check constraints tell the database rules its fields already validate in Python (choices,
    smallest and largest values). The constraints stay the database's last word; `full_clean` (every form's
    validation) doesn't ask the database to evaluate them again, one `SELECT 1 WHERE …` each, as Django does
    for every check constraint. Unique constraints are validated as before. tests/recovery/test_constraints.py
    breaks each check constraint of every such model and holds that `full_clean` refuses it with no query."""

    class Meta:
        abstract = True

    def get_constraints(self) -> list[tuple[type[models.Model], Sequence[models.BaseConstraint]]]:
        """The constraints `validate_constraints` checks: all but the check constraints (see above)."""
        return [
            (model, [c for c in constraints if not isinstance(c, models.CheckConstraint)])
            for model, constraints in super().get_constraints()
        ]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: object) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: object) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address: a partner, or a therapist."""

    email = models.EmailField(_("e-mail address"), unique=True)  # 254 characters, as RFC 5321 allows
    display_name = models.CharField(
        _("your name"), max_length=60, help_text=_("How Mend and your partner will address you.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    default_visibility = models.CharField(
        _("who sees my entries, unless I choose otherwise"),
        max_length=10,
        choices=[("only_me", _("Only me")), ("partner", _("Me and my partner")),
                 ("therapist", _("My partner and our therapist too"))],
        default="partner",
    )  # fmt: skip
    # When the private safety question was first, and last, offered. The answer itself is never stored.
    safety_check_offered_at = models.DateTimeField(null=True, blank=True)
    safety_check_last_offered_at = models.DateTimeField(null=True, blank=True)
    # What the partner may see of this person beyond the entries they share: off unless they turn it on,
    # so Mend never becomes a way to monitor whether someone has "done their check-in".
    shows_check_in_presence = models.BooleanField(
        _("Let my partner see whether I've shared a check-in today"),
        default=False,
        help_text=_("Off unless you turn it on. Your partner always sees the entries you choose to share."),
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Closing an account (recovery/composition/closing.py): signed out and inactive at once, restorable from a link
    # e-mailed then (only its hash is kept) until ACCOUNT_RESTORE_DAYS have passed, then erased.
    closed_at = models.DateTimeField(null=True, blank=True)
    restore_token_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [
            # erasure.erase_due_accounts: `WHERE closed_at <= now - 14 days` reads only closed accounts.
            models.Index(fields=["closed_at"], condition=models.Q(closed_at__isnull=False), name="user_closed"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return User.short_name(self.display_name, self.email)

    @staticmethod
    def short_name(display_name: str, email: str) -> str:
        """The name a page calls someone by, from the two fields it comes from (for pages that read them as rows)."""
        return display_name or email.split("@")[0]

    @cached_property
    def is_therapist(self) -> bool:
        if not self.pk:
            return False
        profile = User.therapist_profile.related
        if profile.is_cached(self):  # read with the person (recovery/auth_backends.py): no query
            return profile.get_cached_value(self) is not None
        return TherapistProfile.objects.filter(user_id=self.pk).exists()


class TherapistProfile(models.Model):
    """Marks a user as a therapist; couples invite them to a read-only view (see the care pages)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="therapist_profile")
    practice = models.CharField(_("practice"), max_length=120, blank=True)
    registration = models.CharField(_("licence or registration"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} ({self.practice})" if self.practice else str(self.user)


class Couple(models.Model):
    """The shared space of two partners."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    # A space its partners still use (and a therapist may see): active, or paused for a while; never ended.
    OPEN_STATUSES = (Status.ACTIVE, Status.PAUSED)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    hurt_is_mutual = models.BooleanField(default=False, help_text=_("Both partners were hurt; both set the pace."))
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Closed because a partner closed their account: the other is told only that their partner left.
    ended_by_leaving = models.BooleanField(default=False)
    # When a trigger shared in this couple was last saved (checkins.models.Trigger.save): never earlier than
    # any shared trigger's creation. Read with the membership on every page, it spares the look for the
    # partner's open trigger prompts on the days no shared trigger can be recent enough to prompt.
    shared_trigger_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CoupleScopedQuerySet.as_manager()
    couple_lookup = "pk"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "paused", "ended"]), name="couple_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Couple {self.pk}"

    @property
    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED


class Partner(models.Model):
    """A user's membership of a couple, with the role they hold in it."""

    class Role(models.TextChoices):
        HURT = "hurt", _("the partner who was hurt")
        INVOLVED = "involved", _("the partner who had the affair")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="partners")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    # Seat 1 created the space, seat 2 accepted the invitation: the constraint caps a couple at two.
    seat = models.PositiveSmallIntegerField()
    joined_at = models.DateTimeField(default=timezone.now)
    # Set when the couple space ends, so the person may start afresh (one current couple at a time).
    left_at = models.DateTimeField(null=True, blank=True)

    objects = CoupleScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["couple", "seat"], name="partner_one_per_seat"),
            models.CheckConstraint(condition=models.Q(seat__in=[1, 2]), name="partner_seat_1_or_2"),
            models.CheckConstraint(condition=models.Q(role__in=["hurt", "involved"]), name="partner_role_valid"),
            # A person belongs to at most one current couple.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(left_at__isnull=True), name="partner_one_current_couple"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.couple} ({self.role})"

    @property
    def is_pace_setter(self) -> bool:
        return self.role == self.Role.HURT


class Invitation(models.Model):
    """A single-use, expiring invitation for the second partner to join a couple space.

    Only a hash of the secret is stored; the link carries the secret, signed (see invitations.py).
    """

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("your partner's e-mail address"))
    invited_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            # One open invitation per couple: a new address replaces (cancels) the old one.
            models.UniqueConstraint(
                fields=["couple"],
                condition=models.Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="invitation_one_open_per_couple",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.email} ({self.status})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.cancelled_at:
            return "cancelled"
        if self.is_expired():
            return "expired"
        return "pending"

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class CareTeamAccess(models.Model):
    """A therapist's read-only view of one couple: invited by a partner, active only while BOTH current
    partners have consented and nobody has revoked it. Either partner, or the therapist, can end it."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="care_team")
    email = models.EmailField(_("your therapist's e-mail address"))
    therapist = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="care_accesses"
    )  # set when the therapist accepts the invitation
    invited_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = CoupleScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            # One open access per couple and therapist address.
            models.UniqueConstraint(
                fields=["couple", "email"], condition=models.Q(ended_at__isnull=True), name="care_one_open_per_email"
            ),
        ]
        indexes = [models.Index(fields=["therapist"], condition=models.Q(ended_at__isnull=True), name="care_open")]

    def __str__(self) -> str:
        return f"Care access {self.pk} ({self.email})"


class CareConsent(models.Model):
    """One partner's agreement to a care-team access. Inviting counts as agreeing."""

    access = models.ForeignKey(CareTeamAccess, on_delete=models.CASCADE, related_name="consents")
    partner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["access", "partner"], name="consent_once_per_partner")]

    def __str__(self) -> str:
        return f"Consent of user {self.partner_id} to access {self.access_id}"


class AuditEvent(models.Model):
    """A therapist looked at a couple's data: who, which couple, what, when, from where — never content.

    The app never edits or deletes these; on PostgreSQL a trigger refuses UPDATE and DELETE outright.
    """

    couple = models.ForeignKey(Couple, on_delete=models.DO_NOTHING, related_name="audit_events", db_constraint=False)
    therapist = models.ForeignKey(User, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    what = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = CoupleScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["couple", "-at"], name="audit_couple_latest")]

    def __str__(self) -> str:
        return f"{self.therapist_id} viewed {self.what} of couple {self.couple_id}"


class Delivery(models.Model):
    """One e-mail Mend sends, from any part of the app: the row that makes it exactly-once and lets the
    outbox heal itself after a lost broker message, a restarted Redis or a killed worker (see outbox.py).

    It never holds a message's words: reminders and updates are built when they are sent; a message that
    carries a secret link (an invitation, an account e-mail) keeps its variable parts sealed in `payload`
    (encrypted with a key derived from SECRET_KEY) only until it is sent, failed or cancelled.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")  # not sent, and no longer worth sending; `error` says why
        CANCELLED = "cancelled", _("Cancelled")  # the person no longer wants it (paused, turned off, done)

    # The recipient: a person with an account, or (invitations, account e-mails) just an address.
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField(blank=True)
    kind = models.CharField(max_length=32)
    period = models.CharField(max_length=64)  # what makes it once-only within its kind: "2026-11-21", "2026-W47", …
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text=_("After this it is no longer worth sending."))
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    payload = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"], condition=models.Q(user__isnull=False), name="delivery_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["address", "kind", "period"],
                condition=models.Q(user__isnull=True),
                name="delivery_once_per_address",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(address=""), name="delivery_has_recipient"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed", "cancelled"]),
                name="delivery_status_valid",
            ),
        ]
        indexes = [
            # outbox.heal: `WHERE status IN ('pending', 'sending') AND next_attempt_at <= …` reads only open rows.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="delivery_open",
            ),
        ]

    def __str__(self) -> str:  # never the content
        return f"{self.kind} {self.period} ({self.status})"


class DataExport(models.Model):
    """A person's "Download my data": built in the background, kept encrypted (entry keys) for a day.

    The zip lives in this row rather than on a disk: any web process can serve it whatever host built it,
    erasing it is one DELETE, and a backup taken meanwhile holds ciphertext only.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Couldn't be prepared")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    content = models.BinaryField(default=bytes, editable=False)  # the zip, Fernet-encrypted
    size = models.PositiveIntegerField(default=0)  # of the zip, in bytes
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="export_one_pending_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "ready", "failed"]), name="export_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Data export {self.pk} ({self.status})"


class SessionDate(models.Model):
    """When a therapist last saw a couple, as the therapist sets it: their session brief shows what changed
    since then (see recovery/care/session_brief.py). The therapist's own note; it holds nothing of the couple's."""

    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    last_session_on = models.DateField(_("Our last session was on"))
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["therapist", "couple"], name="session_date_one_per_pair")]

    def __str__(self) -> str:
        return f"Last session of therapist {self.therapist_id} with couple {self.couple_id}"
