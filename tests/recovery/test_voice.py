"""Mend's voice on allauth's pages, messages and e-mails: every page a person can reach in this
configuration is Mend's own template, in sentence case with one set of words ("log in", "two-step
sign-in", "signed-in devices", "e-mail"); devices read as "Chrome on Android"; the authenticator key is
shown in groups with an otpauth:// link; account e-mails are discreet."""

from __future__ import annotations

import gettext
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core import mail
from django.template.loader import get_template, render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from recovery.devices import Device, describe_device, device_name, parse_user_agent
from recovery.templatetags.account_pages import key_groups
from tests.checkins.test_reminders import FORBIDDEN
from tests.factories import PASSWORD, EmailAddressFactory, TherapistFactory, UserFactory, enable_mfa
from tests.helpers import page

MEND_TEMPLATES = Path(settings.BASE_DIR) / "templates"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"

# allauth's wording that Mend replaced, and words that break "one set of words" (case-sensitive where the
# case is the point: "Sign In" is Title Case, "sign in" is the other verb).
OLD_WORDING = re.compile(
    r"Sign In|Sign Up|Sign Out|Signup|Log In|Log Out|Two-Factor|two-factor|Authentication|Sessions|"
    r"Change Email|Email Address|Confirm Access|Please contact us|contact us|Recovery Codes|Authenticator App|"
    r"Verify Your|Activate|Deactivate|Reauthenticate|\b[Ss]ign(ed)? (in|out)\b|\bMFA\b|\b2FA\b|\bTOTP\b"
)
EMAIL_WITHOUT_HYPHEN = re.compile(r"\b[Ee]mail\b")

pytestmark = pytest.mark.django_db


# --- reading a page as a person does ----------------------------------------------------------------


class _VisibleText(HTMLParser):
    """The page's <title> and what <main> shows or reads out: text nodes outside <script>/<style>, and the
    attributes that are shown or read (title, placeholder, alt, aria-label). The header and footer around
    <main> are the site's base page, checked elsewhere."""

    SHOWN_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}

    def __init__(self, attributes: bool) -> None:
        super().__init__()
        self.attributes = attributes
        self.parts: list[str] = []
        self._skip = 0
        self._in_title = False
        self._in_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag == "main":
            self._in_main = True
        if self._in_main and self.attributes:
            self.parts.extend(value for name, value in attrs if value and name in self.SHOWN_ATTRIBUTES)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag == "main":
            self._in_main = False

    def handle_data(self, data: str) -> None:
        if not self._skip and (self._in_main or self._in_title) and data.strip():
            self.parts.append(data)


def visible_text(html: str, *, attributes: bool = True) -> str:
    parser = _VisibleText(attributes)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def not_our_words(text: str) -> list[str]:
    return [match.group(0) for pattern in (OLD_WORDING, EMAIL_WITHOUT_HYPHEN) for match in pattern.finditer(text)]


def assert_in_our_voice(html: str, where: str) -> None:
    text = visible_text(html)
    assert not not_our_words(text), f"{where}: {not_our_words(text)} in {text!r}"


# --- people in each state -----------------------------------------------------------------------------


def log_in(client: Client, user: object, secret: str | None = None) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if secret:
        assert response["Location"] == reverse("mfa_authenticate")
        code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
        response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def confirm_it_is_me(client: Client) -> None:
    """allauth asks again before changes to how someone logs in (recent password entry)."""
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302


def signed_in(user: object, secret: str | None = None, *, user_agent: str = ANDROID_CHROME) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    log_in(client, user, secret)
    return client


def with_two_step(user: object) -> str:
    secret = enable_mfa(user)
    RecoveryCodes.activate(user)
    return secret


# --- every reachable page is Mend's, in our words -------------------------------------------------------


def _anonymous_pages() -> dict[str, str]:
    return {
        "log in": reverse("account_login"),
        "sign up": reverse("account_signup"),
        "check your e-mail (after sign-up)": reverse("account_email_verification_sent"),
        "reset your password": reverse("account_reset_password"),
        "reset e-mail sent": reverse("account_reset_password_done"),
        "reset link that doesn't work": reverse("account_reset_password_from_key", args=["1", "not-a-key"]),
        "password changed by reset": reverse("account_reset_password_from_key_done"),
        "confirmation link that doesn't work": reverse("account_confirm_email", args=["not-a-key"]),
        "account switched off": reverse("account_inactive"),
    }


