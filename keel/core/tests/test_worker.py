"""`keel worker` runs queued background work: the outbox dispatcher and webhook retries."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import ClassVar

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keel.core import tasks
from keel.core.events import Event, publish
from keel.core.models import OutboxEvent, WebhookDelivery
from keel.core.services import webhooks
from keel.core.tests.factories import WebhookSubscriptionFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@dataclasses.dataclass(frozen=True)
class InvoicePosted(Event):
    topic: ClassVar[str] = "test.invoice.posted"
    number: str


def run_worker() -> None:
    # What `keel worker` runs (the alias itself: keel/web/tests/test_cli.py); a domain's
    # tests do not import the shell (keel.config), see .importlinter.
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_committed_events_wait_for_the_worker_then_are_delivered(settings, receiver, company):
    """Given the database task backend; When an event commits; Then nothing is sent until
    `keel worker` runs, and then the receiver gets it once."""
    settings.TASKS = DATABASE_TASKS
    WebhookSubscriptionFactory(company=company, target_url=receiver.url)

    with transaction.atomic():
        publish(InvoicePosted(number="INV/2026/00001"), company=company)

    assert receiver.requests == []
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("keel.core.tasks.dispatch_outbox", "READY")
    ]

    run_worker()

    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == "delivered"
    assert set(DBTaskResult.objects.values_list("task_path", "status")) == {
        ("keel.core.tasks.dispatch_outbox", "SUCCESSFUL"),
        ("keel.core.tasks.deliver_webhook", "SUCCESSFUL"),
    }


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_is_queued_again_for_its_backoff_time(settings, receiver, company):
    """Given a receiver that is down; When the worker runs; Then the attempt is logged and
    a retry task waits in the queue until the delivery's next attempt time."""
    settings.TASKS = DATABASE_TASKS
    receiver.statuses = [502]
    WebhookSubscriptionFactory(company=company, target_url=receiver.url)
    with transaction.atomic():
        publish(InvoicePosted(number="INV/2026/00002"), company=company)

    run_worker()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    retry = DBTaskResult.objects.get(task_path="keel.core.tasks.deliver_webhook", status="READY")
    assert retry.run_after == delivery.next_attempt_at
    assert retry.args_kwargs["args"] == [delivery.pk]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_left_sending_by_a_killed_worker_is_sent_by_the_sweep(
    settings, receiver, company
):
    """Given a delivery a worker claimed an hour ago and never finished (it was killed
    -9 mid-send: its task stays "running" and is never run again);
    When `keel worker` sweeps;
    Then the delivery is sent once and marked delivered (found by bench/soak/faults.py:
    before the sweep, such an event never reached its webhook)."""
    settings.TASKS = DATABASE_TASKS
    WebhookSubscriptionFactory(company=company, target_url=receiver.url)
    with transaction.atomic():
        publish(InvoicePosted(number="INV/2026/00003"), company=company)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    [delivery_id] = webhooks.dispatch_outbox(now=an_hour_ago)
    assert webhooks._claim(delivery_id, an_hour_ago) is not None  # what the killed worker did

    assert tasks.sweep() == (0, 1)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("delivered", 1, 1)
    assert tasks.sweep() == (0, 0)  # nothing left: not sent twice


@pytest.mark.django_db(transaction=True)
def test_events_whose_dispatch_task_was_lost_are_dispatched_by_the_sweep(
    settings, receiver, company
):
    """Given an event committed while its dispatch task was lost (the queue dropped it:
    here the dummy backend, which never runs anything);
    When `keel worker` sweeps and runs its queue;
    Then the event is dispatched and delivered once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    WebhookSubscriptionFactory(company=company, target_url=receiver.url)
    with transaction.atomic():
        publish(InvoicePosted(number="INV/2026/00004"), company=company)
    settings.TASKS = DATABASE_TASKS

    assert tasks.sweep() == (1, 0)
    run_worker()

    assert (WebhookDelivery.objects.get().status, len(receiver.requests)) == ("delivered", 1)
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
