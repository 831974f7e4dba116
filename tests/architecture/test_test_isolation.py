"""Tests do not leak into one another through the cache. The sign-in throttle and the
API's rate limits keep their counts there, and on SQLite the next test's users get the
same ids and names, so a count one test leaves behind would lock out or throttle a
later one (a 429 in a long run, depending on which tests ran before on that worker).

The two tests run in this order on one pytest-xdist worker (their xdist_group)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from keel.users.sign_in import FAILURES_ALLOWED, failures

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("cache-isolation")]

USERNAME = "isolation.probe"
SENTINEL = "keel:test-isolation:sentinel"


def test_a_test_leaves_counts_in_the_cache(company):
    """Given no one signed in wrong yet
    When someone tries five wrong passwords for a username
    Then the cache holds that count while the test runs."""
    client = Client()
    for _ in range(FAILURES_ALLOWED):
        client.post("/login/", {"username": USERNAME, "password": "wrong"})
    cache.set(SENTINEL, "left behind", 3600)
    assert failures(USERNAME) == FAILURES_ALLOWED
    assert cache.get(SENTINEL) == "left behind"


def test_the_next_test_starts_with_an_empty_cache(company):
    """When the next test starts
    Then the count and anything else the first test cached are gone."""
    assert failures(USERNAME) == 0
    assert cache.get(SENTINEL) is None
