"""Every URL pattern, as every kind of visitor, with GET and POST: the outcome is written down here.

A pattern added without an entry below fails `test_every_route_is_classified`, so a new page is
covered the day it is added. Each request runs in a rolled-back transaction, so one visitor's POST
cannot change what the next one sees.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client

from tests.conftest import World
from tests.security.walk import Route, all_routes, concrete_path

# "therapist" is the therapist of another couple; "care" is Alex and Sam's (both consented, MFA on);
# "care_pending" has only Alex's consent; "care_revoked" was ended by Alex.
ROLES = ["anon", "hurt", "involved", "outsider", "lone", "therapist", "waiting", "care", "care_pending", "care_revoked"]
THERAPISTS = ["therapist", "care", "care_pending", "care_revoked"]
IN_FULL_COUPLE = ["hurt", "involved", "outsider"]
PARTNERS = [*IN_FULL_COUPLE, "waiting"]
SIGNED_IN = [role for role in ROLES if role != "anon"]

LOGIN = "→/accounts/login/"
HOME = "→/"
REAUTH = "→/accounts/reauthenticate/"


def by_role(default: str, **overrides: str) -> dict[str, str]:
    outcome = dict.fromkeys(ROLES, default)
    for roles, value in overrides.items():
        for role in _ROLE_GROUPS.get(roles, [roles]):
            outcome[role] = value
    return outcome


_ROLE_GROUPS = {
    "partners": PARTNERS,
    "own": ["hurt", "involved"],
    "signed_in": SIGNED_IN,
    "therapists": THERAPISTS,
    "other_therapists": ["therapist", "care_pending", "care_revoked"],
}


def signed_in_only(get: str, post: str) -> dict[str, dict[str, str]]:
    """Anonymous visitors are sent to log in; everyone signed in gets the same."""
    return {"get": by_role(get, anon=LOGIN), "post": by_role(post, anon=LOGIN)}


def same(get: str, post: str) -> dict[str, dict[str, str]]:
    return {"get": by_role(get), "post": by_role(post)}


EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    # --- the couple space ---
    "home": {"get": by_role("200", lone="→/start/", therapists="→/therapist/"), "post": by_role("405")},
    "start": {
        "get": by_role(HOME, anon=LOGIN, lone="200"),
        "post": by_role(HOME, anon=LOGIN, lone="400"),  # an empty form: re-rendered with its errors
    },
    "invite_partner": {
        "get": by_role(HOME, anon=LOGIN, waiting="200"),
        "post": by_role(HOME, anon=LOGIN, waiting="400"),
    },
    # The sample invitation belongs to the waiting couple: everyone else gets 404, as for no invitation.
    "invitation_resend": {
        "get": by_role("404", anon=LOGIN, waiting="405"),
        "post": by_role("404", anon=LOGIN, waiting=HOME),
    },
    "invitation_cancel": {
        "get": by_role("404", anon=LOGIN, waiting="405"),
        "post": by_role("404", anon=LOGIN, waiting=HOME),
    },
    "couple_pause": {"get": by_role(HOME, anon=LOGIN, partners="200"), "post": by_role(HOME, anon=LOGIN)},
    "couple_resume": {"get": by_role(HOME, anon=LOGIN, partners="405"), "post": by_role(HOME, anon=LOGIN)},
    "couple_end": {"get": by_role(HOME, anon=LOGIN, partners="200"), "post": by_role(HOME, anon=LOGIN)},
    # Anonymous: the welcome page. Signed in: nobody in the walk owns the invited address -> 409 page.
    "invitation_accept": {"get": by_role("409", anon="200"), "post": by_role("409", anon="200")},
    "profile": signed_in_only("200", "400"),
    # Your data: the page is open to anyone signed in; asking for a download, downloading and deleting the
    # account ask for the password again first (the walk signs in without it, as a session left open would).
    "my_data": signed_in_only("200", REAUTH),
    "data_download": signed_in_only(REAUTH, REAUTH),
    "account_close": signed_in_only(REAUTH, REAUTH),
    "account_restore": same("410", "410"),  # the sample token is no restore link: the clear "can't be used" page
    "privacy": same("200", "405"),
    "quick_exit": same("200", "200"),
    # "Stay logged in" on the idle warning: any signed-in POST pushes the session forward; it only answers.
    "session_keep_alive": signed_in_only("405", "204"),
    # --- the care team: the couple's side ---
    "care_team": {"get": by_role(HOME, anon=LOGIN, partners="200"), "post": by_role(HOME, anon=LOGIN, partners="400")},
    "care_seen": {"get": by_role(HOME, anon=LOGIN, partners="200"), "post": by_role(HOME, anon=LOGIN, partners="405")},
    "care_consent": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/care/", outsider="404", waiting="404"),
    },
    "care_end": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/care/", outsider="404", waiting="404"),
    },
    "care_accept": same("404", "404"),  # the sample token is not a care invitation: the clear "can't be used" page
    # --- the therapist's side: only Alex and Sam's consented therapist sees their couple ---
    "therapist_home": {
        "get": by_role("404", anon=LOGIN, therapists="200"),
        "post": by_role("404", anon=LOGIN, therapists="405"),
    },
    "therapist_join": {
        "get": by_role(HOME, anon=LOGIN, lone="200", therapists="→/therapist/"),
        "post": by_role(HOME, anon=LOGIN, lone="400", therapists="→/therapist/"),
    },
    "therapist_couple": {
        # The revoked therapist knew this couple: a page saying access ended (410), with nothing of theirs.
        "get": by_role("404", anon=LOGIN, care="200", care_revoked="410"),
        "post": by_role("404", anon=LOGIN, therapists="405"),
    },
    "therapist_end": {
        "get": by_role("404", anon=LOGIN, care="405"),
        "post": by_role("404", anon=LOGIN, care="→/therapist/"),
    },
    # The one-page session brief, on screen and as a PDF download (both audited), and the date it counts from.
    "therapist_brief": {
        "get": by_role("404", anon=LOGIN, care="200", care_revoked="410"),
        "post": by_role("404", anon=LOGIN, therapists="405"),
    },
    "therapist_brief_pdf": {
        "get": by_role("404", anon=LOGIN, care="200", care_revoked="410"),
        "post": by_role("404", anon=LOGIN, therapists="405"),
    },
    "therapist_last_session": {
        "get": by_role("404", anon=LOGIN, care="405"),
        "post": by_role("404", anon=LOGIN, care="→BRIEF"),  # an empty form: a message, back to the brief
    },
    "healthz": same("200", "405"),
    # --- check-ins and reviews (members of a couple only) ---
    "checkins:check_in": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),
    },
    "checkins:history": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "checkins:weekly_review": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),
    },
    "checkins:reviews": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "checkins:reminders": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),
    },
    "checkins:pause_reminders": same("404", "404"),  # the sample token isn't a valid pause token
    "checkins:reset_pause_link": {
        "get": by_role(HOME, anon=LOGIN, partners="405"),
        "post": by_role(HOME, anon=LOGIN, partners="→/reminders/"),
    },
    # The PHQ-9: the person's own pages. A response is its author's (and their therapist's, if shared): to the
    # partner it is a 404 like anything that doesn't exist.
    "checkins:wellbeing": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "checkins:phq9": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),  # nothing answered: the form again, with its errors
    },
    "checkins:phq9_result": {
        "get": by_role(HOME, anon=LOGIN, hurt="200", involved="404", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "checkins:wellbeing_offer": {
        "get": by_role(HOME, anon=LOGIN, partners="405"),
        "post": by_role(HOME, anon=LOGIN, partners="→/wellbeing/"),  # no choice sent: a message, and back
    },
    # "To bring to our therapist", on a question of Alex and Sam's shared with their therapist.
    "checkins:to_bring": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/", outsider="404", waiting="404"),
    },
    # "A trigger hit" and the trigger page: any partner. The sample trigger is Alex's, shared with Sam: only Alex
    # may change or delete it; only Sam may answer it ("I'm here" / "not now"); everyone else gets 404.
    "checkins:trigger_new": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),  # nothing chosen: the form again, with its errors
    },
    "checkins:triggers": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "checkins:trigger_edit": {
        "get": by_role(HOME, anon=LOGIN, hurt="200", involved="404", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, hurt="400", involved="404", outsider="404", waiting="404"),
    },
    "checkins:trigger_delete": {
        "get": by_role(HOME, anon=LOGIN, hurt="405", involved="404", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, hurt="→/triggers/", involved="404", outsider="404", waiting="404"),
    },
    "checkins:trigger_here": {
        "get": by_role(HOME, anon=LOGIN, hurt="404", involved="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, hurt="404", involved="→/", outsider="404", waiting="404"),
    },
    "checkins:trigger_not_now": {
        "get": by_role(HOME, anon=LOGIN, hurt="404", involved="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, hurt="404", involved="→/", outsider="404", waiting="404"),
    },
    # Dates that matter: the sample date is Alex's, shared with Sam; only Alex may change or delete it.
    "checkins:dates": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),
    },
    "checkins:date_edit": {
        "get": by_role(HOME, anon=LOGIN, hurt="200", involved="404", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, hurt="400", involved="404", outsider="404", waiting="404"),
    },
    "checkins:date_delete": {
        "get": by_role(HOME, anon=LOGIN, hurt="405", involved="404", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, hurt="→/dates/", involved="404", outsider="404", waiting="404"),
    },
    # The safety check and its resources are open to anyone, signed in or not.
    "checkins:safety_check": same("200", "400"),
    "checkins:safety_support": same("200", "405"),
    "checkins:feels_like_control": same("200", "405"),
    # --- the plan (members of a couple only; people without one are sent home) ---
    "plans:overview": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "plans:stage": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "plans:step": {"get": by_role(HOME, anon=LOGIN, partners="200"), "post": by_role(HOME, anon=LOGIN, partners="400")},
    "plans:timeline": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "plans:table_of_trust": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),
    },
    "plans:transparency": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),
    },
    "plans:wish_notes": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="→/plan/wish-notes/"),  # closed before stage 6
    },
    "plans:ready": {
        "get": by_role(HOME, anon=LOGIN, partners="405"),
        "post": by_role(HOME, anon=LOGIN, partners="→/plan/"),
    },
    "plans:ready_take_back": {
        "get": by_role(HOME, anon=LOGIN, partners="405"),
        "post": by_role(HOME, anon=LOGIN, partners="→/plan/"),
    },
    # At stage 1 there is nowhere to step back to: the confirmation page sends you to the overview.
    "plans:step_back": {
        "get": by_role(HOME, anon=LOGIN, partners="→/plan/"),
        "post": by_role(HOME, anon=LOGIN, partners="→/plan/"),
    },
    # Questions and answers (Alex asks, Sam answers); another couple's partner gets 404.
    "plans:questions": {
        "get": by_role(HOME, anon=LOGIN, partners="200"),
        "post": by_role(HOME, anon=LOGIN, partners="400"),
    },
    "plans:question": {
        "get": by_role(HOME, anon=LOGIN, own="200", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, partners="405"),
    },
    "plans:question_answer": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        # Alex asked it, so may not answer it (403); Sam's empty answer is the page again with its error (400).
        "post": by_role(HOME, anon=LOGIN, hurt="403", involved="400", outsider="404", waiting="404"),
    },
    # Objects of Alex and Sam's couple: another couple's partner (and the waiting partner) get 404.
    "plans:completion_delete": {
        "get": by_role(HOME, anon=LOGIN, hurt="405", involved="404", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, hurt="→STEP", involved="404", outsider="404", waiting="404"),
    },
    "plans:ritual_done": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/plan/table-of-trust/", outsider="404", waiting="404"),
    },
    "plans:ritual_archive": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/plan/table-of-trust/", outsider="404", waiting="404"),
    },
    "plans:agreement_decide": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/plan/transparency/", outsider="404", waiting="404"),
    },
    "plans:agreement_withdraw": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/plan/transparency/", outsider="404", waiting="404"),
    },
    "plans:agreement_end": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/plan/transparency/", outsider="404", waiting="404"),
    },
    "plans:agreement_keep": {
        "get": by_role(HOME, anon=LOGIN, own="405", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="→/plan/transparency/", outsider="404", waiting="404"),
    },
    "plans:agreement_change": {
        "get": by_role(HOME, anon=LOGIN, own="200", outsider="404", waiting="404"),
        "post": by_role(HOME, anon=LOGIN, own="400", outsider="404", waiting="404"),
    },
    # --- allauth (an empty POST to a form page re-renders it with errors: 400) ---
    "account_login": {"get": by_role(HOME, anon="200"), "post": by_role(HOME, anon="400")},
    "account_logout": {"get": by_role("200", anon=HOME), "post": by_role(HOME)},
    "account_inactive": same("200", "405"),
    "account_signup": {"get": by_role(HOME, anon="200"), "post": by_role(HOME, anon="400")},
    "account_reauthenticate": signed_in_only("200", "400"),
    "account_email": signed_in_only("200", "→/accounts/email/"),
    "account_email_verification_sent": same("200", "405"),
    "account_change_password": signed_in_only("200", "400"),
    "account_set_password": signed_in_only("→/accounts/password/change/", "→/accounts/password/change/"),
    "account_reset_password": same("200", "400"),
    "account_reset_password_done": same("200", "405"),
    "account_reset_password_from_key": same("200", "400"),  # a bad key: the "link is invalid" page
    "account_reset_password_from_key_done": same("200", "405"),
    "account_confirm_email": same("200", "404"),  # a bad key: the "link is invalid" page
    "account_confirm_login_code": signed_in_only(HOME, HOME),
    "mfa_index": signed_in_only("200", "405"),
    "mfa_authenticate": signed_in_only(HOME, HOME),
    # Therapists in the walk have two-step sign-in on, so its pages answer them differently.
    "mfa_reauthenticate": {
        "get": by_role("→/accounts/reauthenticate/", anon=LOGIN, therapists="200"),
        "post": by_role("→/accounts/reauthenticate/", anon=LOGIN, therapists="400"),
    },
    "mfa_activate_totp": signed_in_only("→/accounts/reauthenticate/", "→/accounts/reauthenticate/"),
    "mfa_deactivate_totp": {
        "get": by_role("404", anon=LOGIN, therapists="→/accounts/reauthenticate/"),
        "post": by_role("404", anon=LOGIN, therapists="→/accounts/reauthenticate/"),
    },
    "mfa_view_recovery_codes": signed_in_only("404", "405"),
    "mfa_generate_recovery_codes": signed_in_only("→/accounts/reauthenticate/", "→/accounts/reauthenticate/"),
    "mfa_download_recovery_codes": signed_in_only("404", "404"),
    "usersessions_list": signed_in_only("200", "→/accounts/sessions/"),
}

# The operator admin: nobody in the walk is staff, so every admin page sends them away.
ADMIN_EXPECTED = {
    "admin:login": {"get": by_role("403", anon=LOGIN), "post": by_role("403", anon=LOGIN)},
    "admin:logout": same("→/admin/", "→/admin/"),
}
ADMIN_DEFAULT = same("→/admin/login/", "→/admin/login/")


def expected_for(route: Route) -> dict[str, dict[str, str]] | None:
    if route.name in EXPECTED:
        return EXPECTED[route.name]
    if route.name.startswith("admin:") or route.pattern.startswith("admin/"):
        return ADMIN_EXPECTED.get(route.name, ADMIN_DEFAULT)
    return None


ROUTES = all_routes()


def test_every_route_is_classified() -> None:
    unclassified = [f"{r.name or '(unnamed)'}: {r.pattern}" for r in ROUTES if expected_for(r) is None]
    assert not unclassified, "Add these URL patterns to the security walk:\n" + "\n".join(unclassified)
    stale = set(EXPECTED) - {r.name for r in ROUTES}
    assert not stale, f"The walk lists patterns that no longer exist: {sorted(stale)}"


# A <script> without src is inline code, unless it is a JSON data block (never executed).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)
# A page that reloads or leaves by itself after a delay loses what someone was writing (WCAG 2.2.1); the
# quick exit's immediate redirect (a delay of 0) is the one meta refresh allowed.
TIMED_REFRESH = re.compile(r'http-equiv="refresh"\s+content="(?!0;)', re.IGNORECASE)


def page_problems(response: object) -> list[str]:
    """What every page must hold to: no-store, and (for HTML) a strict-CSP-safe body with a quick exit."""
    problems = []
    if "no-store" not in response.get("Cache-Control", ""):  # type: ignore[attr-defined]
        problems.append("missing Cache-Control: no-store")
    if "unsafe-inline" in response.get("Content-Security-Policy", "unsafe-inline"):  # type: ignore[attr-defined]
        problems.append("CSP missing or allows unsafe-inline")
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):  # type: ignore[attr-defined]
        body = response.content.decode()  # type: ignore[attr-defined]
        if INLINE_SCRIPT.search(body) or INLINE_STYLE.search(body) or INLINE_HANDLER.search(body):
            problems.append("inline script or style in the page")
        if TIMED_REFRESH.search(body):
            problems.append("a timed meta refresh")
        if 'class="quick-exit"' not in body and response.wsgi_request.path != "/exit/":  # type: ignore[attr-defined]
            problems.append("no quick-exit control on the page")
    return problems


def _route_samples(name: str, world: World) -> dict[str, object]:
    """Object URLs of the plan point at Alex and Sam's records."""
    first_step = world.completion.step
    if name == "plans:completion_delete":
        return {"pk": world.completion.pk}
    if name.startswith("plans:ritual_"):
        return {"pk": world.ritual.pk}
    if name.startswith("plans:agreement_"):
        return {"pk": world.agreement_item.pk}
    if name in ("care_consent", "care_end"):
        return {"pk": world.care_access.pk}
    if name.startswith("therapist_"):
        return {"couple_id": world.couple.pk}
    if name.startswith("plans:question") or name == "checkins:to_bring":
        return {"pk": _alex_s_question(world).pk, "kind": "question"}
    if name == "checkins:phq9_result":
        return {"pk": _alex_s_phq9(world).pk}
    if name.startswith("checkins:trigger_"):
        return {"pk": _alex_s_trigger(world).pk}
    if name.startswith("checkins:date_"):
        return {"pk": _alex_s_date(world).pk}
    return {"number": 1, "slug": first_step.slug}


