"""Sign-in throttling: after too many wrong passwords for one username, that username
cannot sign in (workspace or API token) until the lock-out passes, whatever password
is tried, so a password cannot be guessed by trying many."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

FAILURES_ALLOWED = 5
LOCKOUT_SECONDS = 15 * 60


def _key(username) -> str:
    return f"keel:sign-in-failures:{str(username or '').strip().lower()}"


def failures(username) -> int:
    return cache.get(_key(username), 0)


def count_failure(sender, credentials, request=None, **kwargs) -> None:
    """user_login_failed: one more wrong try; the lock-out restarts from the last one."""
    username = credentials.get("username")
    if username:
        cache.set(_key(username), failures(username) + 1, LOCKOUT_SECONDS)


def forget_failures(sender, request, user, **kwargs) -> None:
    """user_logged_in: a right password wipes the count."""
    cache.delete(_key(user.get_username()))


class SignInThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses a locked-out username before any
    backend checks the password. It authenticates no one itself."""

    def authenticate(self, request, username=None, **kwargs):
        if username and failures(username) >= FAILURES_ALLOWED:
            raise PermissionDenied("Too many failed sign-ins; try again in 15 minutes.")
        return None

    def get_user(self, user_id):
        # A session that names this backend (a test's force_login takes the first one)
        # still finds its user.
        return ModelBackend().get_user(user_id)
