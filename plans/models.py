"""The staged plan: its content (synced from content/plan.toml) and each couple's progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans import load
from recovery.access import CoupleAndTherapistQuerySet, CoupleScopedQuerySet, EntryQuerySet, Visibility
from recovery.fields import EncryptedTextField
from recovery.models import Couple


class Source(models.Model):
    key = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.title} — {self.author}"


class Stage(models.Model):
    class OpenedBy(models.TextChoices):
        BOTH = "both", _("both partners, when both are ready")
        PACE_SETTER = "pace_setter", _("the partner who sets the pace")

    number = models.PositiveSmallIntegerField(unique=True)
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    opened_by = models.CharField(max_length=12, choices=OpenedBy.choices)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Step(models.Model):
    """One step of the plan. Rows are never deleted by the sync (a step dropped from the file is
    retired), so completions always keep their step."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        EXERCISE = "exercise", _("Exercise")
        RITUAL = "ritual", _("Ritual")
        REFLECTION = "reflection", _("Reflection")
        CONVERSATION = "conversation", _("Conversation")

    class Who(models.TextChoices):
        BOTH = "both", _("Both of you")
        HURT = "hurt", _("The partner who was hurt")
        INVOLVED = "involved", _("The partner who had the affair")

    class Cadence(models.TextChoices):
        ONCE = "once", _("Once")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="steps")
    slug = models.SlugField(unique=True, max_length=80)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    who = models.CharField(max_length=8, choices=Who.choices)
    cadence = models.CharField(max_length=6, choices=Cadence.choices)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField()
    sources = models.ManyToManyField(Source, related_name="steps")
    tool = models.CharField(max_length=20, blank=True)
    private = models.BooleanField(default=False, help_text=_("Completions are never shown to the partner."))
    timer = models.JSONField(default=list, blank=True)
    # A daily or weekly step's load from stage to stage, as load.Phase dicts: where it starts, then any
    # later stage that lightens it or lets it rest. Empty for a once-only step. Written by the sync.
    schedule = models.JSONField(default=list, blank=True)
    # The step of the same stage this one takes over from (hand on hand, then its second stage...).
    follows = models.SlugField(max_length=80, blank=True)
    # "Retired" means removed from plan.toml (hidden, kept for its completions); a step that merely
    # rests at a later stage is still in the plan, and says so in `schedule`.
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["stage__number", "position"]

    def __str__(self) -> str:
        return self.title

    def recurring(self) -> load.Recurring | None:
        """This step as the load rules see it, or None for a once-only step."""
        if self.cadence == self.Cadence.ONCE or not self.schedule:
            return None
        return load.Recurring(
            slug=self.slug,
            title=self.title,
            who=self.who,
            cadence=self.cadence,
            phases=load.phases_from_json(self.schedule),
            follows=self.follows,
        )

    def how_often(self) -> str:
        """How often, in words: 'Every day', '3 days a week', 'Every week' or 'Once'."""
        if self.cadence == self.Cadence.ONCE or not self.schedule:
            return str(self.get_cadence_display())
        return load.describe_frequency(self.cadence, self.schedule[0]["per_week"])


class StageChange(models.Model):
    """Every move of a couple's current stage: who, when, from, to. The latest row is the current stage."""

    class Reason(models.TextChoices):
        OPENED = "opened", _("opened")
        STEPPED_BACK = "stepped_back", _("stepped back")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="stage_changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    from_stage = models.PositiveSmallIntegerField()
    to_stage = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)

    objects = CoupleScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["couple", "-at"], name="stagechange_couple_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_stage__gte=1, from_stage__lte=7, to_stage__gte=1, to_stage__lte=7),
                name="stagechange_stages_1_to_7",
            )
        ]

    def __str__(self) -> str:
        return f"Couple {self.couple_id}: stage {self.from_stage} → {self.to_stage} ({self.reason})"


class Readiness(models.Model):
    """A partner's word that they are ready for (or, for a pace-setter stage, willing to begin, or as
    pace-setter opening) the stage after the current one. Cleared whenever the stage moves."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="readiness")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    for_stage = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)

    objects = CoupleScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["couple", "user"], name="readiness_one_per_partner")]

    def __str__(self) -> str:
        return f"Couple {self.couple_id}: user {self.user_id} for stage {self.for_stage}"


class Completion(models.Model):
    """A partner did a step: once, or on a local date (daily), or in an ISO week (weekly)."""

    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="completions")
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="completions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "once", a local date "2026-11-21", or an ISO week "2026-W47": one completion per period.
    period = models.CharField(max_length=10)
    done_on = models.DateField(help_text=_("The author's local date."))
    note = EncryptedTextField(blank=True, max_length=2000)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PARTNER)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-done_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["author", "step", "period"], name="completion_one_per_period"),
            models.CheckConstraint(
                condition=models.Q(visibility__in=["only_me", "partner", "therapist"]),
                name="completion_visibility_valid",
            ),
        ]
        indexes = [models.Index(fields=["couple", "step"], name="completion_couple_step")]

    def __str__(self) -> str:  # never the note: it may be private
        return f"{self.step_id} by {self.author_id} ({self.period})"


class Ritual(models.Model):
    """The Table of Trust: something one partner misses ("I miss…") that became a shared ritual."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="rituals")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = EncryptedTextField(_("I miss…"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = CoupleScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text