def _alex_s_question(world: World) -> object:
    """A question Alex asked Sam, shared with their therapist (created once per test)."""
    from plans.models import Question

    return Question.objects.filter(couple=world.couple).first() or Question.objects.create(
        couple=world.couple, author=world.hurt, text="When did it start?", visibility="therapist"
    )


def _alex_s_phq9(world: World) -> object:
    """A PHQ-9 Alex kept to themself."""
    from checkins.models import Phq9Response
    from tests.factories import Phq9ResponseFactory

    return Phq9Response.objects.filter(author=world.hurt).first() or Phq9ResponseFactory(
        author=world.hurt, visibility="only_me", answers=[0] * 9
    )


def _alex_s_trigger(world: World) -> object:
    """A trigger Alex logged and shared with Sam."""
    from checkins.models import Trigger
    from tests.factories import TriggerFactory

    return Trigger.objects.filter(author=world.hurt).first() or TriggerFactory(author=world.hurt, visibility="partner")


def _alex_s_date(world: World) -> object:
    """A date that matters to Alex, shared with Sam."""
    from datetime import date

    from checkins.models import DateThatMatters

    return DateThatMatters.objects.filter(author=world.hurt).first() or DateThatMatters.objects.create(
        couple=world.couple, author=world.hurt, label="The day I found out", on=date(2025, 3, 14), visibility="partner"
    )


