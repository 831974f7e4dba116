"""Locust profile of Keel's users (run by bench/soak/load.py, which writes the world file).

Four kinds of user, weighted as a sales-led company's staff is:

- SalesRep (weight 6, a Sales Rep): browses her quotations, orders and customers in the
  workspace and the API, opens records, creates quotations (1-5 lines) and confirms
  them into orders (which reserves stock).
- SalesManager (2, a Sales Manager): the same over everyone's records, plus the
  dashboard, the sales analytics and customer 360.
- Accountant (2, an Accountant): invoice lists and records, invoices confirmed orders
  (a posted invoice each), writes and posts invoices by hand, registers payments.
- Auditor (1, a Read-only Auditor): reads lists, records and journal entries.

Each one signs in through the workspace's sign-in form (a session, for pages) and uses
its API token (for API calls), thinks 1–4 s between actions, and talks plain HTTP to
gunicorn with `X-Forwarded-Proto: https`, as the TLS-terminating proxy would.

A business refusal the profile expects (two accountants invoicing the same order: the
second has nothing left to invoice) is counted as a refusal, not an error; every other
answer but the expected one is an error (5xx, timeouts, 403/404, validation errors).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

import gevent
from gevent.event import AsyncResult
from locust import HttpUser, between, events, task

WORLD = json.loads(Path(os.environ["KEEL_LOAD_WORLD"]).read_text())
# Written at exit for load.py: refusals by code, and the sign-ins (not in the figures).
EXTRAS_FILE = os.environ.get("KEEL_LOAD_EXTRAS")
USERS = int(os.environ.get("KEEL_LOAD_USERS", "0"))  # measure once this many are signed in
MEASURE_SECONDS = float(os.environ.get("KEEL_LOAD_SECONDS", "0"))  # then stop after this
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
TIMEOUT = 60
POOLS = {role: itertools.cycle(users) for role, users in WORLD["users"].items()}
SESSIONS: dict[str, AsyncResult] = {}  # username -> the cookies of its one sign-in
refusals: Counter = Counter()
extras: dict = {}
ready = Counter()


def _signed_in(environment) -> None:
    """When every user has signed in, the measured window starts: the figures are reset
    (the sign-in storm of the ramp-up is not steady work) and the run stops after
    MEASURE_SECONDS."""
    ready["users"] += 1
    if not USERS or ready["users"] != USERS:
        return
    sign_in = environment.stats.get("sign in", "POST")
    # What failed before the window is reported too, never lost with the reset.
    extras["ramp"] = {
        "requests": environment.stats.total.num_requests,
        "failures": environment.stats.total.num_failures,
        "errors": [
            {"request": f"{e.method} {e.name}", "error": str(e.error)[:300], "count": e.occurrences}
            for e in environment.stats.errors.values()
        ],
        "refusals": dict(refusals),
    }
    extras["sign_in"] = {
        "requests": sign_in.num_requests,
        "failures": sign_in.num_failures,
        "p50_ms": sign_in.get_response_time_percentile(0.5),
        "p99_ms": sign_in.get_response_time_percentile(0.99),
    }
    environment.stats.reset_all()
    refusals.clear()
    if MEASURE_SECONDS:
        gevent.spawn_later(MEASURE_SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _write_extras(environment, **kwargs):
    if EXTRAS_FILE:
        Path(EXTRAS_FILE).write_text(json.dumps({**extras, "refusals": dict(refusals)}))


class KeelUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 4)

    def on_start(self):
        """Sign in as the next user of the role's pool; several locust users may share
        one person's session (tabs), signed in once."""
        account = next(POOLS[self.role])
        self.token = account["token"]
        self.seen: dict[str, list[int]] = {}
        self.client.headers.update(PROXY_HEADERS)
        session = SESSIONS.get(account["username"])
        if session is None:
            session = SESSIONS[account["username"]] = AsyncResult()
            self.sign_in(account["username"], account["password"])
            session.set(dict(self.client.cookies))
        else:
            for name, value in session.get().items():
                self.client.cookies.set(name, value)
        _signed_in(self.environment)

    # --- requests ---------------------------------------------------------------------

    def behind_the_proxy(self) -> None:
        """Send the secure cookies (session, CSRF) over this plain-HTTP hop: a browser
        gets them over HTTPS from the proxy, which forwards them to gunicorn over HTTP."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def sign_in(self, username: str, password: str) -> None:
        self.page("/login/", "sign-in page")
        self.behind_the_proxy()
        with self.client.post(
            "/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"https://{self._host()}/login/"},
            name="sign in",
            allow_redirects=False,
            timeout=TIMEOUT,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "sessionid" not in self.client.cookies:
                answer.failure(f"sign-in as {username} refused: {answer.status_code}")
        self.behind_the_proxy()

    def _host(self) -> str:
        return self.host.split("://", 1)[1].rstrip("/")

    def page(self, path: str, name: str) -> None:
        """A workspace page: 200 expected (a redirect means the session was lost)."""
        with self.client.get(
            path, name=name, allow_redirects=False, timeout=TIMEOUT, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")

    def api(self, method: str, path: str, name: str, body=None, expect=200, refusable=()):
        """An API call with the user's token; the JSON answer, or None when refused."""
        with self.client.request(
            method,
            f"/api/v1/{path}",
            json=body,
            headers={"Authorization": f"Token {self.token}"},
            name=name,
            timeout=TIMEOUT,
            catch_response=True,
        ) as answer:
            if answer.status_code == expect:
                return answer.json()
            code = _refusal_of(answer, refusable)
            if 400 <= answer.status_code < 500 and code:
                refusals[code] += 1
                answer.success()
                return None
            answer.failure(f"{answer.status_code} {answer.text[:300]}")
            return None

    def listed(self, path: str, name: str) -> list[dict]:
        found = self.api("GET", path, name)
        return found["results"] if found else []

    def pick(self, kind: str, rows: list[dict]) -> int | None:
        """Remember the ids a list showed, and pick one to open."""
        if rows:
            self.seen[kind] = [row["id"] for row in rows]
        ids = self.seen.get(kind)
        return random.choice(ids) if ids else None

    # --- what people do (shared by the roles) ------------------------------------------

    def api_invoice_list(self) -> None:
        """The newest invoices through the API; their ids are remembered to open one."""
        self.pick("invoice", self.listed("invoices/?ordering=-date", "api: invoices"))

    def api_order_list(self) -> int | None:
        """The newest sales orders through the API; one of them to open."""
        return self.pick(
            "order", self.listed("sales-orders/?ordering=-number", "api: sales orders")
        )

    def invoice_page(self) -> int | None:
        """The record page of an invoice a list showed; None when none was listed yet."""
        found = self.pick("invoice", [])
        if found is not None:
            self.page(f"/accounting/invoice/{found}/change/", "page: invoice record")
        return found

    def quote(self) -> dict | None:
        lines = [
            {"product": item["id"], "quantity": random.randint(1, 5)}
            for item in random.sample(WORLD["products"], random.randint(1, 5))
        ]
        body = {
            "party": random.choice(WORLD["customers"]),
            "warehouse": WORLD["warehouse"],
            "lines": lines,
        }
        return self.api("POST", "quotations/", "api: create quotation", body, expect=201)

    def quote_and_confirm(self) -> None:
        quotation = self.quote()
        if quotation is not None:
            self.api(
                "POST",
                f"quotations/{quotation['id']}/confirm/",
                "api: confirm quotation",
                {},
                expect=201,
            )


