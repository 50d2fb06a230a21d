"""Every page of the demo, as everyone who uses Mend, through two accessibility checkers (issue 11, item 6).

Each page is opened in Debian's Chromium at 390 and 1280 px as each role: anonymous, both partners of the
demo couple (Alex and Sam), a person without a couple, a partner still waiting for the other, and the demo
therapist (who logs in with two-step sign-in). Forms are also sent empty or wrong, to check their error
state. On every page state:

- axe-core (node_modules/axe-core, injected into the page) must find no critical or serious violation;
- the HTML the server sent goes, with all the others, through one run of the Nu HTML checker
  (node_modules/vnu-jar, on the machine's Java), which must report no error;
- a full-page screenshot is saved as var/a11y/<role>-<page>-<width>.png for a reviewer to look at.

The pages come from the URL resolver: every pattern is either in PAGES (visited) or in NOT_VISITED with the
reason, so a page added without a decision here fails `test_every_url_pattern_is_checked_or_excused`.
`npm ci --ignore-scripts` installs the two checkers; without them (or without Java) the test is skipped,
which REQUIRE_SERVICES=1 (CI) turns into a failure.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Page, Response, Route, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, DESKTOP, MOBILE, TIME_ZONE
from tests.security.walk import all_routes, concrete_path

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
OUT = ROOT / "var" / "a11y"
WIDTHS = {"390": MOBILE, "1280": DESKTOP}
BLOCKING = ("critical", "serious")
REFRESH = re.compile(r'<meta http-equiv="refresh"[^>]*>')

DEMO_PASSWORD = "mend-demo-password"  # recovery/management/commands/demo.py
ALEX, SAM, THERAPIST = "alex@demo.mend.test", "sam@demo.mend.test", "dr.rivera@demo.mend.test"
LONE, WAITING = "lou@a11y.mend.test", "wren@a11y.mend.test"
ROLES = ["anon", "alex", "sam", "lone", "waiting", "therapist"]
EVERYONE = tuple(ROLES)
SIGNED_IN = tuple(role for role in ROLES if role != "anon")
LOGINS = {"alex": ALEX, "sam": SAM, "lone": LONE, "waiting": WAITING, "therapist": THERAPIST}


@dataclass(frozen=True)
class Visit:
    roles: tuple[str, ...]
    # Roles who also send the page's form empty (or wrong), to see its errors; the answer must be a 400.
    errors: tuple[str, ...] = ()
    form: str = "main form.form"  # which form to send, when the page has several
    first: bool = False  # right after logging in: allauth asks for the password again after a few minutes
    query: str = ""  # added to the path
    by_button: bool = True  # sent as its first button would (False: where the buttons are the answers)
    variants: tuple[str, ...] = ()  # more states of the page, from other samples (see _demo_world)
    leaves: bool = False  # the page leaves at once (a meta refresh of 0 s): checked with that line taken out


# Every page a person can open, and who opens it here. The samples for object URLs come from the demo.
PAGES: dict[str, Visit] = {
    # Pages that need a recent log-in come first.
    "mfa_activate_totp": Visit(("alex",), first=True),
    "account_close": Visit(("alex",), first=True),
    "mfa_deactivate_totp": Visit(("therapist",), first=True),
    "mfa_generate_recovery_codes": Visit(("therapist",), first=True),
    "mfa_view_recovery_codes": Visit(("therapist",), first=True),
    # --- the couple space ---
    "home": Visit(("anon", "alex", "sam", "waiting")),
    "start": Visit(("lone",), errors=("lone",)),
    "invite_partner": Visit(("waiting",), errors=("waiting",)),
    "invitation_accept": Visit(("anon",)),  # the waiting partner's invitation, opened by the invited person
    "couple_pause": Visit(("alex",)),
    "couple_end": Visit(("alex",)),
    "profile": Visit(SIGNED_IN, errors=("alex",)),
    "my_data": Visit(SIGNED_IN),
    "account_restore": Visit(("anon",)),  # not a restore link: the "can't be used" page
    "privacy": Visit(EVERYONE),
    "quick_exit": Visit(("anon",), leaves=True),  # signed in, opening it logs out: the page is the same
    "care_team": Visit(("alex", "sam", "waiting"), errors=("alex",)),
    "care_seen": Visit(("alex", "sam")),
    "care_accept": Visit(("anon",)),  # not a care invitation: the "can't be used" page
    # --- the therapist ---
    "therapist_home": Visit(("therapist",)),
    "therapist_join": Visit(("lone",), errors=("lone",)),
    # Also a couple whose access ended (Kim and Lee): a page that says so in words.
    "therapist_couple": Visit(("therapist",), variants=("ended",)),
    "therapist_brief": Visit(("therapist",)),
    # --- check-ins, reviews, reminders, the PHQ-9, safety ---
    "checkins:check_in": Visit(("alex", "sam", "waiting"), errors=("alex",)),
    "checkins:history": Visit(("alex", "sam")),
    "checkins:weekly_review": Visit(("alex", "sam"), errors=("alex",)),
    "checkins:reviews": Visit(("alex", "sam")),
    "checkins:reminders": Visit(("alex", "sam", "waiting")),
    "checkins:pause_reminders": Visit(("anon",)),  # not a pause link: the "can't be used" page
    "checkins:wellbeing": Visit(("alex", "sam")),
    "checkins:phq9": Visit(("alex",), errors=("alex",)),
    "checkins:phq9_result": Visit(("alex",)),
    "checkins:safety_check": Visit(EVERYONE, errors=("anon",), by_button=False),
    # Opened without a place, the page looks once more with the browser's time zone (as the links to it do).
    "checkins:safety_support": Visit(EVERYONE, query="?tz=" + TIME_ZONE),
    "checkins:feels_like_control": Visit(EVERYONE),
    # A trigger hit (the log and its form, new and changed) and dates that matter.
    "checkins:triggers": Visit(("alex", "sam", "waiting")),
    "checkins:trigger_new": Visit(("alex", "sam"), errors=("alex",)),
    "checkins:trigger_edit": Visit(("alex",)),  # the same form as a new one; emptied, it is still complete
    "checkins:dates": Visit(("alex", "sam"), errors=("alex",)),
    "checkins:date_edit": Visit(("alex",), errors=("alex",)),
    # --- the plan ---
    "plans:overview": Visit(("alex", "sam", "waiting")),
    "plans:stage": Visit(("alex", "sam")),
    "plans:step": Visit(("alex", "sam")),
    "plans:step_back": Visit(("alex",)),
    "plans:timeline": Visit(("alex", "sam")),
    "plans:table_of_trust": Visit(("alex", "sam"), errors=("alex",), form="main form.form:not([action])"),
    "plans:transparency": Visit(("alex", "sam"), errors=("alex",)),
    "plans:agreement_change": Visit(("alex",), errors=("alex",)),
    "plans:wish_notes": Visit(("alex",)),
    "plans:questions": Visit(("alex", "sam"), errors=("alex",)),
    "plans:question": Visit(("alex", "sam"), errors=("sam",), form="main form[action$='/answer/']"),
    # --- accounts (allauth, in our words) ---
    "account_login": Visit(("anon",), errors=("anon",)),
    "account_logout": Visit(SIGNED_IN),
    "account_inactive": Visit(("anon",)),
    "account_signup": Visit(("anon",), errors=("anon",)),
    "account_reauthenticate": Visit(("alex",), errors=("alex",)),
    "account_email": Visit(SIGNED_IN, errors=("alex",)),
    "account_email_verification_sent": Visit(("anon",)),
    "account_change_password": Visit(SIGNED_IN, errors=("alex",)),
    "account_reset_password": Visit(("anon",), errors=("anon",)),
    "account_reset_password_done": Visit(("anon",)),
    "account_reset_password_from_key": Visit(("anon",)),  # not a reset link: the "link is invalid" page
    "account_reset_password_from_key_done": Visit(("anon",)),
    "account_confirm_email": Visit(("anon",)),  # not a confirmation link: the "link is invalid" page
    "mfa_index": Visit(SIGNED_IN),
    "mfa_reauthenticate": Visit(("therapist",), errors=("therapist",)),
    "usersessions_list": Visit(SIGNED_IN),
}

# Patterns no one opens as a page, each with the reason. The code page of two-step sign-in is checked
# while the therapist logs in (it only exists halfway through a log-in).
NOT_VISITED: dict[str, str] = {
    "mfa_authenticate": "checked during the therapist's log-in (with a wrong code first), not opened by URL",
    "healthz": "a plain-text answer for the load balancer, not a page",
    "session_keep_alive": "POST only (the idle warning's 'Stay logged in'); answers 204 with no body",
    "invitation_resend": "POST only: a button on the waiting partner's home",
    "invitation_cancel": "POST only: a button on the waiting partner's home",
    "couple_resume": "POST only: a button on a paused space's home",
    "care_consent": "POST only: a button on 'Your therapist'",
    "care_end": "POST only: a button on 'Your therapist'",
    "therapist_end": "POST only: a button on the therapist's couple page",
    "therapist_last_session": "POST only: a form on the session brief",
    "therapist_brief_pdf": "a PDF download, not a page",
    "data_download": "a ZIP download, not a page",
    "mfa_download_recovery_codes": "a text-file download, not a page",
    "checkins:reset_pause_link": "POST only: a button on the reminders page",
    "checkins:wellbeing_offer": "POST only: the PHQ-9 offer's buttons",
    "checkins:to_bring": "POST only: the 'to bring to our therapist' toggle",
    "checkins:trigger_delete": "POST only: a button on the trigger's page",
    "checkins:trigger_here": "POST only: the partner's answer on the home page ('I'm here')",
    "checkins:trigger_not_now": "POST only: the partner's answer on the home page ('Not now')",
    "checkins:date_delete": "POST only: a button on the date's page",
    "plans:ready": "POST only: a button on the plan",
    "plans:ready_take_back": "POST only: a button on the plan",
    "plans:completion_delete": "POST only: a button on a step",
    "plans:ritual_done": "POST only: a button on the Table of Trust",
    "plans:ritual_archive": "POST only: a button on the Table of Trust",
    "plans:agreement_decide": "POST only: buttons on the agreement",
    "plans:agreement_withdraw": "POST only: a button on the agreement",
    "plans:agreement_end": "POST only: a button on the agreement",
    "plans:agreement_keep": "POST only: a button on the agreement",
    "plans:question_answer": "POST only: its form is on the question page (checked there, in its error state too)",
    "account_set_password": "a redirect to 'Change your password' (every account has a password)",
    "account_confirm_login_code": "a redirect home (logging in by e-mailed code is off)",
}
NOT_VISITED_PREFIX = {"admin/": "the operator admin: Django's own pages, for staff only, not for couples"}


def _excused(route_name: str, pattern: str) -> bool:
    return route_name in NOT_VISITED or any(pattern.startswith(prefix) for prefix in NOT_VISITED_PREFIX)


def test_every_url_pattern_is_checked_or_excused() -> None:
    routes = all_routes()
    undecided = [f"{r.name}: {r.pattern}" for r in routes if r.name not in PAGES and not _excused(r.name, r.pattern)]
    assert not undecided, "Add these pages to PAGES (or NOT_VISITED with a reason):\n" + "\n".join(undecided)
    both = sorted(set(PAGES) & set(NOT_VISITED))
    assert not both, f"Both visited and excused: {both}"
    names = {r.name for r in routes}
    stale = sorted((set(PAGES) | set(NOT_VISITED)) - names)
    assert not stale, f"No longer URL patterns: {stale}"
    for name, visit in PAGES.items():
        assert visit.roles and set(visit.roles) <= set(ROLES), name
        assert set(visit.errors) <= set(visit.roles), name


# --- the run ---------------------------------------------------------------------------------------------


@dataclass
class Findings:
    visited: list[str] = field(default_factory=list)  # "role page width"
    problems: list[str] = field(default_factory=list)
    violations: dict[str, list[str]] = field(default_factory=dict)  # page state -> lines
    html: dict[Path, str] = field(default_factory=dict)  # saved HTML file -> page state
    minor: dict[str, list[str]] = field(default_factory=dict)  # moderate and minor axe findings: told, not failed


def _demo_world() -> dict[str, str]:
    """The demo (as `manage.py demo` makes it), a person without a couple, a partner still waiting; returns
    the samples for object URLs."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from django.db.models import Count

    from checkins.models import DateThatMatters, Phq9Response, Trigger
    from plans.models import AgreementItem, Question, Step
    from plans.stages import current_stage
    from recovery.access import membership_of
    from recovery.couples import SITUATION_HURT, create_couple
    from recovery.models import CareTeamAccess, User
    from tests.factories import make_invitation

    call_command("demo", allow_production=True, stdout=io.StringIO())
    people = {}
    for email, name in ((LONE, "Lou"), (WAITING, "Wren")):
        person = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=name)
        EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
        people[email] = person
    waiting = create_couple(user=people[WAITING], situation=SITUATION_HURT)
    _invitation, token = make_invitation(waiting, email="rowan@a11y.mend.test")
    alex = User.objects.get(email=ALEX)
    couple = membership_of(alex).couple
    therapist = User.objects.get(email=THERAPIST)
    RecoveryCodes.activate(therapist)
    assert CareTeamAccess.objects.filter(therapist=therapist, couple=couple, ended_at=None).exists()
    stage = current_stage(couple)
    step = Step.objects.filter(stage__number=stage, retired=False).first()
    # The amended answer: its page shows the most (the first answer, what changed, the answer now).
    question = Question.objects.filter(couple=couple, author=alex).annotate(n=Count("versions")).order_by("-n")[0]
    item = AgreementItem.objects.filter(couple=couple, status=AgreementItem.Status.IN_FORCE).first()
    ended = CareTeamAccess.objects.filter(therapist=therapist).exclude(ended_at=None).get()
    return {
        "token": token,
        "couple_id:therapist_couple:ended": str(ended.couple_id),
        "couple_id": str(couple.pk),
        "number": str(stage),
        "slug": step.slug,
        "pk:plans:question": str(question.pk),
        "pk:plans:agreement_change": str(item.pk),
        "pk:checkins:trigger_edit": str(Trigger.objects.filter(author=alex).first().pk),
        "pk:checkins:date_edit": str(DateThatMatters.objects.filter(author=alex).first().pk),
        "pk:checkins:phq9_result": str(Phq9Response.objects.filter(author=alex).first().pk),
        "key": "not-a-real-key",
        "uidb36": "1",
    }


