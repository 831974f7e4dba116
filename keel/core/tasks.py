"""Background tasks of the core: outbox dispatch and webhook delivery."""

from __future__ import annotations

import logging

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


def kick_dispatcher() -> None:
    """After a commit that wrote outbox events; never lets a queue error fail the request."""
    try:
        dispatch_outbox.enqueue()
    except Exception:  # the events stay in the outbox; the next dispatch takes them
        logger.exception("could not enqueue the outbox dispatcher")