@pytest.mark.parametrize("name", list(_anonymous_pages()))
def test_every_page_before_logging_in_is_in_our_voice(client: Client, name: str) -> None:
    response = client.get(_anonymous_pages()[name])
    assert response.status_code == 200
    assert_in_our_voice(response.content.decode(), name)
    assert "Quick exit" in page(response)  # Mend's base, not allauth's


def test_a_valid_confirmation_link_asks_to_confirm_in_our_words(client: Client) -> None:
    user = UserFactory(email="robin@example.com", verified=False)
    address = EmailAddressFactory(user=user, verified=False, primary=True)
    response = client.get(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]))
    assert response.status_code == 200
    assert "Confirm my e-mail address" in page(response)
    assert_in_our_voice(response.content.decode(), "confirm e-mail")


def test_a_confirmation_link_for_an_address_taken_by_another_account_says_so(client: Client) -> None:
    UserFactory(email="shared@example.com")  # confirmed there
    other = UserFactory(email="other@example.com")
    address = EmailAddressFactory(user=other, email="shared@example.com", verified=False)
    response = client.get(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]))
    assert response.status_code == 200
    assert "This address belongs to another account" in page(response)
    assert_in_our_voice(response.content.decode(), "confirm e-mail, taken")


def test_a_valid_password_reset_link_asks_for_a_new_password_in_our_words(client: Client) -> None:
    user = UserFactory(email="robin@example.com")
    url = reverse(
        "account_reset_password_from_key", args=[user_pk_to_url_str(user), default_token_generator.make_token(user)]
    )
    response = client.get(url, follow=True)
    assert response.status_code == 200
    text = page(response)
    assert "Choose a new password" in text and "New password (again)" in text
    assert_in_our_voice(response.content.decode(), "reset from key")


def _signed_in_pages() -> dict[str, tuple[str, str]]:
    """name: (url name, the state of the person: plain, reauthenticated, two-step, two-step reauthenticated)."""
    return {
        "e-mail address": ("account_email", "plain"),
        "change password": ("account_change_password", "plain"),
        "log out": ("account_logout", "plain"),
        "confirm it's you (password)": ("account_reauthenticate", "plain"),
        "two-step sign-in, off": ("mfa_index", "plain"),
        "set up two-step sign-in": ("mfa_activate_totp", "reauthenticated"),
        "signed-in devices": ("usersessions_list", "plain"),
        "two-step sign-in, on": ("mfa_index", "two-step"),
        "e-mail address with two-step sign-in": ("account_email", "two-step"),
        "confirm it's you (code)": ("mfa_reauthenticate", "two-step"),
        "turn off two-step sign-in": ("mfa_deactivate_totp", "two-step reauthenticated"),
        "recovery codes": ("mfa_view_recovery_codes", "two-step reauthenticated"),
        "make new recovery codes": ("mfa_generate_recovery_codes", "two-step reauthenticated"),
    }


@pytest.mark.parametrize("name", list(_signed_in_pages()))
def test_every_signed_in_account_page_is_in_our_voice(name: str) -> None:
    url_name, state = _signed_in_pages()[name]
    user = TherapistFactory(email="robin@example.com")
    client = signed_in(user, with_two_step(user) if state.startswith("two-step") else None)
    if state.endswith("reauthenticated"):
        confirm_it_is_me(client)
    response = client.get(reverse(url_name))
    assert response.status_code == 200, response.get("Location")
    assert_in_our_voice(response.content.decode(), name)
    assert "Quick exit" in page(response)


def test_setting_a_first_password_is_in_our_voice() -> None:
    user = UserFactory(email="robin@example.com")
    client = signed_in(user)
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.get(reverse("account_set_password"))
    assert response.status_code == 200
    assert "Choose a password" in page(response)
    assert_in_our_voice(response.content.decode(), "set password")


def test_the_second_step_at_log_in_is_in_our_voice(client: Client) -> None:
    user = UserFactory(email="robin@example.com")
    enable_mfa(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    text = page(response)
    assert "Enter your code" in text and "recovery codes" in text
    assert 'inputmode="numeric"' in text and 'autocomplete="one-time-code"' in text
    assert_in_our_voice(response.content.decode(), "second step")
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "That code didn't work" in page(wrong)
    assert_in_our_voice(wrong.content.decode(), "second step, wrong code")


def test_a_refused_log_in_explains_in_our_words(client: Client) -> None:
    response = client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "not-it"})
    assert response.status_code == 400
    assert "That e-mail address and password don't match" in page(response)
    assert_in_our_voice(response.content.decode(), "refused log in")


