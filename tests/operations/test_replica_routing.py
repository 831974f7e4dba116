"""Read routing to a real streaming replica: a primary and a hot standby (throwaway
PostgreSQL clusters, pg_basebackup -R), gunicorn with DATABASE_URL on the primary and
DATABASE_REPLICA_URL on the replica, and real HTTP.

The reports that opt in (here the aged receivables, as CSV) read from the replica;
everything else (here the invoice itself) reads from the primary. With replay paused on
the replica, the report lags and the invoice does not; with the replica stopped, or
behind more than KEEL_REPLICA_MAX_LAG_SECONDS, the report reads from the primary."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import time
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from bench.soak.cluster import VENV_BIN, Cluster, Service, free_port
from keel.accounting.tests.factories import books, invoice, party
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
AGED = "/api/v1/financial-reports/aged-receivables/?date_to=2026-06-30&export=csv"
HEADER = "Party,Current,1-30,31-60,61-90,> 90,Total"


class Web(Service):
    """gunicorn (one worker: one process's view of the replica) on a free port."""

    def __init__(self, name: str, env: dict[str, str]):
        port = free_port()
        argv = [str(VENV_BIN / "gunicorn"), "keel.config.wsgi", "--workers", "1",
                "--bind", f"127.0.0.1:{port}"]  # fmt: skip
        super().__init__(name, argv, env, port=port)

    def get(self, path: str, token: str) -> tuple[int, str]:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            client.request("GET", path, headers={"Authorization": f"Token {token}"})
            answer = client.getresponse()
            return answer.status, answer.read().decode()
        finally:
            client.close()

    def post(self, path: str, token: str) -> int:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            client.request("POST", path, "{}", headers)
            answer = client.getresponse()
            answer.read()
            return answer.status
        finally:
            client.close()

    def aged(self, token: str) -> list[str]:
        status, body = self.get(AGED, token)
        assert status == 200, body
        return body.splitlines()

    def invoice_status(self, token: str, pk: int) -> str:
        status, body = self.get(f"/api/v1/invoices/{pk}/", token)
        assert status == 200, body
        return json.loads(body)["status"]

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()


def wait_for(what, expected, timeout: float = 15.0):
    """Poll `what()` until it returns `expected` (replay is asynchronous)."""
    deadline = time.monotonic() + timeout
    while (found := what()) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


@pytest.fixture
def clusters():
    primary = Cluster()
    started = [primary]
    try:
        primary.start()
        yield primary, started
    finally:
        for cluster in reversed(started):
            cluster.stop_and_remove()


@pytest.fixture
def webs():
    running: list[Web] = []
    yield running
    for web in running:
        web.stop()
        web.log.close()
        log = Path(web.log.name)
        print(f"--- {web.name}:\n{log.read_text()[-3000:]}")  # pytest shows it on failure
        log.unlink()


def aged(acme: str, total: str) -> list[str]:
    """The aged receivables CSV at 30 June: Acme's invoices are 5 and 10 days overdue."""
    return [
        HEADER,
        f"Acme Corp,0.00,{acme},0.00,0.00,0.00,{acme}",
        f"Total,0.00,{total},0.00,0.00,0.00,{total}",
    ]


def posted_invoices(cluster: Cluster) -> str:
    return cluster.sql("SELECT count(*) FROM accounting_invoice WHERE status = 'posted'", "keel")


def test_opted_in_reports_read_from_the_replica_and_fall_back_to_the_primary(
    company, clusters, webs
):
    """Given Acme's draft invoices of 100.00 and 250.00 on a primary, a streaming
    replica of it, and gunicorn routing the reports' reads to the replica;
    When invoice 1 is posted, the replica replays it and the report shows 100.00;
    When invoice 2 is posted while the replica's replay is paused;
    Then the invoice (primary) says posted, but the report (replica) still shows 100.00;
    with a lag limit of 0 s it shows 350.00 (primary); when replay resumes, 350.00.
    When the replica is stopped, the report still answers 200 with 350.00 (primary),
    whether the server notices at its check or when a query on the replica fails, and
    each server logged its fallback once."""
    primary, started = clusters
    books(company)
    acme = party(company, "Acme Corp")
    first, second = (
        invoice(company, acme, [{"description": what, "quantity": 1, "unit_price": amount}],
                date=day, post=False)
        for what, amount, day in [
            ("Consulting", "100.00", dt.date(2026, 6, 20)),
            ("Support", "250.00", dt.date(2026, 6, 25)),
        ]
    )  # fmt: skip
    token = Token.objects.create(user=user_with_role(Role.ACCOUNTANT, "acc", company=company)).key
    primary_url = primary.copy_database(connection.settings_dict, "keel")
    replica = primary.start_replica()
    started.append(replica)
    env = {
        **os.environ,
        "DATABASE_URL": primary_url,
        "DATABASE_REPLICA_URL": replica.url("keel"),
        "KEEL_REPLICA_MAX_LAG_SECONDS": "300",
        "KEEL_REPLICA_CHECK_SECONDS": "0",  # judge the replica at every report
        "DEBUG": "0",
        "KEEL_TASKS": "immediate",
        "PYTHONPATH": str(ROOT),
    }
    web = Web("replica-web", env)
    webs.append(web)
    web.start()
    assert web.aged(token) == [HEADER, "Total,0.00,0.00,0.00,0.00,0.00,0.00"]

    # When: invoice 1 is posted, the replica follows
    assert web.post(f"/api/v1/invoices/{first.pk}/post/", token) == 200
    assert wait_for(lambda: web.aged(token), aged("100.00", "100.00")) == aged("100.00", "100.00")

    # When: replay paused on the replica, invoice 2 posted on the primary
    replica.sql("SELECT pg_wal_replay_pause()")
    assert wait_for(lambda: replica.sql("SELECT pg_get_wal_replay_pause_state()"), "paused")
    assert web.post(f"/api/v1/invoices/{second.pk}/post/", token) == 200

    # Then: the invoice is read from the primary, the report from the replica
    assert web.invoice_status(token, second.pk) == "posted"
    assert web.aged(token) == aged("100.00", "100.00")
    assert (posted_invoices(primary), posted_invoices(replica)) == ("2", "1")

    # When: the limit is 0 s, the paused replica is too far behind: the primary answers
    strict = Web("replica-web-strict", {**env, "KEEL_REPLICA_MAX_LAG_SECONDS": "0"})
    webs.append(strict)
    strict.start()
    assert strict.aged(token) == aged("350.00", "350.00")
    assert strict.log_text().count("Read replica not used") == 1
    assert "the replica is" in strict.log_text() and "behind (limit 0 s)" in strict.log_text()

    # When: replay resumes, the replica catches up
    replica.sql("SELECT pg_wal_replay_resume()")
    assert wait_for(lambda: web.aged(token), aged("350.00", "350.00")) == aged("350.00", "350.00")
    assert posted_invoices(replica) == "2"
    # (Whether `web` fell back for a moment here is not asserted: a report's query on
    # the standby may be cancelled by the replay resuming under it, "conflict with
    # recovery", and the page then rightly runs again on the primary.)
    # A server that trusts its last check for an hour: it will learn of the stop only
    # when a report's query on the replica fails.
    trusting = Web("replica-web-trusting", {**env, "KEEL_REPLICA_CHECK_SECONDS": "3600"})
    webs.append(trusting)
    trusting.start()
    assert trusting.aged(token) == aged("350.00", "350.00")

    # When: the replica stops, the reports still answer, from the primary: at the next
    # check, or (the trusting server) by running the page again on the primary
    replica.stop()
    for server in (web, trusting):
        assert server.aged(token) == aged("350.00", "350.00")
        assert server.aged(token) == aged("350.00", "350.00")
        assert server.log_text().count("Read replica not used") == 1
        assert "the replica failed" in server.log_text()