def _path(name: str, samples: dict[str, str], variant: str = "") -> str:
    """The page's path: samples are looked up as "param:name:variant", then "param:name", then "param"."""
    route = next(r for r in all_routes() if r.name == name)
    keys = {param: [f"{param}:{name}:{variant}", f"{param}:{name}", param] for param in route.params}
    values = {param: next(samples[key] for key in keys[param] if key in samples) for param in route.params}
    if name in ("account_restore", "care_accept", "checkins:pause_reminders"):
        values["token"] = "not-a-real-token"
    return concrete_path(route, values)


def _slug(name: str) -> str:
    return (name or "home").replace(":", "-").replace("_", "-")


def _check(page: Page, response: Response | None, role: str, name: str, width: str, found: Findings) -> None:
    html = _body(response) if width == "390" else None
    """axe on the page as it stands, the server's HTML kept for vnu, a full-page screenshot."""
    state = f"{role}-{name}-{width}"
    found.visited.append(state)
    page.wait_for_load_state("load")
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            found.minor.setdefault(f"{violation['impact']} {violation['id']}", []).append(state)
            continue
        for node in violation["nodes"]:
            lines.append(f"{violation['impact']} {violation['id']}: {node['target']} — {violation['help']}")
    if lines:
        found.violations[f"{state} ({page.url})"] = lines
    page.evaluate("() => window.scrollTo(0, 0)")  # a sticky header drawn mid-page otherwise (focus may scroll)
    page.screenshot(path=str(OUT / f"{state}.png"), full_page=True)
    if html is not None:
        saved = OUT / "html" / f"{role}-{name}.html"
        saved.write_bytes(html)
        found.html[saved] = f"{role}-{name} ({page.url})"


