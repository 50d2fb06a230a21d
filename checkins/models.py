"""Daily check-ins and weekly reviews: each one partner's entry, with its own visibility."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkins import phq9
from checkins.measures import CSI4_ITEMS, CSI4_KEYS, csi4_row_total
from checkins.reveal import RevealedTogetherQuerySet
from recovery.access import (
    SHARED,
    EntryQuerySet,
    OwnVisibility,
    PartnerOnlyQuerySet,
    SelfAndTherapistQuerySet,
    ToBringQuerySet,
    TriggerQuerySet,
    Visibility,
)
from recovery.fields import EncryptedTextField
from recovery.models import ChecksValidatedByFields, Couple

MOOD_CHOICES = [
    (1, _("Very low")),
    (2, _("Low")),
    (3, _("Okay")),
    (4, _("Good")),
    (5, _("Very good")),
]
VISIBILITIES = ["only_me", "partner", "therapist"]
_CSI4_MAX = {item.key: item.max_score for item in CSI4_ITEMS}


class DailyCheckIn(ChecksValidatedByFields):
    """One per partner per local date."""

    bring_marked: bool  # not a column: set by the views that list the author's entries with their toggle

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField(help_text=_("The author's own date, in their time zone."))
    mood = models.PositiveSmallIntegerField(_("My mood"), choices=MOOD_CHOICES)
    trust = models.PositiveSmallIntegerField(_("How much trust I feel today"), validators=[MaxValueValidator(10)])
    closeness = models.PositiveSmallIntegerField(_("How close I feel today"), validators=[MaxValueValidator(10)])
    high = EncryptedTextField(_("A high of today"), blank=True, max_length=1000)
    low = EncryptedTextField(_("A low of today"), blank=True, max_length=1000)
    to_talk_through = EncryptedTextField(_("Something I need to talk through"), blank=True, max_length=1000)
    trigger = models.BooleanField(_("Something triggered me today"), default=False)
    trigger_note = EncryptedTextField(_("What happened (if you'd like to say)"), blank=True, max_length=1000)
    shared_unprompted = EncryptedTextField(_("What I shared without being asked"), blank=True, max_length=1000)
    visibility = models.CharField(_("Who can see this"), max_length=10, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(fields=["author", "local_date"], name="checkin_one_per_local_date"),
            models.CheckConstraint(condition=Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_to_5"),
            models.CheckConstraint(condition=Q(trust__gte=0, trust__lte=10), name="checkin_trust_0_to_10"),
            models.CheckConstraint(condition=Q(closeness__gte=0, closeness__lte=10), name="checkin_closeness_0_to_10"),
            models.CheckConstraint(condition=Q(visibility__in=VISIBILITIES), name="checkin_visibility_valid"),
        ]
        # Home page and charts: one couple's entries over the last weeks.
        indexes = [models.Index(fields=["couple", "local_date"], name="checkin_couple_date")]

    def __str__(self) -> str:  # never the content
        return f"Check-in {self.pk} ({self.local_date})"


class WeeklyReview(ChecksValidatedByFields):
    """One per partner per week (Monday to Sunday, local), revealed to the partner together."""

    bring_marked: bool  # not a column: set by the views that list the author's entries with their toggle

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="weekly_reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(help_text=_("The Monday of the author's local week."))
    what_worked = EncryptedTextField(_("What worked this week"), blank=True, max_length=2000)
    what_was_hard = EncryptedTextField(_("What was hard"), blank=True, max_length=2000)
    small_victory = EncryptedTextField(_("A small victory"), blank=True, max_length=1000)
    appreciation = EncryptedTextField(_("Something I appreciated about you"), blank=True, max_length=1000)
    accountability = EncryptedTextField(_("Accountability"), blank=True, max_length=2000)
    # Each CSI-4 answer from 0 to its item's highest score (the check constraints below say the same).
    csi_happiness = models.PositiveSmallIntegerField(validators=[MaxValueValidator(_CSI4_MAX["csi_happiness"])])
    csi_warm = models.PositiveSmallIntegerField(validators=[MaxValueValidator(_CSI4_MAX["csi_warm"])])
    csi_rewarding = models.PositiveSmallIntegerField(validators=[MaxValueValidator(_CSI4_MAX["csi_rewarding"])])
    csi_satisfied = models.PositiveSmallIntegerField(validators=[MaxValueValidator(_CSI4_MAX["csi_satisfied"])])
    visibility = models.CharField(_("Who can see this"), max_length=10, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RevealedTogetherQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["author", "week_start"], name="review_one_per_week"),
            models.CheckConstraint(condition=Q(visibility__in=VISIBILITIES), name="review_visibility_valid"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{item.key}__gte": 0, f"{item.key}__lte": item.max_score}),
                    name=f"review_{item.key}_in_range",
                )
                for item in CSI4_ITEMS
            ],
        ]
        indexes = [models.Index(fields=["couple", "week_start"], name="review_couple_week")]

    def __str__(self) -> str:  # never the content
        return f"Weekly review {self.pk} ({self.week_start})"

    @property
    def csi_total(self) -> int:
        return csi4_row_total([getattr(self, key) for key in CSI4_KEYS])


class Reminder(models.Model):
    """A person's reminder of one kind, at a local time (and weekday), with its next UTC due time."""

    class Kind(models.TextChoices):
        DAILY_CHECK_IN = "daily", _("Daily check-in")
        WEEKLY_REVIEW = "weekly", _("Weekly review")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    local_time = models.TimeField()
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("0 is Monday; weekly only."))
    next_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_one_per_kind"),
            models.CheckConstraint(condition=Q(weekday__isnull=True) | Q(weekday__lte=6), name="reminder_weekday_0_6"),
        ]
        indexes = [
            # The sweep: `WHERE enabled AND next_due_at <= now ORDER BY next_due_at` reads only due rows.
            models.Index(fields=["next_due_at"], condition=Q(enabled=True), name="reminder_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder of user {self.user_id}"


def new_pause_token() -> str:
    return secrets.token_urlsafe(32)


class NotificationSettings(models.Model):
    """Per person: reminders paused until a date, the partner events they want by e-mail, and the secret
    of the one-click pause link in their e-mails (random, no user id in it; the person can renew it)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    paused_until = models.DateField(null=True, blank=True)
    pause_token = models.CharField(max_length=64, unique=True, default=new_pause_token, editable=False)
    partner_ready = models.BooleanField(_("when my partner is ready to talk about the next step"), default=True)
    reviews_ready = models.BooleanField(_("when our weekly reviews are ready to read together"), default=True)

    def __str__(self) -> str:
        return f"Notification settings of user {self.user_id}"


def _item_field(item: phq9.Item) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(item.text)


class Phq9Response(models.Model):
    """One PHQ-9 a person answered: theirs alone, or theirs and their therapist's — never their partner's, in
    any form (see access.SelfAndTherapistQuerySet). Scored in checkins/phq9.py."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answered_on = models.DateField(help_text=_("The author's own date, in their time zone."))
    item_1 = _item_field(phq9.ITEMS[0])
    item_2 = _item_field(phq9.ITEMS[1])
    item_3 = _item_field(phq9.ITEMS[2])
    item_4 = _item_field(phq9.ITEMS[3])
    item_5 = _item_field(phq9.ITEMS[4])
    item_6 = _item_field(phq9.ITEMS[5])
    item_7 = _item_field(phq9.ITEMS[6])
    item_8 = _item_field(phq9.ITEMS[7])
    item_9 = _item_field(phq9.ITEMS[8])
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    visibility = models.CharField(_("Who can see this"), max_length=12, choices=OwnVisibility.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SelfAndTherapistQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_on"]
        constraints = [
            models.UniqueConstraint(fields=["author", "answered_on"], name="phq9_one_per_local_date"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{item.key}__gte": 0, f"{item.key}__lte": 3}), name=f"phq9_{item.key}_0_to_3"
                )
                for item in phq9.ITEMS
            ],
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__lte=3), name="phq9_difficulty_0_to_3"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=[v.value for v in OwnVisibility]), name="phq9_visibility_never_partner"
            ),
        ]
        # A person's own trend, and the therapist's brief: one couple's (or person's) responses by date.
        indexes = [models.Index(fields=["couple", "answered_on"], name="phq9_couple_date")]

    def __str__(self) -> str:  # never the answers
        return f"PHQ-9 {self.pk} ({self.answered_on})"

    @property
    def answers(self) -> list[int]:
        return [getattr(self, item.key) for item in phq9.ITEMS]

    @property
    def total(self) -> int:
        return phq9.total(self.answers)

    @property
    def band(self) -> phq9.Band:
        return phq9.band_for(self.total)

    @property
    def needs_crisis_support(self) -> bool:
        return phq9.needs_crisis_support(self.answers)


