"""The app server for real: gunicorn serves the API from the test's database, is killed
-9 and started again, and a request killed half-way leaves nothing behind, so the
client's retry with the same Idempotency-Key acts exactly once.

(bench/soak/faults.py does the same under a 1,000-order load, with the worker and
PostgreSQL killed too.)"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from keel.accounting.tests.factories import books
from keel.core.models import IdempotentRequest
from keel.inventory.tests.factories import product, receive, warehouse
from keel.sales.models import Quotation, SalesOrder
from keel.sales.tests.factories import JUNE_1, customer, quotation
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


class Gunicorn:
    """gunicorn keel.config.wsgi on a free port of 127.0.0.1, against the test database."""

    def __init__(self, log):
        self.log = log
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "DEBUG": "0",
            "KEEL_TASKS": "immediate",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [Path(sys.executable).parent / "gunicorn", "keel.config.wsgi", "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}"],
            env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        # Ready when a worker answers (a connection may be reset while they boot).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                client.request("GET", "/api/v1/")
                client.getresponse().read()
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
            finally:
                client.close()
        raise AssertionError("gunicorn did not start")

    def kill9(self, *, with_workers: bool) -> list[int]:
        """kill -9 the master (and its workers: a crash that ends requests mid-way);
        the workers' ids."""
        found = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True)
        workers = [int(pid) for pid in found.stdout.split()]
        for pid in [self.process.pid, *(workers if with_workers else [])]:
            os.kill(pid, signal.SIGKILL)
        self.process.wait()
        return workers

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def call(self, method: str, path: str, token: str, body=None, key: str | None = None):
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            client.request(method, path, json.dumps(body) if body is not None else None, headers)
            answer = client.getresponse()
            body = answer.read()
            return answer.status, json.loads(body) if body.startswith(b"{") else body.decode()
        finally:
            client.close()


@pytest.fixture
def server(tmp_path):
    with open(tmp_path / "gunicorn.log", "wb") as log:
        found = Gunicorn(log)
        yield found
        found.stop()
    # pytest shows this with a failure: what the server said.
    print((tmp_path / "gunicorn.log").read_text()[-5000:])


def waiting_for_my_lock() -> bool:
    """Whether a backend waits on a lock this test's transaction holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # see backends that came since
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cursor.fetchone()[0] > 0


def test_a_request_killed_half_way_leaves_no_key_and_its_retry_acts_once(company, server):
    """Given a rep's draft quotation and gunicorn serving the API;
    When gunicorn is killed -9 and started again, it answers as before;
    When the rep's confirmation (Idempotency-Key K) is held on the quotation's row lock
    and gunicorn and its workers are killed -9 mid-request, then started again;
    Then the rep's retry with K confirms the quotation (201, SO/00001): the killed
    request left neither its order nor its key (before, the key stayed "in progress"
    and the retry got 409 for ten minutes); a second retry replays that answer."""
    books(company)
    wh = warehouse(company)
    widget = product(company, name="Widget", sku="WDG", sale_price=Decimal("100.00"))
    receive(wh, widget, 6, unit_cost="60.00", on_date=JUNE_1)
    rep = user_with_role(Role.SALES_REP, "ann", company=company)
    token = Token.objects.create(user=rep).key
    draft = quotation(
        company, customer(company), wh, [{"product": widget, "quantity": Decimal("2")}], by=rep
    )
    confirm = f"/api/v1/quotations/{draft.pk}/confirm/"
    server.start()
    assert server.call("GET", "/api/v1/quotations/", token)[1]["count"] == 1

    # When: a crash of the server (master and workers), and a restart
    server.kill9(with_workers=True)
    server.start()
    assert server.call("GET", f"/api/v1/quotations/{draft.pk}/", token)[0] == 200

    # When: the confirmation is killed while it waits on the quotation's row lock
    answers = []

    def first_try():
        try:
            answers.append(server.call("POST", confirm, token, {"date": "2026-06-01"}, key="K"))
        except (OSError, http.client.HTTPException):
            answers.append("no answer")

    with transaction.atomic():
        Quotation.objects.select_for_update().get(pk=draft.pk)
        caller = threading.Thread(target=first_try)
        caller.start()
        deadline = time.monotonic() + 15
        while not waiting_for_my_lock():
            assert time.monotonic() < deadline, (
                f"the confirmation never reached the lock: {answers}"
            )
            time.sleep(0.05)
        server.kill9(with_workers=True)
    caller.join()
    assert answers == ["no answer"]  # the connection died with the server

    server.start()
    status, order = server.call("POST", confirm, token, {"date": "2026-06-01"}, key="K")
    assert (status, order.get("number"), order.get("status")) == (201, "SO/00001", "confirmed")
    assert server.call("POST", confirm, token, {"date": "2026-06-01"}, key="K") == (201, order)
    assert list(SalesOrder.objects.values_list("number", flat=True)) == ["SO/00001"]
    assert list(IdempotentRequest.objects.values_list("key", "status_code")) == [("K", 201)]
