"""Webhook delivery from the outbox: fan out, sign, send, log, back off."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..errors import InvalidInput
from ..http import check_target, post_json
from ..models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from ..transactions import atomic_service

logger = logging.getLogger("keel.webhooks")

SIGNATURE_HEADER = "X-Keel-Signature"
MAX_BACKOFF = timedelta(hours=6)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the timestamp defeats replays)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = 300
) -> bool:
    """What a receiver runs: the header matches the body and is at most `tolerance` s old."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def backoff(attempts: int) -> timedelta:
    """Exponential with ±10 % jitter: base, 2×base, 4×base ... capped at 6 hours."""
    base = settings.KEEL_WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=base * random.uniform(0.9, 1.1)), MAX_BACKOFF)


@atomic_service
def save_subscription(subscription: WebhookSubscription, *, by) -> WebhookSubscription:
    """Validate the target (no private networks unless allowed) and the topics, then save."""
    check_target(subscription.target_url)
    if not isinstance(subscription.event_types, list) or not all(
        isinstance(topic, str) and topic for topic in subscription.event_types
    ):
        raise InvalidInput(
            'Event types must be a list of topics, e.g. ["core.approval.decided"].',
            field="event_types",
        )
    if subscription.pk is None:
        subscription.created_by = by
    subscription.updated_by = by
    subscription.save()
    return subscription


@atomic_service
def dispatch_outbox(*, limit: int = 5000, now: datetime | None = None) -> list[int]:
    """Turn committed, undispatched outbox events into one delivery per matching
    subscription, and mark the events dispatched. Returns the new deliveries' ids.

    `limit` is above the largest batch one transaction publishes (1,000 postings of
    an import), so the outbox drains as fast as it fills."""
    now = now or timezone.now()
    pending = OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("occurred_at")
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True)
    # The payload stays in the database: fanning out needs only the topic and company.
    events = list(pending.values_list("id", "topic", "company_id")[:limit])
    if not events:
        return []
    subscriptions = list(WebhookSubscription.objects.filter(active=True))
    deliveries = [
        WebhookDelivery(event_id=event_id, subscription=sub, next_attempt_at=now)
        for event_id, topic, company_id in events
        for sub in subscriptions
        if sub.wants(topic) and (company_id in (None, sub.company_id))
    ]
    ids = [event_id for event_id, _, _ in events]
    OutboxEvent.objects.filter(pk__in=ids).update(dispatched_at=now)
    if not deliveries:
        return []
    # The unique (event, subscription) constraint makes a re-dispatch harmless.
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return list(
        WebhookDelivery.objects.filter(event_id__in=ids, status=WebhookDelivery.Status.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Mark a due delivery as being sent, so no other worker sends it at the same time."""
    lease = timedelta(
        seconds=settings.KEEL_WEBHOOK_TIMEOUT + settings.KEEL_WEBHOOK_CLAIM_GRACE_SECONDS
    )
    with transaction.atomic():
        claimable = Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now) | Q(
            status=WebhookDelivery.Status.SENDING, claimed_until__lt=now
        )
        claimed = WebhookDelivery.objects.filter(claimable, pk=delivery_id).update(
            status=WebhookDelivery.Status.SENDING, claimed_until=now + lease
        )
        if not claimed:
            return None
        return WebhookDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)


def attempt_delivery(delivery_id: int, *, now: datetime | None = None) -> WebhookDelivery | None:
    """Send one due delivery once and log the attempt.

    Returns None when the delivery is not due or another worker holds it. A
    2xx answer marks it delivered (it is never sent again); anything else
    schedules the next attempt with exponential backoff, and after
    KEEL_WEBHOOK_MAX_ATTEMPTS gives up as failed.
    """
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    event, subscription = delivery.event, delivery.subscription
    body = json.dumps(
        {
            "id": str(event.id),
            "topic": event.topic,
            "occurred_at": event.occurred_at.isoformat(),
            "company_id": event.company_id,
            "data": event.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    headers = {
        SIGNATURE_HEADER: sign(subscription.secret, int(time.time()), body),
        "X-Keel-Event": event.topic,
        "X-Keel-Event-Id": str(event.id),
        "X-Keel-Delivery": str(delivery.pk),
        "User-Agent": "Keel-Webhooks/1",
    }
    started = time.monotonic()
    try:
        result = post_json(subscription.target_url, body, headers, settings.KEEL_WEBHOOK_TIMEOUT)
    except InvalidInput as refused:  # the target became private/invalid since it was saved
        from ..http import HttpResult

        result = HttpResult(None, "", refused.detail)
    duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.attempts += 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            attempted_at=now,
            status_code=result.status,
            error=result.error[:500],
            response_body=result.body[:1000],
            duration_ms=duration_ms,
            succeeded=result.ok,
        )
        delivery.claimed_until = None
        if result.ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.last_error = ""
        elif delivery.attempts >= settings.KEEL_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = result.error[:500]
        else:
            delivery.status = WebhookDelivery.Status.PENDING
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            delivery.last_error = result.error[:500]
        delivery.save()
    if not result.ok:
        logger.warning("webhook %s to %s failed: %s", event.topic, subscription, result.error)
    return delivery


def due_deliveries(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=WebhookDelivery.Status.SENDING, claimed_until__lt=now)
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def stranded_deliveries(*, grace: timedelta, now: datetime | None = None) -> list[int]:
    """Deliveries no queued task will send: being sent by a worker that died (its lease
    ran out), or due for longer than `grace` (the task meant to send them was lost with
    a killed worker, or never queued because the queue was unreachable)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now - grace)
            | Q(status=WebhookDelivery.Status.SENDING, claimed_until__lt=now)
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)
    )


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Attempt every delivery whose next attempt is due; returns how many were tried."""
    tried = 0
    for delivery_id in due_deliveries(now=now, limit=limit):
        if attempt_delivery(delivery_id, now=now) is not None:
            tried += 1
    return tried


@atomic_service
def retry_now(delivery_id: int, *, now: datetime | None = None) -> WebhookDelivery:
    """Put a failed or waiting delivery back at the front of the queue (keeps its log)."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        raise InvalidInput("This delivery already succeeded.", code="already_delivered")
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = now or timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    return delivery


@atomic_service
def delete_subscription(subscription_id: int) -> None:
    """Remove a subscription; its delivery log goes with it (the events stay)."""
    WebhookSubscription.objects.filter(pk=subscription_id).delete()