def _outcome(response: object) -> str:
    status = response.status_code  # type: ignore[attr-defined]
    if status in (301, 302, 303):
        return "→" + response["Location"].split("?")[0]  # type: ignore[index]
    return str(status)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.name or 'unnamed'}:{r.pattern}")
def test_walk(route: Route, world: World) -> None:
    expected = expected_for(route)
    if expected is None:
        pytest.fail(f"{route.pattern} is not classified in the security walk")
    users = {
        "anon": None,
        "hurt": world.hurt,
        "involved": world.involved,
        "outsider": world.outsider,
        "lone": world.lone,
        "therapist": world.therapist,
        "waiting": world.waiting_partner,
        "care": world.care,
        "care_pending": world.care_pending,
        "care_revoked": world.care_revoked,
    }
    samples = {
        "pk": world.invitation.pk,
        "token": world.invitation_token,
        "key": "not-a-real-key",
        "uidb36": "1",
        "object_id": world.hurt.pk,
        "id": world.hurt.pk,
        "app_label": "recovery",
        "content_type_id": 1,
        "url": "nowhere/",
    }
    samples.update(_route_samples(route.name, world))
    path = concrete_path(route, samples)
    mismatches = []
    for role, user in users.items():
        for method in ("get", "post"):
            client = Client()
            if user is not None:
                client.force_login(user)
            with transaction.atomic():
                response = getattr(client, method)(path)
                transaction.set_rollback(True)
            got, want = (
                _outcome(response),
                expected[method][role]
                .replace("→STEP", f"→/plan/steps/{world.completion.step.slug}/")
                .replace("→BRIEF", f"→/therapist/couples/{world.couple.pk}/brief/"),
            )
            if got != want:
                mismatches.append(f"{method.upper()} {path} as {role}: expected {want}, got {got}")
            mismatches += [f"{method.upper()} {path} as {role}: {problem}" for problem in page_problems(response)]
    assert not mismatches, "\n".join(mismatches)