def _refusal_of(answer, refusable) -> str:
    """The answer's error code when it is one of `refusable` ("code", or "code:words"
    the detail must contain), else ""."""
    try:
        found = answer.json()
    except ValueError:
        return ""
    if not isinstance(found, dict):
        return ""
    code, detail = str(found.get("code", "")), str(found.get("detail", ""))
    for expected in refusable:
        wanted, _, words = expected.partition(":")
        if code == wanted and words in detail:
            return code
    return ""


class SalesRep(KeelUser):
    role = "Sales Rep"
    weight = 6

    @task(3)
    def quotation_list(self):
        self.page("/sales/quotation/", "page: quotations")

    @task(2)
    def order_list(self):
        self.page("/sales/salesorder/", "page: sales orders")

    @task(1)
    def customer_list(self):
        self.page("/parties/party/", "page: parties")

    @task(2)
    def api_quotations(self):
        rows = self.listed("quotations/?ordering=-number", "api: quotations")
        self.pick("quotation", rows)

    @task(2)
    def open_quotation(self):
        found = self.pick("quotation", [])
        if found is None:
            return self.api_quotations()
        self.page(f"/sales/quotation/{found}/change/", "page: quotation record")

    @task(1)
    def api_orders(self):
        found = self.api_order_list()
        if found is not None:
            self.api("GET", f"sales-orders/{found}/", "api: sales order")

    @task(1)
    def api_products(self):
        self.listed("products/?search=Load", "api: products")

    @task(3)
    def create_quotation(self):
        self.quote()

    @task(2)
    def create_and_confirm(self):
        self.quote_and_confirm()