class Phq9Offer(models.Model):
    """Whether, and when next, to offer a person the PHQ-9: a gentle offer on their own pages every two weeks,
    which they can put off or switch off."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phq9_offer")
    offered = models.BooleanField(_("Offer me the PHQ-9 every two weeks"), default=True)
    not_now_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"PHQ-9 offer of user {self.user_id}"


class ToBring(models.Model):
    """One partner wants to talk about something in their next session: a check-in or weekly review of theirs,
    or a question between them, shared with their therapist. Exactly one of the three is set."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)
    check_in = models.ForeignKey(DailyCheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(WeeklyReview, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey("plans.Question", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    objects = ToBringQuerySet.as_manager()

    class Meta:
        ordering = ["-marked_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(check_in__isnull=False, review__isnull=True, question__isnull=True)
                    | Q(check_in__isnull=True, review__isnull=False, question__isnull=True)
                    | Q(check_in__isnull=True, review__isnull=True, question__isnull=False)
                ),
                name="tobring_exactly_one_entry",
            ),
            models.UniqueConstraint(
                fields=["marked_by", "check_in"], condition=Q(check_in__isnull=False), name="tobring_check_in_once"
            ),
            models.UniqueConstraint(
                fields=["marked_by", "review"], condition=Q(review__isnull=False), name="tobring_review_once"
            ),
            models.UniqueConstraint(
                fields=["marked_by", "question"], condition=Q(question__isnull=False), name="tobring_question_once"
            ),
        ]
        indexes = [models.Index(fields=["couple", "-marked_at"], name="tobring_couple_latest")]

    def __str__(self) -> str:
        return f"To bring {self.pk} (couple {self.couple_id})"


STRENGTH_CHOICES = [
    (1, _("1 · a flicker")),
    (2, _("2")),
    (3, _("3")),
    (4, _("4")),
    (5, _("5 · overwhelming")),
]


class Trigger(models.Model):
    """A moment the pain came back, logged when it happened ("a trigger hit"): when, how strong, and if the
    person wants, what happened and what helped. Shared with the partner, it asks them — once, gently — to
    answer "I'm here" (see checkins/triggers.py); the partner's answer or "not now" closes that ask."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField(_("When"))
    local_date = models.DateField(help_text=_("The author's own date of occurred_at, in their time zone."))
    strength = models.PositiveSmallIntegerField(_("How strong"), choices=STRENGTH_CHOICES)
    what_happened = EncryptedTextField(_("What happened (if you'd like to say)"), blank=True, max_length=1000)
    what_helped = EncryptedTextField(
        _("What helped, or might help (if you'd like to say)"), blank=True, max_length=1000
    )
    visibility = models.CharField(_("Who can see this"), max_length=10, choices=Visibility.choices)
    here_at = models.DateTimeField(null=True, blank=True, help_text=_("When the partner answered “I'm here”."))
    prompt_closed_at = models.DateTimeField(null=True, blank=True, help_text=_("When the partner chose “not now”."))
    created_at = models.DateTimeField(default=timezone.now)

    objects = TriggerQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(condition=Q(strength__gte=1, strength__lte=5), name="trigger_strength_1_to_5"),
            models.CheckConstraint(condition=Q(visibility__in=VISIBILITIES), name="trigger_visibility_valid"),
        ]
        # The trigger page, the weekly counts, the caseload and the brief: one couple's triggers by date.
        indexes = [models.Index(fields=["couple", "local_date"], name="trigger_couple_date")]

    def __str__(self) -> str:  # never the words
        return f"Trigger {self.pk} ({self.local_date})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if self.visibility in SHARED:  # the couple's hint that a prompt may be open (checkins/triggers.py)
            Couple.objects.filter(pk=self.couple_id).update(shared_trigger_at=timezone.now())


class DateThatMatters(models.Model):
    """A date a person wants to be ready for (the discovery, a wedding anniversary): the label is theirs alone
    unless they share it with their partner; a therapist never sees these. In the days before, the home page
    offers a kind note and a step from the plan (checkins/dates.py); no e-mail ever names it."""

    class Visibility(models.TextChoices):
        ONLY_ME = "only_me", _("Only me")
        PARTNER = "partner", _("Me and my partner")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    label = EncryptedTextField(_("What the date is"), max_length=120)
    on = models.DateField(_("Date"))
    yearly = models.BooleanField(_("Every year"), default=True)
    visibility = models.CharField(_("Who can see this"), max_length=10, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PartnerOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["on"]
        constraints = [
            models.CheckConstraint(condition=Q(visibility__in=["only_me", "partner"]), name="date_visibility_valid"),
        ]

    def __str__(self) -> str:  # never the label
        return f"Date that matters {self.pk}"


class Holiday(models.TextChoices):
    """Fixed-date holidays a person may want a gentle note before (movable and country-dependent ones, such as
    Mother's Day, are left to their own dates)."""

    VALENTINES = "valentines", _("Valentine's Day (14 February)")
    CHRISTMAS = "christmas", _("Christmas Day (25 December)")
    NEW_YEARS_EVE = "new_years_eve", _("New Year's Eve (31 December)")


class HolidayNote(models.Model):
    """A person chose a gentle note before this holiday. Theirs alone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    holiday = models.CharField(max_length=16, choices=Holiday.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "holiday"], name="holiday_note_once"),
            models.CheckConstraint(
                condition=Q(holiday__in=["valentines", "christmas", "new_years_eve"]), name="holiday_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Holiday note {self.holiday} of user {self.user_id}"
