"""Password and session policies (docs/operations.md, Security): a password of at least
12 characters, not like the user's name, not common, not digits only; a sign-in lasts
12 hours in an HttpOnly, SameSite=Lax cookie (Secure in production:
tests/architecture/test_deploy_check.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse

from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-pass1", "This password is too short. It must contain at least 12 characters."),
        ("884213579024", "This password is entirely numeric."),
        ("password1234", "This password is too common."),
        ("annabelle.bergstrom", "The password is too similar to the username."),
    ],
)
def test_a_weak_password_is_refused_where_it_is_set(password, message):
    """When a user sets a password through Django's password form (what the workspace's
    password change and the admin's user form use); then a weak one is refused with the
    validator's message at the field, and the stored password stays."""
    user = user_with_role(Role.SALES_REP, "annabelle.bergstrom")
    form = SetPasswordForm(user, {"new_password1": password, "new_password2": password})
    assert not form.is_valid()
    assert message in form.errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_long_passphrase_is_accepted():
    user = user_with_role(Role.SALES_REP, "annabelle.bergstrom")
    phrase = "tide charts for a small keel"
    form = SetPasswordForm(user, {"new_password1": phrase, "new_password2": phrase})
    assert form.is_valid(), form.errors
    form.save()
    user.refresh_from_db()
    assert user.check_password(phrase)


def test_a_sign_in_lasts_twelve_hours_in_an_httponly_lax_cookie(client):
    """When a user signs in on the login page; then the session cookie expires in 12
    hours (not Django's two weeks), cannot be read by scripts, and is not sent by
    cross-site requests."""
    user_with_role(Role.SALES_REP, "ann")
    response = client.post(reverse("admin:login"), {"username": "ann", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 12 * 3600
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert client.session.get_expiry_age() == 12 * 3600
