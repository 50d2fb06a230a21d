"""Mend settings: one file, every value from the environment, safe defaults for a first run.

The README lists every variable and its default. With DEBUG off, SECRET_KEY, ALLOWED_HOSTS,
MFA_ENCRYPTION_KEYS and ENTRY_ENCRYPTION_KEYS must be set, and `manage.py check --deploy --fail-level WARNING` is clean.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("MEND_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghijklmnop"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local development run).")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host name(s) Mend is served on.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    "recovery",
    "plans",
    "checkins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "recovery.middleware.drop_nul_cookies_middleware",  # before the session looks its cookie up
    "recovery.sessions.ThrottledSessionMiddleware",  # writes an unchanged session at most once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "recovery.sessions.user_sessions_activity_middleware",  # allauth's, at most once a minute
    "recovery.middleware.user_time_zone_middleware",
    "recovery.middleware.no_store_middleware",
    "recovery.middleware.invalid_form_status_middleware",
    "recovery.middleware.clear_site_data_on_sign_out_middleware",
    "recovery.middleware.reject_nul_bytes_middleware",
]

ROOT_URLCONF = "recovery.urls"
WSGI_APPLICATION = "recovery.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recovery.context_processors.mend",
                "checkins.context_processors.triggers",  # the partner's shared triggers waiting for a word
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mend.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# allauth's rate limits need a cache every process shares: the database by default, Redis when set.
_cache_url = env.str("CACHE_URL", default="db://mend_cache")
if _cache_url.startswith(("redis://", "rediss://")):
    # Django's Redis cache, reusing its Redis clients (recovery/cache.py).
    CACHES = {"default": {"BACKEND": "recovery.cache.RedisCache", "LOCATION": _cache_url}}
elif _cache_url.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": _cache_url.removeprefix("db://") or "mend_cache",
        }
    }
else:
    raise ImproperlyConfigured("CACHE_URL must start with db:// or redis://")
# The page layout's header, menu and footer, drawn once per process and kept in its memory (templates/base.html):
# the same for everyone who sees the same menu, never anything a person wrote. Gone when the process restarts,
# as a deploy does, so a changed template or translation is drawn afresh.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mend-fragments"}
# The charts of the home page and of a therapist's couple summary, drawn once and kept in the process's memory,
# never in a shared store: scores are what a person chose to share, and a copy kept after they took an entry
# back (its key is exactly what the charts draw, so it is never shown again) is gone within the hour, or at a
# restart, and is never written anywhere.
CACHES["charts"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "mend-charts",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "recovery.User"
# Django's and allauth's backends, each loading the person with their therapist profile (one query, not two,
# on every page): recovery/auth_backends.py.
AUTHENTICATION_BACKENDS = [
    "recovery.auth_backends.ModelBackend",
    "recovery.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "recovery.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "recovery.forms.SignupDetailsForm"
# The same password hashing whether or not the address already has an account (recovery/signup.py).
ACCOUNT_FORMS = {"signup": "recovery.signup.SignupForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Mend: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    # Mend's own: invitation e-mails, per inviting person and per invited address.
    "mend_invitation": "10/h/user,3/h/key",
    # "Download my data": building one reads everything a person has written, so not without end.
    "mend_data_export": "5/d/user",
}
# Behind a TLS proxy every request comes from the proxy: trust its X-Forwarded-For so rate limits stay
# per visitor rather than global. Only set this when the web process is reachable through the proxy alone.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_TLS_PROXY", False) else 0)

MFA_ADAPTER = "recovery.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Mend"

USERSESSIONS_TRACK_ACTIVITY = True


def _fernet_keys(name: str, purpose: str) -> list[str]:
    """Fernet keys from the environment variable `name`; the first encrypts, all decrypt. Required with
    DEBUG off; in development, a key derived from the development SECRET_KEY, stable across restarts."""
    keys = env.list(name, default=[])
    if not keys:
        if not DEBUG:
            raise ImproperlyConfigured(
                f"Set {name} to one or more Fernet keys "
                '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
            )
        keys = [base64.urlsafe_b64encode(hashlib.sha256((purpose + ":" + SECRET_KEY).encode()).digest()).decode()]
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"Each {name} entry must be a Fernet key (44 url-safe base64 characters)."
            ) from exc
    return keys


# TOTP secrets and recovery-code seeds (recovery/adapters.py).
MFA_ENCRYPTION_KEYS = _fernet_keys("MFA_ENCRYPTION_KEYS", "mfa")
# Every free-text field a person writes, and the data exports waiting to be downloaded
# (recovery/entry_crypto.py). Rotate: put a new key first, run `manage.py rotate_entry_keys`, then drop
# the old one.
ENTRY_ENCRYPTION_KEYS = _fernet_keys("ENTRY_ENCRYPTION_KEYS", "entries")

# --- Sessions and security ----------------------------------------------------------------------
SESSION_ENGINE = "recovery.sessions"  # the database, expiring the idle timeout after its last touch
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
# Each request pushes the expiry forward (an idle timeout), writing the row at most once a minute:
# recovery/sessions.py.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load-balancer probes speak plain HTTP
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"  # gone on sign-out
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script or style anywhere: every page works under this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # allauth renders the TOTP QR code as a data: SVG
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# A neutral page the quick-exit control leaves for.
QUICK_EXIT_URL = env.str("QUICK_EXIT_URL", default="https://www.bbc.com/weather")

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if env.str("EMAIL_BACKEND", default=""):  # e.g. django.core.mail.backends.filebased.EmailBackend
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# The one sender of every e-mail Mend sends (keep the name discreet); `check --deploy` refuses a
# .localhost address.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mend <no-reply@mend.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # a hung mail server must not hold a worker
# The address every link in an e-mail points at; `check --deploy` requires https and a public host.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The outbox (recovery/outbox.py): a send's lease — after it, a send a killed worker had started is taken
# up again — and how long a queued e-mail may wait for its broker message before it is rung again.
DELIVERY_CLAIM_TIMEOUT = env.int("DELIVERY_CLAIM_TIMEOUT", default=120)
DELIVERY_REQUEUE_AFTER = env.int("DELIVERY_REQUEUE_AFTER", default=120)

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# One sweep a minute turns due reminders into deliveries. Run exactly one beat process.
CELERY_BEAT_SCHEDULE = {
    # At the start of every minute, so a reminder set for 20:00 goes out within 20:00.
    "sweep-reminders": {"task": "checkins.sweep_reminders", "schedule": crontab(), "options": {"expires": 55}},
    # Every minute, ring again for any e-mail whose broker message was lost (see recovery/outbox.py).
    "heal-outbox": {"task": "mend.heal_outbox", "schedule": crontab(), "options": {"expires": 55}},
    # Every ten minutes: expired downloads deleted (and lost export jobs started again), accounts closed
    # more than ACCOUNT_RESTORE_DAYS ago and spaces closed more than CLOSED_SPACE_KEPT_DAYS ago erased,
    # ended sessions removed (see recovery/composition/erasure.py).
    "privacy-upkeep": {
        "task": "mend.privacy_upkeep",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # How long before a message a killed worker had taken is handed to another worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}

# --- Static files, i18n, time -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if DEBUG:  # a first run keeps SQLite, the filesystem broker and static files under var/
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Couple space -------------------------------------------------------------------------------
INVITATION_VALID_DAYS = 7

# --- Your data (recovery/composition/: data_export.py, closing.py, erasure.py; the privacy page says the same) --
DATA_EXPORT_VALID_HOURS = 24  # a prepared download can be fetched for this long, then it is deleted
ACCOUNT_RESTORE_DAYS = 14  # a closed account can be restored for this long, then it is erased
CLOSED_SPACE_KEPT_DAYS = 30  # a closed space is erased this long after both partners have left it

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_links": {"()": "recovery.logs.RedactSecretLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_links"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

CSRF_FAILURE_VIEW = "recovery.views.csrf_failure"
