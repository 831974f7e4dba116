"""Background tasks of the core: outbox dispatch and webhook delivery."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from .services import webhooks

logger = logging.getLogger("keel.tasks")


@task()
def dispatch_outbox() -> int:
    """Fan committed events out to webhook deliveries and queue one send for each."""
    new = webhooks.dispatch_outbox()
    for delivery_id in new:
        deliver_webhook.enqueue(delivery_id)
    if not deliver_webhook.get_backend().supports_defer:
        # The in-process backend cannot schedule retries; pick up those now due.
        webhooks.deliver_due()
    return len(new)


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt; on failure, queue the next one for its backoff time."""
    delivery = webhooks.attempt_delivery(delivery_id)
    if delivery is None:
        return "not due"
    if delivery.status == delivery.Status.PENDING and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)
    return delivery.status


def sweep(*, now=None) -> tuple[int, int]:
    """What a killed worker or an unreachable queue left behind: dispatch committed
    events still in the outbox, and send the deliveries no task will send (a second
    sender is harmless: each attempt claims its delivery). Returns (events' new
    deliveries, deliveries sent). `keel worker` runs it every KEEL_WORKER_SWEEP_SECONDS."""
    new = webhooks.dispatch_outbox(now=now)
    for delivery_id in new:
        deliver_webhook.enqueue(delivery_id)
    grace = timedelta(seconds=max(settings.KEEL_WORKER_SWEEP_SECONDS, 1) * 6)
    sent = 0
    for delivery_id in webhooks.stranded_deliveries(grace=grace, now=now):
        if webhooks.attempt_delivery(delivery_id, now=now) is not None:
            sent += 1
    return len(new), sent


def kick_dispatcher() -> None:
    """After a commit that wrote outbox events; never lets a queue error fail the request."""
    try:
        dispatch_outbox.enqueue()
    except Exception:  # the events stay in the outbox; the next dispatch takes them
        logger.exception("could not enqueue the outbox dispatcher")