class RitualDone(models.Model):
    ritual = models.ForeignKey(Ritual, on_delete=models.CASCADE, related_name="dates_done")
    done_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CoupleScopedQuerySet.as_manager()
    couple_lookup = "ritual__couple"

    class Meta:
        ordering = ["-done_on"]
        constraints = [models.UniqueConstraint(fields=["ritual", "done_on"], name="ritualdone_once_a_day")]

    def __str__(self) -> str:
        return f"Ritual {self.ritual_id} on {self.done_on}"


class AgreementItem(models.Model):
    """One line of the transparency agreement: proposed by either partner, in force once the other agrees."""

    class Area(models.TextChoices):
        WHEREABOUTS = "whereabouts", _("Whereabouts")
        DEVICES = "devices", _("Devices and passwords")
        SCHEDULES = "schedules", _("Schedules")
        LOCATION = "location", _("Location sharing")
        CONTACT = "contact", _("Contact with others")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_FORCE = "in_force", _("In force")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Not agreed")
        REPLACED = "replaced", _("Replaced")
        ENDED = "ended", _("No longer agreed")  # either partner withdrew their agreement; no reason asked

    class AsksOf(models.TextChoices):
        # Relative to the partner who proposed it: who the item asks something of.
        PROPOSER = "proposer", _("Me")
        PARTNER = "partner", _("My partner")
        BOTH = "both", _("Both of us")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="agreement_items")
    area = models.CharField(max_length=12, choices=Area.choices)
    text = EncryptedTextField(max_length=500)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    asks_of = models.CharField(_("Who it asks of"), max_length=10, choices=AsksOf.choices, default=AsksOf.BOTH)
    review_weeks = models.PositiveSmallIntegerField(_("Review it after"), default=4)
    review_on = models.DateField(null=True, blank=True, help_text=_("When you look at it again together."))

    objects = CoupleScopedQuerySet.as_manager()

    class Meta:
        ordering = ["area", "proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_weeks__gte=1, review_weeks__lte=12), name="agreement_review_1_to_12_weeks"
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement item {self.pk} ({self.status})"


class AgreementChange(models.Model):
    """The agreement's history: every proposal, agreement, decline, withdrawal and replacement."""

    class Action(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        AGREED = "agreed", _("agreed to")
        DECLINED = "declined", _("didn't agree to")
        WITHDRAWN = "withdrawn", _("withdrew")
        REPLACED = "replaced", _("replaced")
        ENDED = "ended", _("no longer agreed to")
        KEPT = "kept", _("chose to keep")

    item = models.ForeignKey(AgreementItem, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=10, choices=Action.choices)

    objects = CoupleScopedQuerySet.as_manager()
    couple_lookup = "item__couple"

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} item {self.item_id}"


class WishNote(models.Model):
    """A note one partner writes to the other during the week of wish notes (stage 6 onwards)."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="wish_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CoupleScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:  # never the text
        return f"Wish note {self.pk}"


class AddedOnly(Exception):
    """Questions and answers are a record: rows are added, never changed or removed one by one."""


class AddedOnlyQuerySet(CoupleAndTherapistQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AddedOnly("questions and answers are never edited: add an amendment instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AddedOnly("questions and answers are never removed one by one")


class _AddedOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not logic: the record only grows (PostgreSQL refuses an UPDATE too, see the migration).
        if not self._state.adding:
            raise AddedOnly(f"{type(self).__name__} rows are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AddedOnly(f"{type(self).__name__} rows are never removed one by one")


# Who may read a question and its answers: the two partners, or the two partners and their therapist.
QUESTION_VISIBILITIES = [
    (Visibility.PARTNER.value, _("The two of us")),
    (Visibility.PARTNER_AND_THERAPIST.value, _("The two of us and our therapist")),
]


class Question(_AddedOnlyModel):
    """A question the partner who was hurt asks in writing, for the other to answer in writing (plans/questions.py).
    Part of the full accounting of stage 1: the record keeps every answer and every amendment, dated."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(_("Your question"), max_length=2000)
    visibility = models.CharField(
        _("Who can read it and its answer"), max_length=10, choices=QUESTION_VISIBILITIES, default=Visibility.PARTNER
    )
    asked_at = models.DateTimeField(default=timezone.now)

    objects = AddedOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=[value for value, _label in QUESTION_VISIBILITIES]),
                name="question_visibility_couple_or_therapist",
            )
        ]
        indexes = [models.Index(fields=["couple", "-asked_at"], name="question_couple_latest")]

    def __str__(self) -> str:  # never the words
        return f"Question {self.pk}"


class AnswerVersion(_AddedOnlyModel):
    """One version of the answer to a question: number 1 is the first answer, each later number an amendment.

    A version is never changed: correcting or adding to an answer adds a version, dated, with the whole new
    text (so "was / now" can always be shown) and the answerer's note on what changed. "I have told you
    everything I know about this" belongs to a version too, so it can only be withdrawn by a later one.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    text = EncryptedTextField(_("Your answer"), max_length=5000)
    note = EncryptedTextField(_("What this changes, in a sentence (optional)"), blank=True, max_length=1000)
    told_everything = models.BooleanField(_("I have told you everything I know about this"), default=False)
    written_at = models.DateTimeField(default=timezone.now)

    objects = AddedOnlyQuerySet.as_manager()
    couple_lookup = "question__couple"
    visibility_lookup = "question__visibility"

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="answer_version_numbered_once"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="answer_version_from_one"),
        ]

    def __str__(self) -> str:  # never the words
        return f"Answer {self.question_id}.{self.number}"

    @property
    def is_amendment(self) -> bool:
        return self.number > 1