class SalesManager(SalesRep):
    role = "Sales Manager"
    weight = 2

    @task(1)
    def sales_analytics(self):
        self.page("/analytics/sales/", "page: sales analytics")

    @task(1)
    def customer_360(self):
        self.page(
            f"/analytics/customers/{random.choice(WORLD['customers'])}/", "page: customer 360"
        )

    @task(1)
    def dashboard(self):
        self.page("/", "page: dashboard")


class Accountant(KeelUser):
    role = "Accountant"
    weight = 2

    @task(3)
    def invoice_list(self):
        self.page("/accounting/invoice/", "page: invoices")

    @task(2)
    def api_invoices(self):
        self.api_invoice_list()

    @task(2)
    def open_invoice(self):
        found = self.invoice_page()
        if found is None:
            return self.api_invoice_list()
        self.api("GET", f"invoices/{found}/", "api: invoice")

    @task(3)
    def invoice_an_order(self):
        """Invoice one of the confirmed orders not invoiced yet (a posted invoice); another
        accountant may have taken it a moment ago: then nothing is left to invoice."""
        rows = self.listed(
            "sales-orders/?status=confirmed&invoice_status=nothing&ordering=number",
            "api: orders to invoice",
        )
        if rows:
            order = random.choice(rows[:20])
            self.api(
                "POST",
                f"sales-orders/{order['id']}/invoice/",
                "api: invoice order",
                {},
                expect=201,
                refusable={"nothing_to_invoice"},
            )

    @task(1)
    def manual_invoice(self):
        """Write a draft invoice by hand and post it."""
        item = random.choice(WORLD["products"])
        draft = self.api(
            "POST",
            "invoices/",
            "api: create invoice",
            {
                "kind": "out_invoice",
                "party": random.choice(WORLD["customers"]),
                "date": dt.date.today().isoformat(),
                "lines": [
                    {
                        "product": item["id"],
                        "description": "Service call",
                        "quantity": str(random.randint(1, 3)),
                        "unit_price": item["price"],
                    }
                ],
            },
            expect=201,
        )
        if draft is not None:
            self.api(
                "POST",
                f"invoices/{draft['id']}/post/",
                "api: post invoice",
                {"version": draft["version"]},
            )

    @task(1)
    def register_payment(self):
        rows = self.listed(
            "invoices/?kind=out_invoice&status=posted&payment_status=not_paid&ordering=-date",
            "api: invoices to pay",
        )
        if rows:
            invoice = random.choice(rows[:20])
            self.api(
                "POST",
                f"invoices/{invoice['id']}/pay/",
                "api: register payment",
                {"amount": str(Decimal(invoice["amount_total"]))},
                expect=201,
                # Another accountant paid it a moment ago.
                refusable={"payment_exceeds_due", "invalid:nothing left to pay"},
            )

    @task(1)
    def reports(self):
        self.page("/w/accounting/reports/", "page: financial reports")


class Auditor(KeelUser):
    role = "Read-only Auditor"
    weight = 1

    @task(2)
    def lists(self):
        self.page(
            random.choice(
                [
                    "/sales/quotation/",
                    "/sales/salesorder/",
                    "/accounting/invoice/",
                    "/parties/party/",
                ]
            ),
            "page: auditor lists",
        )

    @task(2)
    def api_lists(self):
        self.api_invoice_list()
        self.api_order_list()

    @task(1)
    def open_record(self):
        self.invoice_page()

    @task(1)
    def journal_entries(self):
        self.page("/accounting/journalentry/", "page: journal entries")
