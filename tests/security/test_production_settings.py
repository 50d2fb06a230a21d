"""Production settings: `check --deploy` is clean, cookies and headers are strict, secrets required."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-" + Fernet.generate_key().decode() + Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "mend.example.org",
    "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ENTRY_ENCRYPTION_KEYS": Fernet.generate_key().decode() + "," + Fernet.generate_key().decode(),
    "DATABASE_URL": "sqlite:////tmp/mend-deploy-check.sqlite3",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "SITE_URL": "https://mend.example.org",
    "DEFAULT_FROM_EMAIL": "Mend <hello@mend.example.org>",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "MFA_ENCRYPTION_KEYS", "ENTRY_ENCRYPTION_KEYS"}
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_values() -> None:
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_dead_links_and_a_localhost_sender() -> None:
    for name, value, problem in [
        ("SITE_URL", "http://mend.example.org", "mend.E001"),  # one-click pausing needs https
        ("SITE_URL", "https://127.0.0.1:8000", "mend.E002"),
        ("SITE_URL", "https://mend.localhost", "mend.E002"),
        ("DEFAULT_FROM_EMAIL", "Mend <no-reply@mend.localhost>", "mend.E003"),
    ]:
        result = _run(["manage.py", "check", "--deploy"], **{**PRODUCTION_ENV, name: value})
        assert result.returncode != 0, (name, value)
        assert problem in result.stderr + result.stdout, (name, value, result.stderr)


def test_production_cookies_and_transport_are_strict() -> None:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE,"
        "'session_httponly': s.SESSION_COOKIE_HTTPONLY, 'csrf_httponly': s.CSRF_COOKIE_HTTPONLY,"
        "'samesite': [s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE], 'hsts': s.SECURE_HSTS_SECONDS,"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'idle': s.SESSION_COOKIE_AGE, 'every': s.SESSION_SAVE_EVERY_REQUEST,"
        "'engine': s.SESSION_ENGINE,"
        "'storage': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    result = _run(["-c", code], DJANGO_SETTINGS_MODULE="recovery.settings", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["session_secure"] and values["csrf_secure"]
    assert values["session_httponly"] and values["csrf_httponly"]
    assert values["samesite"] == ["Lax", "Lax"]
    assert values["hsts"] >= 31536000
    assert values["ssl_redirect"]
    # Pushed forward by every request, written at most once a minute (recovery/sessions.py).
    assert values["idle"] == 30 * 60 and not values["every"] and values["engine"] == "recovery.sessions"
    assert values["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_production_refuses_to_start_without_its_secrets() -> None:
    for missing in ("SECRET_KEY", "MFA_ENCRYPTION_KEYS", "ENTRY_ENCRYPTION_KEYS", "ALLOWED_HOSTS"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = _run(["manage.py", "check"], **env)
        assert result.returncode != 0
        assert missing in result.stderr
    for name in ("MFA_ENCRYPTION_KEYS", "ENTRY_ENCRYPTION_KEYS"):
        result = _run(["manage.py", "check"], **{**PRODUCTION_ENV, name: "not-a-fernet-key"})
        assert result.returncode != 0
        assert "Fernet" in result.stderr and name in result.stderr