def test_too_many_tries_get_mend_s_own_page(client: Client, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "1/m/ip"}
    client.post(reverse("account_reset_password"), {"email": "robin@example.com"})
    response = client.post(reverse("account_reset_password"), {"email": "robin@example.com"})
    assert response.status_code == 429
    assert "Too many tries in a short time" in page(response) and "Quick exit" in page(response)
    assert_in_our_voice(response.content.decode(), "429")


# allauth's page templates Mend doesn't use: disabled features (social accounts, passkeys and security keys,
# log-in and verification by code, phone numbers, trusted browsers, the OpenID provider) and the empty
# layouts that only pass through to Mend's own.
NOT_REACHABLE_HERE = re.compile(
    r"^(socialaccount|openid|idp|mfa/webauthn)/|"
    r"^account/(signup_by_passkey|request_login_code|confirm_\w+_code|base_confirm_code|phone_change|base_\w+)\.html$|"
    r"^mfa/(trust|base_\w+)\.html$|^usersessions/base_manage\.html$|^allauth/elements/"
)


def test_every_allauth_page_template_in_use_is_mend_s_own() -> None:
    names = sorted(
        str(path.relative_to(ALLAUTH_TEMPLATES))
        for path in ALLAUTH_TEMPLATES.rglob("*")
        if path.suffix in {".html", ".txt"}
    )
    in_use = [name for name in names if not NOT_REACHABLE_HERE.search(name)]
    assert "account/login.html" in in_use and "mfa/totp/activate_form.html" in in_use
    not_ours = [name for name in in_use if not Path(get_template(name).origin.name).is_relative_to(MEND_TEMPLATES)]
    assert not not_ours, f"allauth's own wording still used by: {not_ours}"


# --- the flash messages ---------------------------------------------------------------------------------

MESSAGE_CONTEXT = {"email": "robin@example.com", "recipient": "robin@example.com", "phone": "+64 21 000 000"}


@pytest.mark.parametrize(
    "name",
    sorted(
        str(path.relative_to(ALLAUTH_TEMPLATES))
        for path in ALLAUTH_TEMPLATES.glob("*/messages/*.txt")
        if not path.name.startswith("webauthn") and path.parent.parent.name != "socialaccount"
    ),
)
def test_every_flash_message_is_ours(name: str, rf: RequestFactory) -> None:
    assert Path(get_template(name).origin.name).is_relative_to(MEND_TEMPLATES)
    request = rf.get("/")
    request.user = UserFactory(email="robin@example.com")
    text = render_to_string(name, MESSAGE_CONTEXT, request).strip()
    assert not not_our_words(text), text


def test_one_message_after_confirming_an_e_mail_address(client: Client) -> None:
    user = UserFactory(email="robin@example.com", verified=False)
    address = EmailAddressFactory(user=user, verified=False, primary=True)
    response = client.post(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]), follow=True)
    texts = [str(message) for message in response.context["messages"]]
    assert texts == ["Thank you: robin@example.com is confirmed."]


# --- the account e-mails --------------------------------------------------------------------------------


def _allauth_email_prefixes() -> list[str]:
    prefixes = [
        str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_subject.txt")
        for path in ALLAUTH_TEMPLATES.glob("*/email/*_subject.txt")
    ]
    return sorted(prefix for prefix in prefixes if not prefix.startswith("socialaccount/"))


EMAIL_CONTEXT = {
    "activate_url": "https://mend.example/accounts/confirm-email/KEY/",
    "key": "KEY",
    "password_reset_url": "https://mend.example/accounts/password/reset/key/1-KEY/",
    "signup_url": "https://mend.example/accounts/signup/",
    "from_email": "old@example.com",
    "to_email": "new@example.com",
    "deleted_email": "old@example.com",
    "ip": "203.0.113.7",
    "user_agent": ANDROID_CHROME,
}


