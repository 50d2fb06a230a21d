"""Check-in, weekly review and safety pages. Thin: rules in entries.py, reads through access.py."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from checkins import emails, entries, reminders, support, to_bring, wellbeing
from checkins.change import own_csi_change
from checkins.forms import DailyCheckInForm, WeeklyReviewForm
from checkins.measures import CSI4_ITEMS
from checkins.models import MOOD_CHOICES, DailyCheckIn, Reminder, WeeklyReview
from checkins.reminder_forms import ReminderSettingsForm
from recovery import safety
from recovery.access import other_partner
from recovery.decorators import PartnerHttpRequest, partner_required, refuse_unless_post
from recovery.localtime import local_today, week_start_for
from recovery.models import Partner

LOWEST_MOOD = min(value for value, _label in MOOD_CHOICES)


@partner_required
@require_http_methods(["GET", "POST"])
def check_in(request: PartnerHttpRequest) -> HttpResponse:
    membership: Partner = request.membership
    user = request.user
    earliest, today = entries.check_in_dates(user)
    on = earliest if request.GET.get("day") == "yesterday" else today
    existing = entries.own_check_in(user, on)
    if existing is not None and not entries.may_edit_check_in(existing, user):
        messages.info(request, _("Yesterday's check-in is saved. Today's is open all day."))
        return redirect("checkins:history")
    form = DailyCheckInForm(
        request.POST if request.method == "POST" else None,
        instance=existing,
        initial=None if existing else {"visibility": user.default_visibility},
        show_shared_unprompted=membership.role == Partner.Role.INVOLVED,
    )
    if request.method == "POST" and form.is_valid():
        try:
            _entry, created = entries.save_check_in(
                membership=membership, on=on, fields=form.cleaned_data, existing=existing
            )
        except entries.EntryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Check-in saved.") if created else _("Check-in updated."))
            if form.cleaned_data["mood"] == LOWEST_MOOD:
                # Private to the person who wrote it: a gentle line, one tap from someone to talk to.
                messages.info(request, support.low_mood_message(), extra_tags="crisis")
            return redirect("home")
    return TemplateResponse(
        request,
        "checkins/check_in.html",
        {
            "form": form,
            "on": on,
            "is_today": on == today,
            "editing": existing is not None,
            "yesterday_missing": on == today and entries.own_check_in(user, earliest) is None,
        },
    )


@partner_required
@require_GET
def history(request: PartnerHttpRequest) -> HttpResponse:
    user = request.user
    _earliest, today = entries.check_in_dates(user)
    recent = list(
        DailyCheckIn.objects.visible_to(user)
        .filter(local_date__gte=today - timedelta(days=27))
        .select_related("author")
        .order_by("-local_date", "author_id")
    )
    marked = to_bring.marked_ids(request.membership)["check-in"]
    for entry in recent:
        entry.bring_marked = entry.pk in marked
    return render(request, "checkins/history.html", {"entries": recent, "partner": other_partner(user)})


@partner_required
@require_http_methods(["GET", "POST"])
def weekly_review(request: PartnerHttpRequest) -> HttpResponse:
    membership: Partner = request.membership
    user = request.user
    week = week_start_for(user)
    existing = WeeklyReview.objects.filter(author=user, week_start=week).first()
    locked = existing is not None and entries.revealed_together(membership, week)
    form = None
    if not locked:
        form = WeeklyReviewForm(
            request.POST if request.method == "POST" else None,
            instance=existing,
            initial=None if existing else {"visibility": user.default_visibility},
            is_involved=membership.role == Partner.Role.INVOLVED,
        )
        if request.method == "POST" and form.is_valid():
            try:
                entries.save_review(membership=membership, fields=form.cleaned_data)
            except entries.EntryError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your review for this week is saved."))
                return redirect("checkins:weekly_review")
    elif request.method == "POST":
        messages.info(request, _("You've both shared this week's review, so it can't be changed now."))
        return redirect("checkins:weekly_review")
    partner = other_partner(user)
    theirs = (
        WeeklyReview.objects.visible_to(user).filter(week_start=week).exclude(author=user).first() if partner else None
    )
    if existing is not None:
        existing.bring_marked = existing.pk in to_bring.marked_ids(membership)["review"]
    return TemplateResponse(
        request,
        "checkins/weekly_review.html",
        {
            "form": form,
            "week": week,
            "week_end": week + timedelta(days=6),
            "mine": existing,
            "theirs": theirs,
            "partner": partner,
            "items": CSI4_ITEMS,
            "my_change": own_csi_change(user),
            "phq9_due": wellbeing.offer_due(user),
        },
    )


@partner_required
@require_GET
def reviews(request: PartnerHttpRequest) -> HttpResponse:
    user = request.user
    past = list(WeeklyReview.objects.visible_to(user).select_related("author").order_by("-week_start", "author_id"))
    marked = to_bring.marked_ids(request.membership)["review"]
    for review in past:
        review.bring_marked = review.pk in marked
    return render(
        request,
        "checkins/reviews.html",
        {
            "reviews": past,
            "partner": other_partner(user),
            "items": CSI4_ITEMS,
            # Your own change against your own first score (never your partner's), and the PHQ-9 offer.
            "my_change": own_csi_change(user),
            "phq9_due": wellbeing.offer_due(user),
        },
    )


@require_http_methods(["GET", "POST"])
def safety_check(request: HttpRequest) -> HttpResponse:
    """ "Do you feel safe with your partner?" — the answer goes nowhere but to the next page."""
    return_to = _safe_return(request)
    if request.method == "POST":
        answer = request.POST.get("feels_safe")
        if answer not in {"yes", "no", "later"}:
            return render(request, "checkins/safety_check.html", {"error": True, "return_to": return_to}, status=400)
        if request.user.is_authenticated:
            safety.mark_offered(request.user)
        if answer == "no":
            return redirect(support.support_url(browser_time_zone=request.POST.get("tz", "")))
        if answer == "yes":
            messages.success(request, _("Thank you. You can come back to this question at any time, from any page."))
        return redirect(return_to or "home")
    return render(request, "checkins/safety_check.html", {"return_to": return_to})


def _safe_return(request: HttpRequest) -> str:
    """Where the question was asked (the plan, the transparency page), if it is one of Mend's own pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@require_GET
