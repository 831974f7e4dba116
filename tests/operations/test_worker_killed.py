"""kill -9 a real `keel worker` in the middle of sending a webhook: its task does not stay
RUNNING forever. A second worker's sweep finds the dead worker silent, fails the task
with WorkerLost and queues it again, and the delivery is made, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from keel.core import tasks
from keel.core.events import publish
from keel.core.models import WebhookAttempt, WebhookDelivery, WorkerHeartbeat
from keel.core.services import webhooks, workers
from keel.core.tests.factories import WebhookSubscriptionFactory
from keel.core.tests.test_worker import DATABASE_TASKS, InvoicePosted

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


class HoldingReceiver:
    """A webhook receiver that holds the first request (its sender is killed meanwhile)
    and answers 200 to the others; counts what it received."""

    def __init__(self) -> None:
        self.received = 0
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received += 1
                if receiver.received == 1:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(worker_id: str, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(ROOT),
        "KEEL_TASKS": "database",
        "KEEL_OUTBOUND_ALLOWED_HOSTS": "127.0.0.1",
        "KEEL_WORKER_HEARTBEAT_SECONDS": "0.2",
        "KEEL_WORKER_SWEEP_SECONDS": "0.5",
        "KEEL_WORKER_LOST_SECONDS": "2",
        # The delivery's claim lasts the timeout + the grace: sent again once it runs out.
        "KEEL_WEBHOOK_TIMEOUT": "1",
        "KEEL_WEBHOOK_CLAIM_GRACE_SECONDS": "2",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.1", "--worker-id", worker_id],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def receiver():
    found = HoldingReceiver()
    yield found
    found.stop()


@pytest.fixture
def worker_log(tmp_path):
    with open(tmp_path / "workers.log", "wb") as log:
        yield log
    print((tmp_path / "workers.log").read_text()[-5000:])  # shown with a failure


def test_the_task_of_a_worker_killed_mid_send_is_recovered_and_done_once(
    settings, company, receiver, worker_log
):
    """Given a webhook delivery queued for `keel worker`;
    When the worker is killed -9 while the receiver holds its request, and a second
    worker runs;
    Then the dead worker's task is failed with WorkerLost and queued again, the delivery
    is delivered with one logged attempt, and the receiver got the cut-off request and
    one more: nothing was sent a third time."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    WebhookSubscriptionFactory(company=company, target_url=receiver.url)
    with transaction.atomic():
        publish(InvoicePosted(number="INV/2026/00010"), company=company)
    settings.TASKS = DATABASE_TASKS
    [delivery_id] = webhooks.dispatch_outbox()
    sending = tasks.deliver_webhook.enqueue(delivery_id)
    killed, survivor = [], []

    try:
        # When the first worker is killed -9 mid-send
        killed.append(start_worker("w-killed", worker_log))
        assert receiver.first_arrived.wait(90), "the first worker never sent the webhook"
        assert DBTaskResult.objects.get(pk=sending.id).status == "RUNNING"
        assert WorkerHeartbeat.objects.filter(worker_id="w-killed").exists()
        os.killpg(killed[0].pid, signal.SIGKILL)
        killed[0].wait()
        receiver.release.set()

        # And a second worker runs
        survivor.append(start_worker("w-survivor", worker_log))
        wait_for(
            lambda: WebhookDelivery.objects.get().status == "delivered",
            seconds=120,
            what="the delivery to be made again",
        )
        wait_for(
            lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists(),
            seconds=30,
            what="the queue to empty",
        )
        time.sleep(1.5)  # a few more sweeps: nothing is sent again
    finally:
        for process in killed + survivor:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    # Then
    lost = DBTaskResult.objects.get(pk=sending.id)
    assert (lost.status, lost.exception_class_path) == ("FAILED", workers.LOST)
    assert "its worker w-killed was last seen" in lost.traceback
    assert sorted(DBTaskResult.objects.values_list("task_path", "status", "worker_ids")) == [
        ("keel.core.tasks.deliver_webhook", "FAILED", ["w-killed"]),
        ("keel.core.tasks.deliver_webhook", "SUCCESSFUL", ["w-survivor"]),
    ]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert list(WebhookAttempt.objects.values_list("number", "status_code")) == [(1, 200)]
    assert receiver.received == 2
