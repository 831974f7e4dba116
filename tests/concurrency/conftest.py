"""The concurrency suite runs on PostgreSQL only (row locks, retries of serialization
failures and real parallel connections are what it proves; SQLite serialises every
writer): each module carries `pytestmark = SUITE`, transactional tests so that each
thread's connection sees what the others commit.

Nothing here takes a fixed port or path: the suite runs under pytest-xdist as it is."""

from __future__ import annotations

import pytest

from keel.core.transactions import retries


@pytest.fixture
def retry_log():
    """The services' retry log, emptied for this test."""
    retries.clear()
    yield retries
    retries.clear()
