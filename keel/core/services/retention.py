"""Retention: technical rows that only need to live for a while are purged.

Each kind below has a lifetime (a KEEL_RETENTION_* setting, in days); `purge()`
deletes the rows older than it. Only bookkeeping of the machinery is purged
(stored Idempotency-Key answers, claimed form tokens, expired sessions, logs of
delivered webhooks, finished task results, heartbeats of gone workers): never a
business record, its history, the outbox of events or the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ..models import IdempotentRequest, WebhookAttempt, WebhookDelivery, WorkerHeartbeat
from ..submissions import FORM_KEY_PREFIX

# Deleted in slices, so that a large backlog does not hold one long lock.
BATCH = 1000


def _days(setting: str) -> Callable[[datetime], datetime]:
    return lambda now: now - timedelta(days=getattr(settings, setting))


def _idempotency_keys(now: datetime) -> QuerySet:
    before = _days("KEEL_RETENTION_IDEMPOTENCY_KEY_DAYS")(now)
    return IdempotentRequest.objects.filter(created_at__lt=before).exclude(
        key__startswith=FORM_KEY_PREFIX
    )


def _form_tokens(now: datetime) -> QuerySet:
    before = _days("KEEL_RETENTION_IDEMPOTENCY_KEY_DAYS")(now)
    return IdempotentRequest.objects.filter(created_at__lt=before, key__startswith=FORM_KEY_PREFIX)


def _expired_sessions(now: datetime) -> QuerySet | None:
    """What Django's `clearsessions` removes; None when sessions are not in the database."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return None
    return store.get_model_class().objects.filter(expire_date__lt=now)


def _webhook_attempts(now: datetime) -> QuerySet:
    # A delivery that failed keeps its attempts: they say why.
    before = _days("KEEL_RETENTION_WEBHOOK_ATTEMPT_DAYS")(now)
    return WebhookAttempt.objects.filter(
        delivery__status=WebhookDelivery.Status.DELIVERED, delivery__delivered_at__lt=before
    )


def _finished_tasks(now: datetime) -> QuerySet:
    before = _days("KEEL_RETENTION_TASK_RESULT_DAYS")(now)
    return DBTaskResult.objects.successful().filter(finished_at__lt=before)


def _failed_tasks(now: datetime) -> QuerySet:
    before = _days("KEEL_RETENTION_FAILED_TASK_DAYS")(now)
    return DBTaskResult.objects.failed().filter(finished_at__lt=before)


def _gone_workers(now: datetime) -> QuerySet:
    before = _days("KEEL_RETENTION_WORKER_DAYS")(now)
    return WorkerHeartbeat.objects.filter(seen_at__lt=before)


# What is purged, by name (the keys of purge()'s answer, in this order).
KINDS: dict[str, Callable[[datetime], QuerySet | None]] = {
    "idempotency keys": _idempotency_keys,
    "form tokens": _form_tokens,
    "expired sessions": _expired_sessions,
    "webhook attempts": _webhook_attempts,
    "finished tasks": _finished_tasks,
    "failed tasks": _failed_tasks,
    "worker heartbeats": _gone_workers,
}


def _delete(rows: QuerySet) -> int:
    deleted = 0
    while pks := list(rows.order_by().values_list("pk", flat=True)[:BATCH]):
        deleted += rows.model.objects.filter(pk__in=pks).delete()[0]
    return deleted


def purge(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete every kind's rows older than its retention; the number removed per kind
    (with `dry_run`, the number that would be, and nothing is deleted)."""
    now = now or timezone.now()
    removed = {}
    for kind, expired in KINDS.items():
        rows = expired(now)
        if rows is None:
            continue
        removed[kind] = rows.count() if dry_run else _delete(rows)
    return removed


__all__ = ["KINDS", "purge"]
