"""Fixtures shared by every test: a company, users per role, API clients.

The role groups exist in every test database: `migrate` (and the flush of a
transactional test) runs `ensure_roles()` through post_migrate.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from keel.core.tests.factories import CompanyFactory
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role


def pytest_collection_modifyitems(config, items):
    """`postgres` tests skip on SQLite, unless KEEL_REQUIRE_POSTGRES=1 (CI) makes that a failure."""
    if connection.vendor == "postgresql" or os.environ.get("KEEL_REQUIRE_POSTGRES") == "1":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def users(db, company):
    """One user per role, keyed by Role."""
    return {role: user_with_role(role, company=company) for role in Role}


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient signed in as `user`."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    """Webhook tests deliver to a real receiver on 127.0.0.1, which the SSRF guard lets
    through only when listed; the guard's own tests empty the list."""
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness costs seconds per user; tests need no such strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: the API's rate limits and the sign-in
    throttle count in it, and on SQLite user ids repeat from test to test, so one
    test's requests would otherwise count against the next's (a 429 in a long run)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pending_approval(company, users):
    """Given a rule 'above 10,000.00 needs a Sales Manager' and a Sales Rep's request to
    confirm a 12,500.00 USD deal (the company record stands in for the document)."""
    from decimal import Decimal

    from keel.core.services import approvals
    from keel.core.tests.factories import ApprovalRuleFactory

    ApprovalRuleFactory(company=company)
    return approvals.request_approval(
        company=company,
        document=company,
        action="confirm",
        amount=Decimal("12500.00"),
        currency="USD",
        requested_by=users[Role.SALES_REP],
        reason="Acme renewal",
    )


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that Django's mail goes to; `.messages` holds
    what it received."""
    from keel.core.tests.smtp import SmtpServer

    server = SmtpServer()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "keel@example.com"
    yield server
    server.controller.stop()


@pytest.fixture
def invariants_hold(db):
    """invariants_hold(company=None): assert `keel check` finds nothing wrong."""
    from keel.core.tests.invariants import assert_invariants_hold

    return assert_invariants_hold
