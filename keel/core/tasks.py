"""Background tasks of the core: outbox dispatch and webhook delivery."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .services import retention, webhooks, workers

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


# Tasks that may run twice with one effect (each claims its work in the database): a
# killed worker's run of one of them is queued again.
RETRYABLE = frozenset({dispatch_outbox.module_path, deliver_webhook.module_path})


def sweep(*, now=None) -> tuple[int, int]:
    """What a killed worker or an unreachable queue left behind: fail the tasks of
    workers gone silent (queueing again the retryable ones), dispatch committed events
    still in the outbox, and send the deliveries no task will send (a second sender is
    harmless: each attempt claims its delivery). Returns (events' new deliveries,
    deliveries sent). `keel worker` runs it every KEEL_WORKER_SWEEP_SECONDS."""
    for lost in workers.recover_lost_tasks(retryable=RETRYABLE, now=now):
        logger.warning(
            "task %s (%s) of lost worker %s failed%s",
            lost.task_id,
            lost.task_path,
            lost.worker_id,
            f", queued again as {lost.again}" if lost.again else "",
        )
    new = webhooks.dispatch_outbox(now=now)
    for delivery_id in new:
        deliver_webhook.enqueue(delivery_id)
    grace = timedelta(seconds=max(settings.KEEL_WORKER_SWEEP_SECONDS, 1) * 6)
    sent = 0
    for delivery_id in webhooks.stranded_deliveries(grace=grace, now=now):
        if webhooks.attempt_delivery(delivery_id, now=now) is not None:
            sent += 1
    return len(new), sent


class Sweeper:
    """`keel worker`'s periodic work: the sweep each time, and the retention purge at
    most once per KEEL_RETENTION_PURGE_SECONDS (first at the first sweep)."""

    def __init__(self) -> None:
        self.purged_at = None

    def run(self, *, now=None) -> dict[str, int] | None:
        """Sweep; purge if due. What was purged, or None when it was not due."""
        sweep(now=now)  # None: each attempt stamped with its own time
        now = now or timezone.now()
        every = settings.KEEL_RETENTION_PURGE_SECONDS
        if every <= 0 or (
            self.purged_at is not None and now - self.purged_at < timedelta(seconds=every)
        ):
            return None
        removed = retention.purge(now=now)
        self.purged_at = now
        if any(removed.values()):
            logger.info("purged %s", ", ".join(f"{n} {kind}" for kind, n in removed.items() if n))
        return removed


def kick_dispatcher() -> None:
    """After a commit that wrote outbox events; never lets a queue error fail the request."""
    try:
        dispatch_outbox.enqueue()
    except Exception:  # the events stay in the outbox; the next dispatch takes them
        logger.exception("could not enqueue the outbox dispatcher")
