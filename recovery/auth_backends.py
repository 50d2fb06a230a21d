"""Who is signed in, read together with whether they are a therapist.

Every signed-in page asks both (the menu differs), and they were two queries; Django's backends load the
person by primary key, so these load the therapist profile with them (a LEFT JOIN on a one-to-one). They
authenticate exactly as the backends they extend.

Sessions signed in before these backends existed name Django's or allauth's; the session store reads those
names as these (recovery/sessions.py), so no one is signed out by the change.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from recovery.models import User


class _ReadsTherapistProfile:
    def get_user(self, user_id: int) -> User | None:
        try:
            user = User._default_manager.select_related("therapist_profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_ReadsTherapistProfile, DjangoModelBackend):
    """Django's backend (sign-in by e-mail and password: the admin's log-in)."""


class AuthenticationBackend(_ReadsTherapistProfile, AllauthBackend):
    """allauth's backend (Mend's own log-in)."""


# The backends sessions named before, and the ones that now stand for them.
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "recovery.auth_backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "recovery.auth_backends.AuthenticationBackend",
}
