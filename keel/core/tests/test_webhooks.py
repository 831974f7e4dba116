"""Webhooks: only committed events leave the process, signed, once, retried with backoff."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import ClassVar

import pytest
from django.db import transaction
from django.utils import timezone

from keel.core.errors import InvalidInput
from keel.core.events import Event, publish
from keel.core.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from keel.core.services import webhooks
from keel.core.tests.factories import WebhookSubscriptionFactory


@dataclasses.dataclass(frozen=True)
class OrderShipped(Event):
    topic: ClassVar[str] = "test.order.shipped"
    order: str


@pytest.fixture
def subscription(company, receiver):
    return WebhookSubscriptionFactory(
        company=company, target_url=receiver.url, event_types=["test.order.shipped"]
    )


pytestmark = pytest.mark.django_db


def test_event_in_rolled_back_transaction_is_never_delivered(
    company, subscription, receiver, django_capture_on_commit_callbacks
):
    """Given a subscription; When an event is published in a transaction that rolls
    back; Then no outbox row exists and the receiver hears nothing, even after a
    dispatch and a sweep of due deliveries."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(OrderShipped(order="SO-0001"), company=company)
            raise RuntimeError("the order could not be saved")

    assert callbacks == []
    assert OutboxEvent.objects.count() == 0
    assert webhooks.dispatch_outbox() == []
    assert webhooks.deliver_due() == 0
    assert receiver.requests == []


def test_committed_event_is_delivered_once_with_a_valid_signature(
    company, subscription, receiver, django_capture_on_commit_callbacks
):
    """Given a subscription to test.order.shipped; When the event commits; Then the
    receiver gets exactly one POST whose X-Keel-Signature verifies with the secret,
    and dispatching again sends nothing more."""
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            event = publish(OrderShipped(order="SO-0002"), company=company)

    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    assert sent.path == "/hooks/keel"
    assert sent.headers["X-Keel-Event"] == "test.order.shipped"
    assert sent.headers["X-Keel-Event-Id"] == str(event.id)
    body = json.loads(sent.body)
    assert body["topic"] == "test.order.shipped"
    assert body["data"] == {"order": "SO-0002"}
    assert webhooks.verify_signature(
        "s3cret-for-tests", sent.headers["X-Keel-Signature"], sent.body
    )
    assert not webhooks.verify_signature(
        "s3cret-for-tests", sent.headers["X-Keel-Signature"], sent.body.replace(b"0002", b"0003")
    )
    assert not webhooks.verify_signature("wrong", sent.headers["X-Keel-Signature"], sent.body)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert OutboxEvent.objects.get().dispatched_at is not None

    # A second dispatch and sweep (a replay after a crash) sends nothing twice.
    assert webhooks.dispatch_outbox() == []
    assert webhooks.deliver_due(now=timezone.now() + timedelta(days=1)) == 0
    assert webhooks.attempt_delivery(delivery.pk) is None
    assert len(receiver.requests) == 1


def test_failing_receiver_is_retried_with_backoff_and_attempts_are_logged(
    company, subscription, receiver, django_capture_on_commit_callbacks, settings
):
    """Given a receiver that answers 500 twice then 200; When the event commits and
    the due deliveries are swept as time passes; Then it is tried three times, each
    attempt is logged, the waits double, and it ends delivered."""
    settings.KEEL_WEBHOOK_BACKOFF_SECONDS = 30
    receiver.statuses = [500, 500, 200]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            publish(OrderShipped(order="SO-0003"), company=company)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    first_wait = delivery.next_attempt_at - WebhookAttempt.objects.get(number=1).attempted_at
    assert timedelta(seconds=27) <= first_wait <= timedelta(seconds=33)
    # Not due yet: a sweep now sends nothing.
    assert webhooks.deliver_due() == 0

    webhooks.deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    second_wait = delivery.next_attempt_at - WebhookAttempt.objects.get(number=2).attempted_at
    assert timedelta(seconds=54) <= second_wait <= timedelta(seconds=66)

    webhooks.deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    log = list(delivery.log.values_list("number", "status_code", "succeeded"))
    assert log == [(1, 500, False), (2, 500, False), (3, 200, True)]
    assert len(receiver.requests) == 3
    # Every retry carries the same event id, so the receiver can de-duplicate.
    assert len({r.headers["X-Keel-Event-Id"] for r in receiver.requests}) == 1


def test_delivery_gives_up_after_the_maximum_attempts(
    company, subscription, receiver, django_capture_on_commit_callbacks, settings
):
    """Given a receiver that is always down and a limit of 2 attempts; Then after two
    attempts the delivery is failed and no sweep tries it again until retried by hand."""
    settings.KEEL_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [503]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            publish(OrderShipped(order="SO-0004"), company=company)
    later = timezone.now() + timedelta(hours=1)
    webhooks.deliver_due(now=later)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 2, "HTTP 503")
    assert webhooks.deliver_due(now=later + timedelta(days=1)) == 0

    receiver.statuses = [200]
    webhooks.retry_now(delivery.pk, now=later)
    webhooks.deliver_due(now=later)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)


def test_events_fan_out_only_to_matching_active_subscriptions(company, receiver):
    """Given three subscriptions (matching, wildcard, inactive) and one for another topic;
    When one event is dispatched; Then exactly the matching and wildcard ones get a delivery."""
    matching = WebhookSubscriptionFactory(
        company=company, target_url=receiver.url, event_types=["test.order.shipped"]
    )
    wildcard = WebhookSubscriptionFactory(
        company=company, target_url=receiver.url, event_types=["*"]
    )
    WebhookSubscriptionFactory(company=company, target_url=receiver.url, active=False)
    WebhookSubscriptionFactory(
        company=company, target_url=receiver.url, event_types=["crm.lead.created"]
    )
    publish(OrderShipped(order="SO-0005"), company=company)

    webhooks.dispatch_outbox()

    assert set(WebhookDelivery.objects.values_list("subscription_id", flat=True)) == {
        matching.pk,
        wildcard.pk,
    }


def test_private_targets_are_refused_unless_allowed(company, settings):
    """Given no host is allowed past the SSRF guard (the default);
    When a subscription targets a loopback address; Then saving is refused at the
    field and nothing is stored."""
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = []
    subscription = WebhookSubscription(
        company=company, name="sneaky", target_url="http://127.0.0.1:8000/admin", event_types=["*"]
    )
    with pytest.raises(InvalidInput) as refusal:
        webhooks.save_subscription(subscription, by=None)
    assert refusal.value.code == "private_target"
    assert refusal.value.field == "target_url"
    assert WebhookSubscription.objects.count() == 0


def test_non_http_targets_are_refused(company):
    subscription = WebhookSubscription(
        company=company, name="file", target_url="file:///etc/passwd", event_types=["*"]
    )
    with pytest.raises(InvalidInput) as refusal:
        webhooks.save_subscription(subscription, by=None)
    assert refusal.value.code == "invalid_url"
    assert WebhookSubscription.objects.count() == 0
