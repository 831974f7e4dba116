"""A task whose worker was killed (kill -9) does not stay RUNNING forever: the sweep
fails it, and runs again the ones safe to retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from keel.core import tasks
from keel.core.events import publish
from keel.core.models import WebhookDelivery
from keel.core.services import webhooks, workers
from keel.core.tests.factories import WebhookSubscriptionFactory
from keel.core.tests.test_worker import DATABASE_TASKS, InvoicePosted, run_worker


@task()
def close_the_month(period: str) -> str:
    """A task Keel does not know to be safe to run twice."""
    return period


def taken_by(worker_id: str, result, *, started_at) -> DBTaskResult:
    """What a worker does when it takes a task (django-tasks-db's own claim), back then."""
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=started_at)
    return DBTaskResult.objects.get(pk=row.pk)


def statuses() -> list[tuple[str, str, list]]:
    return sorted(
        DBTaskResult.objects.values_list("task_path", "status", "args_kwargs__args"),
        key=lambda row: (row[0], row[1]),
    )


@pytest.fixture
def a_delivery_being_sent_by_a_killed_worker(settings, receiver, company):
    """An event dispatched to one webhook; the worker sending it was killed mid-send
    five minutes ago: its task is RUNNING, the delivery SENDING, its heartbeat silent."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    WebhookSubscriptionFactory(company=company, target_url=receiver.url)
    with transaction.atomic():
        publish(InvoicePosted(number="INV/2026/00009"), company=company)
    settings.TASKS = DATABASE_TASKS
    killed_at = timezone.now() - timedelta(minutes=5)
    [delivery_id] = webhooks.dispatch_outbox(now=killed_at)
    workers.beat("w-killed", now=killed_at)
    row = taken_by("w-killed", tasks.deliver_webhook.enqueue(delivery_id), started_at=killed_at)
    assert webhooks._claim(delivery_id, killed_at) is not None  # the send it never finished
    return row


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_is_failed_and_its_work_done_once(
    a_delivery_being_sent_by_a_killed_worker, receiver
):
    """Given a webhook delivery whose worker was killed mid-send five minutes ago;
    When a live worker sweeps, and runs its queue;
    Then the lost task is failed with an error naming its worker, a new one is queued
    for the same delivery, and the receiver gets the event exactly once."""
    lost = a_delivery_being_sent_by_a_killed_worker
    now = timezone.now()

    assert tasks.sweep(now=now) == (0, 1)

    lost.refresh_from_db()
    again = DBTaskResult.objects.get(status="READY")
    assert (lost.status, lost.exception_class_path, lost.finished_at) == (
        "FAILED",
        "keel.core.services.workers.WorkerLost",
        now,
    )
    assert lost.traceback == (
        "keel.core.services.workers.WorkerLost: the worker running this task stopped "
        "without finishing it: its worker w-killed was last seen 300 s before (found by "
        f"the sweep at {now.isoformat()}). Queued again as task {again.pk}."
    )
    assert (again.task_path, again.args_kwargs) == (lost.task_path, lost.args_kwargs)

    run_worker()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("delivered", 1, 1)
    assert statuses() == [
        ("keel.core.tasks.deliver_webhook", "FAILED", [delivery.pk]),
        ("keel.core.tasks.deliver_webhook", "SUCCESSFUL", [delivery.pk]),
    ]
    # Then a second sweep finds nothing left to recover, and sends nothing more.
    assert tasks.sweep() == (0, 0)
    assert (DBTaskResult.objects.count(), len(receiver.requests)) == (2, 1)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_recover_a_lost_task_once(a_delivery_being_sent_by_a_killed_worker):
    """Given a lost task; When two workers' sweeps find it (the second one after the
    first failed it); Then it is queued again once."""
    now = timezone.now()
    first = workers.recover_lost_tasks(retryable=tasks.RETRYABLE, now=now)
    second = workers.recover_lost_tasks(retryable=tasks.RETRYABLE, now=now)

    assert [(r.worker_id, r.again is not None) for r in first] == [("w-killed", True)]
    assert second == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_running_task_of_a_live_worker_is_not_touched(settings):
    """Given a task running for an hour on a worker that beat ten seconds ago;
    When the sweep runs; Then the task is still RUNNING, nothing is queued."""
    settings.TASKS = DATABASE_TASKS
    now = timezone.now()
    workers.beat("w-busy", now=now - timedelta(seconds=10))
    row = taken_by(
        "w-busy", close_the_month.enqueue("2026-11"), started_at=now - timedelta(hours=1)
    )

    assert workers.recover_lost_tasks(retryable=tasks.RETRYABLE, now=now) == []
    tasks.sweep(now=now)

    assert list(DBTaskResult.objects.values_list("pk", "status", "traceback")) == [
        (row.pk, "RUNNING", "")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_lost_task_not_safe_to_retry_is_failed_and_not_run_again(settings):
    """Given a month-closing task (not known to be safe twice) whose worker has been
    silent for three minutes (KEEL_WORKER_LOST_SECONDS is two);
    When the sweep runs; Then it is failed, and nothing is queued again."""
    settings.TASKS = DATABASE_TASKS
    now = timezone.now()
    workers.beat("w-dead", now=now - timedelta(minutes=3))
    row = taken_by(
        "w-dead", close_the_month.enqueue("2026-11"), started_at=now - timedelta(minutes=3)
    )

    [lost] = workers.recover_lost_tasks(retryable=tasks.RETRYABLE, now=now)

    assert (lost.task_id, lost.worker_id, lost.again) == (str(row.pk), "w-dead", None)
    assert list(DBTaskResult.objects.values_list("status", "exception_class_path")) == [
        ("FAILED", workers.LOST)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_worker_without_heartbeat_is_lost_after_the_lease(settings):
    """Given tasks taken by plain `db_worker`s (which never beat a heartbeat), running
    for 14 and 16 minutes (KEEL_TASK_LEASE_SECONDS is 15 minutes);
    When the sweep runs; Then only the one past the lease is failed and queued again."""
    settings.TASKS = DATABASE_TASKS
    now = timezone.now()
    within = taken_by(
        "db-1", tasks.dispatch_outbox.enqueue(), started_at=now - timedelta(minutes=14)
    )
    past = taken_by("db-2", tasks.dispatch_outbox.enqueue(), started_at=now - timedelta(minutes=16))

    [lost] = workers.recover_lost_tasks(retryable=tasks.RETRYABLE, now=now)

    assert lost.task_id == str(past.pk)
    assert DBTaskResult.objects.get(pk=within.pk).status == "RUNNING"
    past.refresh_from_db()
    assert past.status == "FAILED"
    assert "it had been running for 960 s (KEEL_TASK_LEASE_SECONDS) on worker db-2" in (
        past.traceback
    )
    assert DBTaskResult.objects.get(pk=lost.again).status == "READY"
