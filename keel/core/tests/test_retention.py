"""Retention: technical rows past their lifetime are purged; everything else stays."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from keel.core import tasks
from keel.core.models import (
    IdempotentRequest,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    WorkerHeartbeat,
)
from keel.core.services import retention, workers
from keel.core.submissions import AlreadySubmitted, once
from keel.core.tests.factories import WebhookSubscriptionFactory
from keel.users.roles import Role

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
NOTHING = {kind: 0 for kind in retention.KINDS}


def days_ago(days: float, *, now: datetime = NOW) -> datetime:
    return now - timedelta(days=days)


def idempotency_key(key: str, *, age_days: float, now: datetime = NOW) -> IdempotentRequest:
    row = IdempotentRequest.objects.create(
        key=key, caller="user:1", method="POST", path="/api/v1/x/", fingerprint="f", status_code=201
    )
    # created_at is set by the database on insert: age the row as if made back then.
    IdempotentRequest.objects.filter(pk=row.pk).update(created_at=days_ago(age_days, now=now))
    return row


def delivery(subscription, *, status: str, delivered_days_ago: float | None, attempts: int):
    event = OutboxEvent.objects.create(
        topic="test.thing.done", occurred_at=days_ago(90), dispatched_at=days_ago(90)
    )
    sent = WebhookDelivery.objects.create(
        event=event,
        subscription=subscription,
        status=status,
        attempts=attempts,
        next_attempt_at=days_ago(90),
        delivered_at=None if delivered_days_ago is None else days_ago(delivered_days_ago),
    )
    for number in range(1, attempts + 1):
        WebhookAttempt.objects.create(
            delivery=sent, number=number, attempted_at=days_ago(90), status_code=502
        )
    return sent


def task_result(status: str, *, finished_days_ago: float | None = None) -> DBTaskResult:
    finished = None if finished_days_ago is None else days_ago(finished_days_ago)
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="keel.core.tasks.dispatch_outbox",
        backend_name="default",
        run_after=days_ago(60),
        started_at=finished,
        finished_at=finished,
    )


# What aged_rows holds past its retention, per kind.
PAST_RETENTION = {
    "idempotency keys": 1,
    "form tokens": 1,
    "expired sessions": 2,
    "webhook attempts": 2,
    "finished tasks": 1,
    "failed tasks": 1,
    "worker heartbeats": 1,
}


@pytest.fixture
def aged_rows(company):
    """Rows of every kind, some just past their retention, some just within it."""
    rows = {
        "old key": idempotency_key("old", age_days=7.1),
        "fresh key": idempotency_key("fresh", age_days=6.9),
        "new key": idempotency_key("new", age_days=0),
        "old form": idempotency_key("form:aaa", age_days=30),
        "fresh form": idempotency_key("form:bbb", age_days=2),
    }
    for name, expires in [("gone1", 1), ("gone2", 0.01), ("live", -0.5)]:
        Session.objects.create(session_key=name, session_data="", expire_date=days_ago(expires))
    subscription = WebhookSubscriptionFactory(company=company)
    rows["old delivered"] = delivery(
        subscription, status="delivered", delivered_days_ago=31, attempts=2
    )
    rows["fresh delivered"] = delivery(
        subscription, status="delivered", delivered_days_ago=29, attempts=1
    )
    rows["failed"] = delivery(subscription, status="failed", delivered_days_ago=None, attempts=3)
    rows["old success"] = task_result("SUCCESSFUL", finished_days_ago=15)
    rows["fresh success"] = task_result("SUCCESSFUL", finished_days_ago=13)
    rows["old failure"] = task_result("FAILED", finished_days_ago=31)
    rows["fresh failure"] = task_result("FAILED", finished_days_ago=20)
    rows["ready"] = task_result("READY")
    workers.beat("gone-worker", now=days_ago(8))
    workers.beat("live-worker", now=days_ago(0.001))
    return rows


def test_purge_removes_exactly_the_rows_past_their_retention(aged_rows):
    """Given technical rows of various ages (default retentions: keys 7 days, delivered
    webhooks' attempts 30, successful tasks 14, failed tasks 30, gone workers 7);
    When the purge runs;
    Then exactly the rows past their retention are gone, the others and every business
    row (events, deliveries, subscriptions) stay; a second purge finds nothing."""
    removed = retention.purge(now=NOW)

    assert removed == PAST_RETENTION
    assert sorted(IdempotentRequest.objects.values_list("key", flat=True)) == [
        "form:bbb",
        "fresh",
        "new",
    ]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert sorted(
        WebhookAttempt.objects.values_list("delivery__status", "delivery__attempts", "number")
    ) == [("delivered", 1, 1), ("failed", 3, 1), ("failed", 3, 2), ("failed", 3, 3)]
    assert WebhookDelivery.objects.count() == 3
    assert OutboxEvent.objects.count() == 3
    assert WebhookSubscription.objects.count() == 1
    kept_tasks = {aged_rows[name].pk for name in ("fresh success", "fresh failure", "ready")}
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == kept_tasks
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["live-worker"]

    assert retention.purge(now=NOW) == NOTHING


def test_a_dry_run_counts_and_removes_nothing(aged_rows):
    """Given the same rows; When the purge runs dry; Then it counts what it would remove,
    and every row is still there."""
    before = [
        model.objects.count()
        for model in (IdempotentRequest, Session, WebhookAttempt, DBTaskResult, WorkerHeartbeat)
    ]

    assert retention.purge(now=NOW, dry_run=True) == PAST_RETENTION
    assert before == [5, 3, 6, 5, 2]
    assert [
        model.objects.count()
        for model in (IdempotentRequest, Session, WebhookAttempt, DBTaskResult, WorkerHeartbeat)
    ] == before


def test_retentions_are_settings(aged_rows, settings):
    """Given a one-day key retention and a 40-day webhook log; Then the purge follows
    them: both stored keys from days ago go, no webhook attempt does."""
    settings.KEEL_RETENTION_IDEMPOTENCY_KEY_DAYS = 1
    settings.KEEL_RETENTION_WEBHOOK_ATTEMPT_DAYS = 40

    removed = retention.purge(now=NOW)

    assert (removed["idempotency keys"], removed["form tokens"]) == (2, 2)
    assert removed["webhook attempts"] == 0
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


BODY = {"name": "Bridge", "target_url": "http://127.0.0.1:9000/h", "event_types": ["*"]}


def test_a_key_within_its_retention_still_replays_after_a_purge(users):
    """Given a POST made with an Idempotency-Key;
    When the purge runs six days later; Then a retry with the key still replays the
    first answer (one subscription);
    When it runs past seven days; Then the key is forgotten, and only then."""
    client = APIClient()  # an integration's token: the purge signs no one out
    token = Token.objects.create(user=users[Role.ADMINISTRATOR])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = "/api/v1/webhook-subscriptions/"
    first = client.post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="bridge-1")
    made_at = IdempotentRequest.objects.get().created_at

    assert retention.purge(now=made_at + timedelta(days=6))["idempotency keys"] == 0
    again = client.post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="bridge-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert WebhookSubscription.objects.count() == 1

    assert retention.purge(now=made_at + timedelta(days=7, seconds=1))["idempotency keys"] == 1
    assert IdempotentRequest.objects.count() == 0


def test_a_claimed_form_token_is_purged_with_the_keys(users):
    """Given a form submitted once (its one-time token claimed); Then a resubmission is
    refused for the retention's seven days, and the claim is purged after them."""
    request = RequestFactory().post("/workspace/pay/")
    request.user = users[Role.ACCOUNTANT]
    done = []
    once(request, "tok-1", lambda: done.append(1), what="the payment")
    claimed_at = IdempotentRequest.objects.get().created_at

    assert retention.purge(now=claimed_at + timedelta(days=6))["form tokens"] == 0
    with pytest.raises(AlreadySubmitted):
        once(request, "tok-1", lambda: done.append(2), what="the payment")
    assert done == [1]
    assert IdempotentRequest.objects.count() == 1

    assert retention.purge(now=claimed_at + timedelta(days=8))["form tokens"] == 1
    assert IdempotentRequest.objects.count() == 0


def test_the_purge_command_prints_what_it_removed(company):
    """Given one stored key eight days old and one from today;
    When `keel purge --dry-run` runs; Then it prints the counts and removes nothing;
    When `keel purge` runs; Then it removes the old key and says so."""
    now = timezone.now()
    idempotency_key("old", age_days=8, now=now)
    idempotency_key("today", age_days=0, now=now)

    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "would remove        1 idempotency keys",
        "would remove        0 form tokens",
        "would remove        0 expired sessions",
        "would remove        0 webhook attempts",
        "would remove        0 finished tasks",
        "would remove        0 failed tasks",
        "would remove        0 worker heartbeats",
        "would remove        1 in all",
    ]
    assert IdempotentRequest.objects.count() == 2

    out = io.StringIO()
    call_command("purge", stdout=out)
    assert out.getvalue().splitlines()[0] == "removed        1 idempotency keys"
    assert out.getvalue().splitlines()[-1] == "removed        1 in all"
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["today"]


def test_the_worker_purges_at_most_once_an_hour(company):
    """Given `keel worker`'s sweeper; When it sweeps at 12:00, 12:30 and 13:00 with a key
    turning old in between; Then it purged at 12:00 and 13:00 only."""
    sweeper = tasks.Sweeper()

    assert sweeper.run(now=NOW) == NOTHING
    idempotency_key("old", age_days=8)
    assert sweeper.run(now=NOW + timedelta(minutes=30)) is None
    assert IdempotentRequest.objects.count() == 1
    assert sweeper.run(now=NOW + timedelta(hours=1)) == {**NOTHING, "idempotency keys": 1}
    assert IdempotentRequest.objects.count() == 0
