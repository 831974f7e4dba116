"""The bus: subscribers run inside the publisher's transaction; their failure undoes it."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest
from django.db import transaction

from keel.core.events import Event, publish, subscribe
from keel.core.models import Company, OutboxEvent

pytestmark = pytest.mark.django_db


@dataclasses.dataclass(frozen=True)
class CompanyRenamed(Event):
    topic: ClassVar[str] = "test.company.renamed"
    company_id: int
    name: str


seen: list[CompanyRenamed] = []


def remember(event: CompanyRenamed) -> None:
    seen.append(event)
    if event.name == "Refused Ltd":
        raise ValueError("a subscriber refused the change")


subscribe(CompanyRenamed, remember)
subscribe(CompanyRenamed, remember)  # registering twice keeps one subscription


def test_subscribers_run_once_synchronously_and_the_event_is_in_the_outbox(company):
    seen.clear()
    record = publish(CompanyRenamed(company_id=company.pk, name="Acme 2"), company=company)
    assert seen == [CompanyRenamed(company_id=company.pk, name="Acme 2")]
    assert (record.topic, record.payload) == (
        "test.company.renamed",
        {"company_id": company.pk, "name": "Acme 2"},
    )
    assert record.dispatched_at is None


def test_a_failing_subscriber_rolls_back_the_whole_change(company):
    """Given a subscriber that refuses; When a rename and its event happen in one
    transaction; Then neither the rename nor the outbox event remains."""
    with pytest.raises(ValueError), transaction.atomic():
        Company.objects.filter(pk=company.pk).update(name="Refused Ltd")
        publish(CompanyRenamed(company_id=company.pk, name="Refused Ltd"), company=company)
    company.refresh_from_db()
    assert company.name == "Acme Test Co"
    assert OutboxEvent.objects.count() == 0


def test_a_transaction_with_many_events_schedules_one_dispatch(company):
    """Given a batch that publishes 50 events in one transaction; Then one after-commit
    dispatch is scheduled, and a savepoint rolled back does not lose it."""
    from django.db import connection

    from keel.core.events import _after_commit

    def scheduled() -> int:
        return sum(entry[1] is _after_commit for entry in connection.run_on_commit)

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(CompanyRenamed(company_id=company.pk, name="Undone"), company=company)
            assert scheduled() == 1
            raise RuntimeError("the savepoint rolls back")
        assert scheduled() == 0  # went with the savepoint
        for n in range(50):
            publish(CompanyRenamed(company_id=company.pk, name=f"Acme {n}"), company=company)
        assert scheduled() == 1
    assert OutboxEvent.objects.count() == 50


def test_publish_many_runs_every_subscriber_and_writes_the_outbox_in_one_statement(
    company, django_assert_max_num_queries
):
    """Given 20 events of one batch; Then each subscriber call happens, in order, and the
    outbox gets 20 rows from a single INSERT (plus the savepoint around it and the
    look-up of webhook subscriptions)."""
    from keel.core.events import publish_many

    seen.clear()
    events = [CompanyRenamed(company_id=company.pk, name=f"Acme {n}") for n in range(20)]
    # SAVEPOINT, subscriptions, one INSERT, RELEASE (PostgreSQL's COPY is not counted).
    with django_assert_max_num_queries(4):
        written = publish_many(events, company=company)
    assert seen == events
    assert [r.payload["name"] for r in OutboxEvent.objects.order_by("payload__name")][:2] == [
        "Acme 0",
        "Acme 1",
    ]
    assert written == OutboxEvent.objects.count() == 20
    assert OutboxEvent.objects.filter(company=company, topic=events[0].topic).count() == 20


def test_a_batch_nobody_subscribes_to_is_dispatched_at_once_and_schedules_nothing(company):
    """Given a webhook subscription of this company for another topic only, and one of
    another company to every topic; When a batch of 5 events of this company is
    published; Then they are recorded already dispatched and no after-commit dispatch
    is scheduled."""
    from django.db import connection

    from keel.core.events import _after_commit, publish_many
    from keel.core.tests.factories import CompanyFactory, WebhookSubscriptionFactory

    WebhookSubscriptionFactory(company=company, event_types=["sales.order.confirmed"])
    WebhookSubscriptionFactory(company=CompanyFactory(name="Globex"), event_types=["*"])
    events = [CompanyRenamed(company_id=company.pk, name=f"Acme {n}") for n in range(5)]
    with transaction.atomic():
        publish_many(events, company=company)
        assert not any(entry[1] is _after_commit for entry in connection.run_on_commit)
    assert OutboxEvent.objects.filter(dispatched_at__isnull=False).count() == 5


def test_a_batch_a_subscription_wants_waits_for_the_dispatcher(company):
    """Given a subscription of this company to the topic and one of another company to
    every topic; When a batch of 5 events of this company is published; Then they wait
    undispatched and one after-commit dispatch is scheduled."""
    from django.db import connection

    from keel.core.events import _after_commit, publish_many
    from keel.core.tests.factories import CompanyFactory, WebhookSubscriptionFactory

    WebhookSubscriptionFactory(company=company, event_types=[CompanyRenamed.topic])
    WebhookSubscriptionFactory(company=CompanyFactory(name="Globex"), event_types=["*"])
    events = [CompanyRenamed(company_id=company.pk, name=f"Acme {n}") for n in range(5)]
    with transaction.atomic():
        publish_many(events, company=company)
        assert sum(entry[1] is _after_commit for entry in connection.run_on_commit) == 1
        assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 5
