"""Fixtures of the core tests."""

import pytest

from keel.core.tests.receiver import Receiver


@pytest.fixture
def receiver():
    """A real HTTP server on 127.0.0.1 recording what webhooks send it (stopped after);
    the root conftest lists 127.0.0.1 in KEEL_OUTBOUND_ALLOWED_HOSTS."""
    server = Receiver().start()
    yield server
    server.stop()