def _body(response: Response | None) -> bytes | None:
    """What the server sent (read before anything on the page can navigate)."""
    return None if response is None else response.body()


def _without_refresh(route: Route) -> None:
    """The page as the server sent it, less its immediate meta refresh, so that it stays to be checked."""
    response = route.fetch()
    body = REFRESH.sub("", response.text(), count=1)
    route.fulfill(response=response, body=body)


# A form sent back with a summary of its errors puts the focus there (static/js/mend.js).
FOCUS_ON_SUMMARY = """() => !document.querySelector('main [data-error-summary]')
    || document.activeElement === document.querySelector('main [data-error-summary]')"""


def _quick_exit_comes_first(page: Page) -> bool:
    """Quick exit is the first thing Tab reaches on a page just opened."""
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement.classList.contains('quick-exit__button')")
    page.evaluate("() => document.activeElement.blur()")
    return first


def _send_empty(page: Page, selector: str, by_button: bool) -> Response | None:
    """Send the form with its typed fields emptied and the browser's own checks off: the server's errors."""
    form = page.locator(selector).first
    form.evaluate(
        """form => {
          form.noValidate = true;
          for (const field of form.querySelectorAll('input, textarea')) {
            if (['text', 'email', 'password', 'number', 'url', 'tel', 'search', 'date', 'time'].includes(field.type)
                || field.tagName === 'TEXTAREA') { field.value = ''; }
          }
        }"""
    )
    with page.expect_navigation() as navigation:
        form.evaluate(
            "(form, named) => named ? form.requestSubmit(form.querySelector('[type=submit]')) : form.requestSubmit()",
            by_button,
        )
    return navigation.value