def feels_like_control(request: HttpRequest) -> HttpResponse:
    """A private page for anyone who feels transparency has turned into control. Nothing is recorded."""
    code = support.choose_country(
        requested=request.GET.get("country", ""),
        time_zones=support.time_zones_for(request.user, request.GET.get("tz", "")),
    )
    return render(
        request,
        "checkins/feels_like_control.html",
        {"country": support.support_content().countries.get(code), "chosen": code},
    )


@require_GET
def safety_support(request: HttpRequest) -> HttpResponse:
    """Crisis lines and abuse services for one country; open to anyone, signed in or not."""
    code = support.choose_country(
        requested=request.GET.get("country", ""),
        time_zones=support.time_zones_for(request.user, request.GET.get("tz", "")),
    )
    content = support.support_content()
    return render(
        request,
        "checkins/safety_support.html",
        {
            "chosen": code,
            "country": content.countries.get(code),
            "international": content.international,
            "countries": support.country_choices(),
            # Nobody chose and no time zone placed them: mend.js may ask the browser once.
            "may_locate": code == support.INTERNATIONAL and not request.GET.get("country") and "tz" not in request.GET,
        },
    )


@partner_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: PartnerHttpRequest) -> HttpResponse:
    user = request.user
    current = reminders.reminders_for(user)
    prefs = emails.settings_for(user)
    daily, weekly = current[Reminder.Kind.DAILY_CHECK_IN], current[Reminder.Kind.WEEKLY_REVIEW]
    initial = {
        "daily_enabled": daily.enabled, "daily_time": daily.local_time,
        "weekly_enabled": weekly.enabled, "weekly_weekday": weekly.weekday, "weekly_time": weekly.local_time,
        "paused_until": prefs.paused_until, "partner_ready": prefs.partner_ready, "reviews_ready": prefs.reviews_ready,
    }  # fmt: skip
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial, today=local_today(user)
    )
    if request.method == "POST":
        if form.is_valid():
            reminders.save_settings(user=user, choices=form.cleaned_data)
            messages.success(request, _("Reminder settings saved."))
            return redirect("checkins:reminders")
        return TemplateResponse(request, "checkins/reminders.html", {"form": form, "reminders": current})
    current = {k: Reminder.objects.get(pk=r.pk) for k, r in current.items()}
    return render(request, "checkins/reminders.html", {"form": form, "reminders": current})


@partner_required
def reset_pause_link(request: PartnerHttpRequest) -> HttpResponse:
    if refusal := refuse_unless_post(request):
        return refusal
    emails.reset_pause_token(request.user)
    messages.success(
        request, _("Done. The pause links in earlier e-mails no longer work; new e-mails carry a new one.")
    )
    return redirect("checkins:reminders")


@csrf_exempt  # RFC 8058 one-click POSTs come from the mail provider with no cookies; the random token is the proof
@require_http_methods(["GET", "POST"])
def pause_reminders(request: HttpRequest, token: str) -> HttpResponse:
    user = emails.user_from_pause_token(token)
    if user is None:
        return render(request, "checkins/pause_reminders.html", {"invalid": True}, status=404)
    if request.method == "POST":
        emails.pause_everything(user)
        return render(request, "checkins/pause_reminders.html", {"done": True})
    return render(request, "checkins/pause_reminders.html", {})
