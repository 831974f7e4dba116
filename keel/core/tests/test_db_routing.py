"""The read router's decisions, in process (the real replica, with gunicorn, is in
tests/operations/test_replica_routing.py): reads go to the replica only inside an
opted-in block and outside transactions; writes and migrations only to the primary."""

from __future__ import annotations

import pytest
from django.db import transaction

from keel.core import db_routing
from keel.core.db_routing import REPLICA, ReplicaRouter, reading_from_replica, reads_from_replica
from keel.core.models import Company

router = ReplicaRouter()


@pytest.fixture
def replica_chosen():
    """The state reading_from_replica() leaves when it found the replica usable."""
    token = db_routing._reading_from.set(REPLICA)
    yield
    db_routing._reading_from.reset(token)


def test_reads_stay_on_the_primary_unless_a_block_opts_in():
    """Given no opted-in block, a read goes to the primary; so does every write."""
    assert router.db_for_read(Company) == "default"
    assert router.db_for_write(Company) == "default"


@pytest.mark.django_db(transaction=True)
def test_an_opted_in_block_reads_from_the_replica_but_not_inside_a_transaction(replica_chosen):
    """Given a block that chose the replica: its reads go there, its writes do not, and
    once inside transaction.atomic (a service, a row lock) its reads come back to the
    primary, to see their own writes."""
    assert router.db_for_read(Company) == REPLICA
    assert router.db_for_write(Company) == "default"
    with transaction.atomic():
        assert router.db_for_read(Company) == "default"
    assert router.db_for_read(Company) == REPLICA


def test_without_a_replica_an_opted_in_block_reads_from_the_primary(settings):
    """Given no DATABASE_REPLICA_URL (as in the demo and the tests), opting in changes
    nothing: the block reads from the primary."""
    assert REPLICA not in settings.DATABASES
    with reading_from_replica() as chosen:
        assert chosen == "default"
        assert router.db_for_read(Company) == "default"


def test_a_decorated_view_reads_from_what_the_block_chose():
    """Given a decorated view, it runs inside the block (here: on the primary, as no
    replica is configured), and the block ends with it."""

    @reads_from_replica
    def view():
        return router.db_for_read(Company)

    assert view() == "default"
    assert db_routing._reading_from.get() is None


def test_migrations_run_on_the_primary_only_and_both_aliases_relate():
    """Given the replica replays the primary's schema, migrate never touches it, and an
    object read from one alias may point to one from the other (same data)."""
    assert router.allow_migrate("default", "accounting") is True
    assert router.allow_migrate(REPLICA, "accounting") is False
    on_primary, on_replica = Company(), Company()
    on_primary._state.db, on_replica._state.db = "default", REPLICA
    assert router.allow_relation(on_primary, on_replica) is True
