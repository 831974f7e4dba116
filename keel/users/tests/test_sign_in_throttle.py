"""After five wrong passwords for one username, that username cannot sign in for 15
minutes, even with the right password; other users sign in as usual, and a right
password before the limit wipes the count."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from keel.users.roles import Role
from keel.users.sign_in import FAILURES_ALLOWED, failures
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_earlier_failures():
    cache.clear()
    yield
    cache.clear()


def sign_in(username, password):
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    return response, client


def test_five_wrong_passwords_lock_the_username_out(company):
    """Given a sales rep, and a colleague
    When someone tries five wrong passwords for the rep
    Then the rep's right password is refused too (the form stays, no session), while
    the colleague signs in as usual."""
    rep = user_with_role(Role.SALES_REP, company=company)
    colleague = user_with_role(Role.SALES_MANAGER, company=company)

    # When
    for _ in range(FAILURES_ALLOWED):
        response, _client = sign_in(rep.username, "guess")
        assert response.status_code == 200  # the form again, with its error
    response, client = sign_in(rep.username, PASSWORD)

    # Then
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert failures(rep.username) == FAILURES_ALLOWED + 1
    response, client = sign_in(colleague.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_a_right_password_before_the_limit_wipes_the_count(company):
    """Given four wrong passwords for a rep (one short of the lock-out)
    When the rep signs in with the right password
    Then they are in, and the count starts again from zero."""
    rep = user_with_role(Role.SALES_REP, company=company)
    for _ in range(FAILURES_ALLOWED - 1):
        sign_in(rep.username, "guess")

    assert failures(rep.username.upper()) == FAILURES_ALLOWED - 1  # the name's case is ignored

    # When
    response, client = sign_in(rep.username, PASSWORD)

    # Then
    assert response.status_code == 302
    assert failures(rep.username) == 0