def _confirm_password(page: Page) -> Response | None:
    """allauth asks for the password again before these pages (however recent the log-in): give it."""
    page.locator("main input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation() as navigation:
        page.locator("main form[method=post] [type=submit]").first.click()
    return navigation.value


def _current_code() -> str:
    from recovery.care.demo import DEMO_TOTP_SECRET
    from recovery.totp import totp_code

    return totp_code(DEMO_TOTP_SECRET)


def _log_in(page: Page, base: str, role: str, found: Findings) -> None:
    page.set_viewport_size(MOBILE)
    page.goto(base + reverse("account_login"))
    page.locator("main input[name=login]").fill(LOGINS[role])
    page.locator("main input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").first.click()
    if role == "therapist":
        # Two-step sign-in: the code page, then a wrong code (its error state), then the right one.
        expect(page.locator("main input[name=code]")).to_be_visible()
        for width, size in WIDTHS.items():
            page.set_viewport_size(size)
            _check(page, page.reload(), role, "mfa-authenticate", width, found)
        for width, size in WIDTHS.items():
            page.set_viewport_size(size)
            page.locator("main input[name=code]").fill(f"{(int(_current_code()) + 500_000) % 1_000_000:06d}")
            with page.expect_navigation() as navigation:
                page.locator("main form[method=post] [type=submit]").first.click()
            if navigation.value.status != 400:
                found.problems.append(f"a wrong code: expected 400, got {navigation.value.status}")
            _check(page, navigation.value, role, "mfa-authenticate-error", width, found)
        page.locator("main input[name=code]").fill(_current_code())
        with page.expect_navigation():
            page.locator("main form[method=post] [type=submit]").first.click()
    expect(page.locator("form[action='/accounts/logout/'] button")).to_have_count(1)


def _visit_page(page: Page, url: str, role: str, label: str, visit: Visit, found: Findings) -> None:
    """The page at both widths (and sent empty, for roles in visit.errors)."""
    if visit.leaves:
        page.route(url, _without_refresh)
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        response = page.goto(url)
        if visit.first and "/accounts/reauthenticate/" in page.url:
            response = _confirm_password(page)
        if response is None or response.status >= 500 or page.url != url:
            status = response.status if response else None
            found.problems.append(f"{role} {label} {width}: {url} answered {status}, ended at {page.url}")
        _check(page, response, role, label, width, found)
        if not visit.leaves and not _quick_exit_comes_first(page):
            found.problems.append(f"{role} {label} {width}: the first Tab doesn't reach Quick exit")
        if role in visit.errors:
            response = _send_empty(page, visit.form, visit.by_button)
            if response is None or response.status != 400:
                status = response.status if response else None
                found.problems.append(f"{role} {label} {width}: sent empty, expected 400, got {status}")
            _check(page, response, role, label + "-error", width, found)
            if not page.evaluate(FOCUS_ON_SUMMARY):
                found.problems.append(f"{role} {label} {width}: sent empty, focus isn't on the error summary")


def _visit_as(browser: Browser, base: str, role: str, samples: dict[str, str], found: Findings) -> None:
    context = browser.new_context(timezone_id=TIME_ZONE, locale="en-GB", viewport=MOBILE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    # Through the DevTools protocol, so the page's Content-Security-Policy (no inline script) allows it.
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        if role != "anon":
            _log_in(page, base, role, found)
        pages = sorted(PAGES.items(), key=lambda item: not item[1].first)
        for name, visit in pages:
            if role not in visit.roles:
                continue
            for variant in ("", *visit.variants):
                path = _path(name, samples, variant) + visit.query
                label = _slug(name) + (f"-{variant}" if variant else "")
                _visit_page(page, base + path, role, label, visit, found)
    finally:
        context.close()


def _axe_finds_a_known_fault(browser: Browser) -> None:
    """So that a silent checker can't pass the test: axe must see an image with no text alternative."""
    page = browser.new_page()
    try:
        page.set_content('<!DOCTYPE html><html lang="en"><title>t</title><main><img src="/x.png"></main></html>')
        page.add_script_tag(path=str(AXE))  # about:blank has no Content-Security-Policy
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        assert "image-alt" in {violation["id"] for violation in results["violations"]}, results["violations"]
    finally:
        page.close()


def _vnu_errors(found: Findings) -> list[str]:
    """One Nu HTML checker run (one JVM) over every page's HTML, and a known-bad page it must fault."""
    known_bad = OUT / "html" / "known-bad.html"
    known_bad.write_text('<!DOCTYPE html><html lang="en"><title>t</title><p><time datetime="soon">x</time></p>')
    files = [*sorted(found.html), known_bad]
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    by_file = {path.resolve(): found.html.get(path, "known-bad") for path in files}
    errors = []
    for message in messages:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            url = message.get("url", "?")
            where = by_file.get(Path(url.removeprefix("file:")).resolve(), url)
            if where == "known-bad":
                known_bad.unlink()
                continue
            extract = (message.get("extract") or "").strip().replace("\n", " ")
            errors.append(f"{where} line {message.get('lastLine')}: {message['message']} [{extract}]")
    assert not known_bad.exists(), f"The Nu HTML checker found nothing wrong in {known_bad}: is it working?"
    return errors


@pytest.fixture
def checkers() -> None:
    missing = [str(path.relative_to(ROOT)) for path in (AXE, VNU) if not path.exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing: run `npm ci --ignore-scripts` (make install does)")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (apt-get install default-jre-headless), needed by the Nu HTML checker")


def test_every_page_passes_axe_and_the_nu_html_checker(
    checkers: None, live_server: LiveServer, browser: Browser, transactional_db: None
) -> None:
    _axe_finds_a_known_fault(browser)
    samples = _demo_world()
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "html").mkdir(parents=True)
    found = Findings()
    for role in ROLES:
        _visit_as(browser, live_server.url, role, samples, found)

    vnu = _vnu_errors(found)
    report = [f"{len(found.visited)} page states checked; screenshots in {OUT}"]
    report += [f"axe, not failed: {rule} on {', '.join(states)}" for rule, states in sorted(found.minor.items())]
    report += found.problems
    for state, lines in found.violations.items():
        report += [f"axe, {state}:", *(f"  {line}" for line in lines)]
    report += [f"vnu: {error}" for error in vnu]
    print("\n".join(report))
    assert not (found.problems or found.violations or vnu), "\n".join(report)