@pytest.mark.parametrize("prefix", _allauth_email_prefixes())
def test_every_account_e_mail_is_ours_discreet_and_plain(prefix: str, rf: RequestFactory) -> None:
    for part in ("subject", "message"):
        template = get_template(f"{prefix}_{part}.txt")
        assert Path(template.origin.name).is_relative_to(MEND_TEMPLATES), f"{prefix}_{part} is allauth's"
    request = rf.get("/")
    request.user = user = UserFactory(email="robin@example.com", display_name="Robin")
    with allauth_context.request_context(request):
        message = get_adapter(request).render_mail(
            prefix,
            "robin@example.com",
            {
                "request": request,
                "user": user,
                "email": "robin@example.com",
                "timestamp": timezone.now(),
                **EMAIL_CONTEXT,
                **({"code": "123456"} if prefix.endswith("_code") else {}),
            },
        )
    subject, body = str(message.subject), str(message.body)
    assert re.fullmatch(r"Mend: [a-z][a-z -]+", subject), subject
    everything = (subject + "\n" + body).lower()
    assert not [word for word in FORBIDDEN if word in everything], (prefix, [w for w in FORBIDDEN if w in everything])
    assert not not_our_words(re.sub(r"https?://\S+", "", subject + "\n" + body)), body  # links aren't words
    assert body.startswith("Hello,") and body.rstrip().endswith("— Mend")
    assert "{{" not in body and "{%" not in body
    # What each e-mail is for is in it: the link or the code, or for a security notice, which device did it.
    name = prefix.rsplit("/", 1)[1]
    needed = {
        "email_confirmation": EMAIL_CONTEXT["activate_url"],
        "email_confirmation_signup": EMAIL_CONTEXT["activate_url"],
        "password_reset_key": EMAIL_CONTEXT["password_reset_url"],
        "account_already_exists": EMAIL_CONTEXT["password_reset_url"],
        "unknown_account": EMAIL_CONTEXT["signup_url"],
        "login_code": "123456",
        "password_reset_code": "123456",
    }.get(name, "From: Chrome on Android, IP address 203.0.113.7")
    assert needed in body, (prefix, body)


def test_a_security_notice_names_the_device_and_links_to_the_devices_page(deliver) -> None:
    user = UserFactory(email="robin@example.com")
    client = signed_in(user)
    with deliver():
        response = client.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a-brand-new-long-passphrase",
                "password2": "a-brand-new-long-passphrase",
            },
        )
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if "password was changed" in m.subject]
    assert message.subject == "Mend: your password was changed"
    assert "From: Chrome on Android, IP address 127.0.0.1" in message.body
    assert message.body.count(settings.SITE_URL) == 2 and reverse("usersessions_list") in message.body
    assert ANDROID_CHROME not in message.body


@pytest.mark.django_db(transaction=True)  # allauth sends it on commit, while the request is still open
def test_turning_two_step_sign_in_on_sends_a_notice_in_our_words() -> None:
    user = UserFactory(email="robin@example.com")
    client = signed_in(user)
    confirm_it_is_me(client)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    client.post(reverse("mfa_activate_totp"), {"code": code})
    (message,) = [m for m in mail.outbox if m.to == ["robin@example.com"]]
    assert message.subject == "Mend: two-step sign-in is on"
    assert "Two-step sign-in is now on" in message.body


# --- signed-in devices ----------------------------------------------------------------------------------

USER_AGENTS = [
    (ANDROID_CHROME, "Chrome on Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/16.6 Mobile/15E148 Safari/604.1", "Safari on iPad"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4.1 Safari/605.1.15", "Safari on Mac"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1", "Chrome on iPhone"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "FxiOS/125.0 Mobile/15E148 Safari/605.1.15", "Firefox on iPhone"),
    (WINDOWS_FIREFOX, "Firefox on Windows"),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox on Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
     "Safari/537.36 Edg/124.0.2478.80", "Edge on Windows"),
    ("Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
     "Safari/537.36 OPR/110.0.0.0", "Opera on Windows"),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
     "Safari/537.36", "Chrome on ChromeOS"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/124.0.0.0 Safari/537.36", "Chrome on Mac"),
    # An app's own web view on an iPhone says which system, not which browser.
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Mobile/15E148 [FBAN/FBIOS;FBAV/460.0]", "a browser on iPhone"),
    ("curl/8.5.0", "an unknown browser"),
    ("", "an unknown browser"),
    ("\x00\x01 garbage ;;; (((", "an unknown browser"),
    ("Firefox/" + "9" * 5000, "Firefox"),
]  # fmt: skip


