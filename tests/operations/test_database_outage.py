"""The database goes away and comes back: gunicorn answers 503 while it is away (never a
500, never a traceback), and serves again once it is back, without a restart.

A throwaway PostgreSQL cluster (bench/soak/cluster.py) holds a small company; gunicorn
serves it. PostgreSQL is stopped as a crash stops it (`pg_ctl stop -m immediate`) and
started again. (bench/soak/faults.py restarts PostgreSQL under a 1,000-order load; this
test pins what each kind of request answers while it is down.)"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from bench.soak.cluster import PG_BIN, VENV_BIN, Cluster, Service, free_port

pytestmark = [pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
QUOTATIONS = "/api/v1/quotations/"
PAGE = "/sales/quotation/"  # the workspace's quotation list


def given_a_small_company() -> dict:
    """A company with books, a warehouse, a stocked product, a customer and a sales rep
    with an API token and a signed-in session."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from keel.accounting.tests.factories import books
    from keel.core.tests.factories import CompanyFactory
    from keel.inventory.tests.factories import product, receive, warehouse
    from keel.sales.tests.factories import customer
    from keel.users.roles import Role
    from keel.users.tests.factories import user_with_role

    company = CompanyFactory(name="Outage Ltd")
    books(company)
    wh = warehouse(company)
    widget = product(company, name="Widget", sku="WDG")
    receive(wh, widget, 10, unit_cost="6.00")
    rep = user_with_role(Role.SALES_REP, "ann", company=company)
    browser = Client()
    browser.force_login(rep)
    return {
        "party": customer(company).pk,
        "warehouse": wh.pk,
        "product": widget.pk,
        "token": Token.objects.create(user=rep).key,
        "session": browser.cookies["sessionid"].value,
    }


def quotations_in(cluster: Cluster) -> int:
    """How many quotations the database holds (asked with psql, not through Keel)."""
    found = subprocess.run(
        [*cluster.as_postgres, str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p",
         str(cluster.port), "-At", "-c", "SELECT count(*) FROM sales_quotation", "keel"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(found.stdout)


@pytest.fixture
def cluster():
    # Under the system's temporary folder: the `postgres` user the cluster runs as can
    # reach it wherever the checkout lives.
    found = Cluster(Path(tempfile.mkdtemp(prefix="keel-outage-")))
    found.start()
    yield found
    found.stop_and_remove()


@pytest.fixture
def world(cluster, transactional_db):
    """The small company, committed in the test database, copied as `keel` onto the
    cluster (a copy of the migrated database: quicker than migrating anew); the
    environment gunicorn runs in (DEBUG off, as in production)."""
    made = given_a_small_company()
    env = {
        **os.environ,
        "DATABASE_URL": cluster.copy_database(connection.settings_dict, "keel"),
        "DEBUG": "0",
        "KEEL_TASKS": "immediate",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "keel.config.settings",
    }
    return {**made, "env": env}


@pytest.fixture
def server(world):
    port = free_port()
    found = Service(
        "gunicorn-outage",
        [str(VENV_BIN / "gunicorn"), "keel.config.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}"],
        world["env"], port=port,
    )  # fmt: skip
    found.start()
    yield found
    found.stop()
    # pytest shows this with a failure: what the server said.
    print(Path(found.log.name).read_text()[-5000:])


class Caller:
    """Plain HTTP to the server: the rep's API token, or her browser's session."""

    def __init__(self, port: int, world: dict):
        self.port, self.world = port, world

    def call(self, method: str, path: str, body: dict | None = None, *, page: bool = False):
        """(status, headers, body: parsed JSON, or the text of a page)"""
        if page:
            headers = {"Cookie": f"sessionid={self.world['session']}"}
        else:
            headers = {
                "Authorization": f"Token {self.world['token']}",
                "Content-Type": "application/json",
            }
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            client.request(method, path, json.dumps(body) if body else None, headers)
            answer = client.getresponse()
            text = answer.read().decode()
            is_json = answer.getheader("Content-Type", "").startswith("application/json")
            return answer.status, answer, json.loads(text) if is_json else text
        finally:
            client.close()

    def quote(self):
        """POST a quotation of 2 widgets."""
        line = {"product": self.world["product"], "quantity": "2"}
        body = {"party": self.world["party"], "warehouse": self.world["warehouse"]}
        return self.call("POST", QUOTATIONS, {**body, "lines": [line]})


def test_while_the_database_is_away_keel_answers_503_and_serves_again_once_it_is_back(
    cluster, world, server
):
    """Given gunicorn serving a small company, a rep's API token and her session;
    and her API GET and POST answering 200 and 201, her quotation list page 200;
    When PostgreSQL is stopped as a crash stops it;
    Then the API's GET and POST answer 503 `database_unavailable` with Retry-After, the
    page answers 503 with a page saying so (no traceback), /healthz answers 503;
    When PostgreSQL is started again (gunicorn is not restarted);
    Then the same requests answer 200, and the POST made during the outage did not
    happen: the database holds exactly the two quotations posted while it was up."""
    rep = Caller(server.port, world)
    # Given
    status, _, created = rep.quote()
    assert (status, created["number"], created["status"]) == (201, "SQ/00001", "draft")
    status, _, listed = rep.call("GET", QUOTATIONS)
    assert (status, listed["count"]) == (200, 1)
    status, _, page = rep.call("GET", PAGE, page=True)
    assert status == 200 and "SQ/00001" in page
    assert rep.call("GET", "/healthz")[0] == 200

    # When
    cluster.stop(immediately=True)

    # Then
    unavailable = {
        "code": "database_unavailable",
        "detail": "The database is unavailable; retry in a moment.",
        "field": None,
    }
    for status, answer, body in [rep.call("GET", QUOTATIONS), rep.quote()]:
        assert (status, body, answer.getheader("Retry-After")) == (503, unavailable, "1")
    status, answer, page = rep.call("GET", PAGE, page=True)
    assert (status, answer.getheader("Retry-After")) == (503, "5")
    assert answer.getheader("Content-Type") == "text/html; charset=utf-8"
    assert "<h1>Keel cannot reach its database</h1>" in page
    assert "Traceback" not in page and "OperationalError" not in page
    status, _, health = rep.call("GET", "/healthz")
    assert (status, health) == (
        503,
        {"status": "unavailable", "database": "unreachable: OperationalError"},
    )

    # When
    cluster.start()
    assert server.process.poll() is None and server.starts == 1  # the same gunicorn

    # Then
    status, _, again = rep.quote()
    assert (status, again["number"]) == (201, "SQ/00002")
    status, _, listed = rep.call("GET", QUOTATIONS)
    assert (status, listed["count"]) == (200, 2)
    assert sorted(row["number"] for row in listed["results"]) == ["SQ/00001", "SQ/00002"]
    status, _, page = rep.call("GET", PAGE, page=True)
    assert status == 200 and "SQ/00002" in page
    status, _, health = rep.call("GET", "/healthz")
    assert (status, health) == (200, {"status": "ok", "database": "ok", "migrations": "ok"})
    assert quotations_in(cluster) == 2
