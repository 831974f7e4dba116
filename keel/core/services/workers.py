"""Task workers: who is alive, and what a dead one left running.

django-tasks' database backend marks a task RUNNING when a worker takes it and
records that worker's id, but nothing notices when the worker is killed (kill -9,
out of memory, a dead machine): its task stays RUNNING forever. `keel worker`
beats a heartbeat; the sweep fails the tasks of workers gone silent and queues
again those that are safe to run twice.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ..models import WorkerHeartbeat


class WorkerLost(Exception):
    """The error a lost task is failed with (its exception class path)."""


LOST = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


def beat(worker_id: str, *, now: datetime | None = None) -> WorkerHeartbeat:
    """Say that worker `worker_id` (this process) is alive."""
    now = now or timezone.now()
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        create_defaults={
            "seen_at": now,
            "started_at": now,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )
    return heartbeat


@dataclass(frozen=True)
class Recovered:
    """A task of a lost worker: failed, and queued again as `again` if safe to retry."""

    task_id: str
    task_path: str
    worker_id: str
    again: str | None


def _worker(row: DBTaskResult) -> str:
    """The worker that took `row` last (a task run again lists each one that took it)."""
    return row.worker_ids[-1] if row.worker_ids else ""


def _lost(row: DBTaskResult, seen: dict[str, datetime], now: datetime) -> str | None:
    """Why `row`'s worker is taken for gone, or None while it may still be running it."""
    worker_id = _worker(row)
    last_seen = seen.get(worker_id)
    if last_seen is not None:
        silent = now - last_seen
        if silent > timedelta(seconds=settings.KEEL_WORKER_LOST_SECONDS):
            return f"its worker {worker_id} was last seen {_duration(silent)} before"
        return None
    running = now - (row.started_at or row.enqueued_at)
    if running > timedelta(seconds=settings.KEEL_TASK_LEASE_SECONDS):
        return (
            f"it had been running for {_duration(running)} (KEEL_TASK_LEASE_SECONDS) "
            f"on worker {worker_id or '?'}, which never reported being alive"
        )
    return None


def _duration(delta: timedelta) -> str:
    return f"{int(delta.total_seconds())} s"


def recover_lost_tasks(
    *, retryable: Collection[str], now: datetime | None = None
) -> list[Recovered]:
    """Fail each RUNNING task whose worker is gone, with a WorkerLost error saying so;
    queue it again when its task path is in `retryable` (safe to run twice).

    Two sweeps at once recover a task once: failing it is conditional on its still
    running, and only the sweep that failed it queues it again."""
    now = now or timezone.now()
    seen = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    recovered = []
    for row in DBTaskResult.objects.running().order_by("started_at"):
        reason = _lost(row, seen, now)
        if reason is None:
            continue
        message = (
            f"{LOST}: the worker running this task stopped without finishing it: {reason} "
            f"(found by the sweep at {now.isoformat()})."
        )
        with transaction.atomic():
            failed = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=LOST,
                traceback=message,
            )
            if not failed:
                continue  # finished meanwhile, or another sweep took it
            again = None
            if row.task_path in retryable:
                task = import_string(row.task_path).using(
                    priority=row.priority, queue_name=row.queue_name, backend=row.backend_name
                )
                args = row.args_kwargs
                again = str(task.enqueue(*args["args"], **args["kwargs"]).id)
                DBTaskResult.objects.filter(pk=row.pk).update(
                    traceback=f"{message} Queued again as task {again}."
                )
        recovered.append(Recovered(str(row.pk), row.task_path, _worker(row), again))
    return recovered


__all__ = ["LOST", "Recovered", "WorkerLost", "beat", "recover_lost_tasks"]