@pytest.mark.parametrize(("user_agent", "expected"), USER_AGENTS)
def test_a_user_agent_reads_as_browser_on_system(user_agent: str, expected: str) -> None:
    assert device_name(user_agent) == expected


def test_no_user_agent_at_all_is_an_unknown_browser() -> None:
    assert parse_user_agent(None) == Device(browser=None, system=None)
    assert describe_device(Device(browser=None, system=None)) == "an unknown browser"


def test_the_devices_page_shows_readable_cards_with_this_device_first() -> None:
    user = UserFactory(email="robin@example.com")
    signed_in(user, user_agent=WINDOWS_FIREFOX)
    phone = signed_in(user, user_agent=ANDROID_CHROME)
    UserSession.objects.filter(user=user, user_agent=WINDOWS_FIREFOX).update(
        last_seen_at=timezone.now() - timedelta(minutes=7)
    )
    response = phone.get(reverse("usersessions_list"))
    html = response.content.decode()
    text = visible_text(html, attributes=False)
    assert "<table" not in html
    assert "Chrome on Android active now · this device" in text
    assert "Firefox on Windows active 7 minutes ago" in text
    assert text.index("Chrome on Android") < text.index("Firefox on Windows")
    assert text.count("this device") == 1 and "IP address 127.0.0.1" in text
    assert "Log out of all other devices" in text
    assert ANDROID_CHROME not in text
    # The button logs the other device out and says so.
    response = phone.post(reverse("usersessions_list"), follow=True)
    assert "You're logged out on every other device." in page(response)
    assert "Firefox on Windows" not in visible_text(response.content.decode())


def test_the_devices_page_with_one_device_offers_to_log_out() -> None:
    client = signed_in(UserFactory(email="robin@example.com"))
    text = visible_text(client.get(reverse("usersessions_list")).content.decode())
    assert "This is the only device logged in to your account." in text
    assert "Log out of all other devices" not in text


# --- two-step sign-in on one phone ---------------------------------------------------------------------


def test_key_groups_split_a_key_in_fours() -> None:
    assert key_groups("ABCDEFGHIJ") == ["ABCD", "EFGH", "IJ"]
    assert key_groups(" ABCD EFGH ") == ["ABCD", "EFGH"]
    assert key_groups("") == [] and key_groups(None) == []


def test_the_set_up_page_shows_the_key_in_groups_a_copy_button_and_an_otpauth_link() -> None:
    user = TherapistFactory(email="robin@example.com")
    client = signed_in(user)
    confirm_it_is_me(client)
    response = client.get(reverse("mfa_activate_totp"))
    secret = response.context["form"].secret
    html = response.content.decode()
    groups = re.findall(r'<span class="totp-key__group">([A-Z2-7]+)</span>', html)
    assert "".join(groups) == secret and all(len(group) == 4 for group in groups)
    links = re.findall(r'href="(otpauth://[^"]+)"', html)
    assert len(links) == 1 and links[0].startswith("otpauth://totp/") and f"secret={secret}" in links[0]
    assert "issuer=Mend" in links[0]
    assert "Open in my authenticator app" in visible_text(html)
    # Copying is progressive: the button appears only with a clipboard (static/js/mend.js).
    assert re.search(rf'<button type="button"[^>]*data-copy-text="{secret}"[^>]*hidden>Copy the key</button>', html)
    assert 'role="status" aria-live="polite"' in html
    assert "disabled" not in html
    (alt,) = re.findall(r'<img class="qr"[^>]*alt="([^"]*)"', html)
    assert alt and secret not in alt
    assert "Therapists need two-step sign-in before they see any couple" in page(response)


def test_a_wrong_code_keeps_the_same_key_and_says_why() -> None:
    client = signed_in(UserFactory(email="robin@example.com"))
    confirm_it_is_me(client)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 400
    assert response.context["form"].secret == secret
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "That code didn't work" in page(response)
    assert 'aria-describedby="id_code_helptext id_code_error"' in html
    # Said where the page opens too, with the way back to the field: on a phone the field is far below.
    assert html.index('role="alert"') < html.index('class="totp-key"') and 'href="#id_code"' in html


