"""Production settings: the documented minimum passes `check --deploy`; a missing secret stops.

The minimal variables are the ones docs/configuration.md lists under "Production".
Each check runs in a fresh interpreter, because settings are read once per process.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The child sees only these from the parent, plus what a test passes: nothing of
# the developer's shell or of the test session (e.g. DJANGO_ALLOW_ASYNC_UNSAFE,
# which the browser tests set and `check --deploy` rightly refuses) leaks in.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def run_manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: os.environ[k] for k in INHERITED if k in os.environ}
    clean["DJANGO_SETTINGS_MODULE"] = "keel.config.settings"
    clean["KEEL_VAR_DIR"] = str(tmp_path / "var")  # never touch the checkout's var/
    clean.update(env)
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """The documented minimum for KEEL_ENV=production."""
    return {
        "KEEL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
        "ALLOWED_HOSTS": "keel.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }


def test_documented_production_settings_pass_the_deploy_check(tmp_path, production_env):
    """Given KEEL_ENV=production and only the documented minimal variables,
    When Django's deployment checklist runs, failing on warnings too,
    Then it finds nothing to complain about."""
    assert len(production_env["SECRET_KEY"]) >= 50

    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start(tmp_path, production_env):
    """Given KEEL_ENV=production but no SECRET_KEY,
    When the settings load,
    Then they refuse with a message naming the missing variable, and no key is generated."""
    del production_env["SECRET_KEY"]

    result = run_manage(tmp_path, "check", **production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when KEEL_ENV=production" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_without_allowed_hosts_refuses_to_start(tmp_path, production_env):
    """Given KEEL_ENV=production but no ALLOWED_HOSTS,
    When the settings load,
    Then they refuse with a message naming the missing variable."""
    del production_env["ALLOWED_HOSTS"]

    result = run_manage(tmp_path, "check", **production_env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when KEEL_ENV=production" in result.stderr


def test_production_cookies_are_secure_and_sessions_and_passwords_follow_the_policy(
    tmp_path, production_env
):
    """Given the documented production minimum; When its settings load;
    Then session and CSRF cookies are Secure and HttpOnly (the session one), HSTS is a
    year with subdomains, sessions last 12 hours and passwords need 12 characters."""
    code = (
        "import json; from django.conf import settings as s; "
        "v = s.AUTH_PASSWORD_VALIDATORS[1]; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_AGE, "
        "v['NAME'].rsplit('.', 1)[1], v['OPTIONS']['min_length']]))"
    )

    result = run_manage(tmp_path, "shell", "-c", code, **production_env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        True,
        True,
        True,
        31536000,
        True,
        43200,
        "MinimumLengthValidator",
        12,
    ]
