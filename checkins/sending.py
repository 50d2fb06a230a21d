"""Building and sending the discreet e-mails: reminders and partner events.

Every message says only that something is waiting in Mend: never the affair, trust, stages, the
partner, or what anyone wrote. Each carries a signed one-click link to pause reminders, and
List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058) pointing at it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from recovery.models import User

PAUSE_SALT = "mend.reminders.pause"
PAUSE_LINK_MAX_AGE = 60 * 60 * 24 * 90  # a pause link in an old e-mail still works for 90 days

# kind -> template name
TEMPLATES = {
    "daily": "reminder_daily",
    "weekly": "reminder_weekly",
    "partner_ready": "event_update",
    "reviews_ready": "event_update",
}


def pause_token(user: User) -> str:
    return signing.TimestampSigner(salt=PAUSE_SALT).sign(str(user.pk))


def user_from_pause_token(token: str) -> User | None:
    try:
        pk = signing.TimestampSigner(salt=PAUSE_SALT).unsign(token, max_age=PAUSE_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def build_message(*, user: User, kind: str) -> EmailMultiAlternatives:
    pause_url = settings.SITE_URL.rstrip("/") + reverse("checkins:pause_reminders", args=[pause_token(user)])
    context = {
        "name": user.get_short_name(),
        "site_url": settings.SITE_URL.rstrip("/") + "/",
        "pause_url": pause_url,
    }
    name = TEMPLATES[kind]
    message = EmailMultiAlternatives(
        subject=render_to_string(f"emails/{name}_subject.txt", context).strip(),
        body=render_to_string(f"emails/{name}_body.txt", context),
        from_email=f"{settings.REMINDER_FROM_NAME} <{settings.REMINDER_FROM_ADDRESS}>",
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{pause_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    return message