@pytest.mark.django_db(transaction=True)  # allauth adds its message on commit, while the request is open
def test_after_setting_it_up_the_recovery_codes_come_with_where_to_keep_them() -> None:
    user = UserFactory(email="robin@example.com")
    client = signed_in(user)
    confirm_it_is_me(client)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_activate_totp"), {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    html = response.content.decode()
    text = visible_text(html)
    codes = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert all(f"<code>{c}</code>" in html for c in codes)
    assert [str(m) for m in response.context["messages"]] == ["Two-step sign-in is on."]
    assert "password manager" in text and "printed or written down" in text
    # Download is the main action; making new codes is secondary, tucked away, with its warning.
    download = html.index(f'<a class="button" href="{reverse("mfa_download_recovery_codes")}">Download the codes</a>')
    new_codes = html.index(f'<a class="button button--secondary" href="{reverse("mfa_generate_recovery_codes")}">')
    assert download < new_codes
    assert "will stop working straight away" in text
    downloaded = client.get(reverse("mfa_download_recovery_codes"))
    body = downloaded.content.decode()
    assert all(c in body for c in codes)
    assert "Mend" not in body and user.email not in body  # a file left in Downloads doesn't say whose it is


def test_making_new_codes_warns_that_the_old_ones_stop_working() -> None:
    user = UserFactory(email="robin@example.com")
    client = signed_in(user, with_two_step(user))
    confirm_it_is_me(client)
    text = visible_text(client.get(reverse("mfa_generate_recovery_codes")).content.decode())
    assert "Your 10 unused codes will stop working straight away" in text


def test_turning_it_off_warns_a_therapist_they_lose_access_to_couples() -> None:
    user = TherapistFactory(email="robin@example.com")
    client = signed_in(user, with_two_step(user))
    confirm_it_is_me(client)
    text = visible_text(client.get(reverse("mfa_deactivate_totp")).content.decode())
    assert "you won't see any couple's progress" in text


def test_the_e_mail_page_says_up_front_why_it_cannot_change_with_two_step_sign_in() -> None:
    user = UserFactory(email="robin@example.com")
    client = signed_in(user, with_two_step(user))
    html = client.get(reverse("account_email")).content.decode()
    assert "your e-mail address can't be changed here" in visible_text(html)
    assert 'name="action_add"' not in html


def test_changing_the_e_mail_address_shows_the_pending_change_in_our_words() -> None:
    user = UserFactory(email="robin@example.com")
    client = signed_in(user)
    confirm_it_is_me(client)
    client.post(reverse("account_email"), {"action_add": "", "email": "robin.new@example.com"})
    html = client.get(reverse("account_email")).content.decode()
    text = visible_text(html)
    assert "You're changing to robin.new@example.com" in text
    assert 'form="pending-email" name="action_send"' in html and 'form="pending-email" name="action_remove"' in html
    assert_in_our_voice(html, "pending e-mail change")


# --- the English catalogue for allauth's Python strings ------------------------------------------------

CATALOGUE = Path(settings.BASE_DIR) / "recovery" / "locale" / "en" / "LC_MESSAGES"


def _po_entries(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file of single-form entries (what Mend's catalogue holds)."""
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            match = re.match(r'^(msgid|msgstr) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            entries[fields["msgid"].encode().decode("unicode_escape")] = fields["msgstr"]
    return entries


def test_the_compiled_catalogue_matches_its_source() -> None:
    source = _po_entries((CATALOGUE / "django.po").read_text())
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = {key: value for key, value in gettext.GNUTranslations(handle)._catalog.items() if key}
    assert compiled == source


def test_the_catalogue_is_used_for_allauth_s_labels(client: Client) -> None:
    text = visible_text(client.get(reverse("account_login")).content.decode())
    assert "E-mail address" in text and "Forgotten your password?" in text


def test_no_template_of_ours_uses_inline_script_or_style() -> None:
    # The strict CSP forbids them; the URL walk checks pages, this checks the pages it can't reach.
    ours = [*MEND_TEMPLATES.glob("account/**/*.html"), *MEND_TEMPLATES.glob("mfa/**/*.html"),
            *MEND_TEMPLATES.glob("usersessions/**/*.html")]  # fmt: skip
    assert len(ours) > 20
    for path in ours:
        source = path.read_text()
        assert "<script" not in source and "style=" not in source and "<style" not in source, path
