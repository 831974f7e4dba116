"""Faults for `make soak` (not a test): orders keep coming while the app server, the
worker and the database are killed, and afterwards nothing acknowledged is lost, nothing
is half-written, the books check clean and every outbox event reached its webhook.

    PYTHONPATH=$PWD python bench/soak/faults.py                 # 1,000 orders
    PYTHONPATH=$PWD python bench/soak/faults.py --orders 200 --threads 4

Set-up (not timed): a throwaway PostgreSQL cluster under var/soak/ on a free port
(initdb from /usr/lib/postgresql/15/bin, or KEEL_PG_BIN; as root its commands run as
`postgres`), migrated; a company with books, a warehouse, 20 customers and 30 stocked
products; a Sales Rep with an API token; a webhook subscription for every topic to an
HTTP receiver this script runs on 127.0.0.1, which counts deliveries per event id. Then
gunicorn (keel.config.wsgi, 3 sync workers) and `keel worker` (KEEL_TASKS=database).

The load: N orders from --threads client threads over real HTTP. Each order is a
quotation (POST /api/v1/quotations/) confirmed into a sales order (POST
.../confirm/); every 4th is also delivered and invoiced. Every POST carries an
Idempotency-Key; a refused connection, a 5xx, a 409 "in progress" or a 429 is retried
with the same key. An order is *acknowledged* when its last step answered 2xx; the
client records its number, lines and status.

The faults, at set fractions of the orders sent: kill -9 of the gunicorn master (its
workers orphaned, a new master started), kill -9 of the worker (restarted), an
immediate restart of PostgreSQL (`pg_ctl restart -m immediate`: no checkpoint, open
transactions lost), kill -9 of the gunicorn master and its workers mid-request.

The checks afterwards: `keel check` exits 0; every acknowledged order exists with its
lines, amounts and status; no half-written document (an order or quotation without
lines, a confirmed order without its reserved delivery, a delivered order whose
delivery is not done, a posted invoice without a balanced journal entry, an
idempotency key stuck "in progress"); the outbox: every event dispatched, every
delivery delivered, each published event received at least once (the outbox promises
at-least-once, so duplicates are counted and shown, and the receiver dedupes on the
event id), none received that was not published. Prints the figures and a last line

    SOAK-FIGURES {"faults": {...}}

and exits 1 on any loss, half-write or check failure.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import http.server
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.soak.cluster import VENV_BIN, Cluster, Service, free_port  # noqa: E402

CUSTOMERS, PRODUCTS, ON_HAND = 20, 30, 100_000
TEMPLATE = "keel_soak_template"
RETRYABLE = {409, 429, 500, 502, 503, 504}
GIVE_UP_AFTER = 180.0  # seconds one step may keep failing before the order is given up
FAULTS = (  # (fraction of orders sent, fault)
    (0.15, "gunicorn-master"),
    (0.35, "worker"),
    (0.55, "postgres"),
    (0.75, "gunicorn-all"),
    (0.85, "worker"),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--drain-timeout", type=float, default=180.0)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the cluster in DIR with the set-up database as a template; a later run "
        "with the same --keep starts from that template (skips migrating and seeding)",
    )
    return parser.parse_args(argv)


# --- The webhook receiver ----------------------------------------------------


class Receiver:
    """An HTTP endpoint that answers 200 and counts deliveries per event id."""

    def __init__(self):
        self.counts: collections.Counter[str] = collections.Counter()
        self.mismatched = 0  # X-Keel-Event-Id differing from the body's id: cannot dedupe
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event_id = self.headers.get("X-Keel-Event-Id", "")
                with receiver.lock:
                    receiver.counts[event_id] += 1
                    if json.loads(body).get("id") != event_id:
                        receiver.mismatched += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/keel"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


# --- Set-up --------------------------------------------------------------------


def seed(today: dt.date, receiver_url: str) -> dict:
    """Company, books, warehouse with stock, customers, a rep with a token, a webhook."""
    from rest_framework.authtoken.models import Token

    from keel.accounting.tests.factories import books
    from keel.core.models import Company, WebhookSubscription
    from keel.core.services import webhooks
    from keel.inventory.tests.factories import stock, warehouse
    from keel.parties.services.parties import create_party
    from keel.products.models import Product
    from keel.products.tests.factories import ProductFactory
    from keel.users.roles import Role
    from keel.users.tests.factories import user_with_role

    company = Company.objects.create(name="Soak Faults Ltd", currency="USD")
    books(company, year=today.year)
    wh = warehouse(company, code="SOAK", name="Soak warehouse")
    rep = user_with_role(Role.SALES_REP, "soak.rep", company=company)
    customers = [
        create_party(company=company, name=f"Soak customer {n:02d}", is_customer=True).pk
        for n in range(CUSTOMERS)
    ]
    first = ProductFactory(company=company, name="Soak item 00", sku="SOAK-00")
    for n in range(1, PRODUCTS):
        ProductFactory(
            company=company, name=f"Soak item {n:02d}", sku=f"SOAK-{n:02d}", uom=first.uom
        )
    products = list(Product.objects.filter(company=company).order_by("pk"))
    rng = random.Random(3)
    for item in products:
        item.sale_price = Decimal(rng.randint(10, 100))
        item.cost_price = item.sale_price * Decimal("0.6")
    Product.objects.bulk_update(products, ["sale_price", "cost_price"])
    stock(wh, products, ON_HAND, on_date=today)
    webhooks.save_subscription(
        WebhookSubscription(
            company=company, name="Soak receiver", target_url=receiver_url, event_types=["*"]
        ),
        by=None,
    )
    return {
        "company": company.pk,
        "warehouse": wh.pk,
        "customers": customers,
        "products": [p.pk for p in products],
        "token": Token.objects.create(user=rep).key,
    }


def reseed(receiver_url: str) -> dict:
    """The world of a database copied from the kept template; the webhook points at
    this run's receiver."""
    from rest_framework.authtoken.models import Token

    from keel.core.models import Company, WebhookSubscription
    from keel.inventory.models import Warehouse
    from keel.parties.models import Party
    from keel.products.models import Product

    company = Company.objects.get(name="Soak Faults Ltd")
    WebhookSubscription.objects.filter(company=company).update(target_url=receiver_url)
    return {
        "company": company.pk,
        "warehouse": Warehouse.objects.get(company=company, code="SOAK").pk,
        "customers": list(
            Party.objects.filter(company=company, name__startswith="Soak customer")
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "products": list(
            Product.objects.filter(company=company).order_by("pk").values_list("pk", flat=True)
        ),
        "token": Token.objects.get(user__username="soak.rep").key,
    }


def workload(world: dict, n: int) -> list[dict]:
    """N orders from random.Random(42): a customer, 1..4 distinct products, 1..5 each."""
    rng = random.Random(42)
    return [
        {
            "party": rng.choice(world["customers"]),
            "lines": [
                {"product": p, "quantity": rng.randint(1, 5)}
                for p in rng.sample(world["products"], rng.randint(1, 4))
            ],
            "deliver_and_invoice": i % 4 == 3,
        }
        for i in range(n)
    ]


# --- The load client -------------------------------------------------------------


class Client:
    """POSTs with an Idempotency-Key, retried with the same key until a final answer."""

    def __init__(self, port: int, token: str, run_id: str):
        self.port, self.token, self.run_id = port, token, run_id
        self.stats = collections.Counter()
        self.lock = threading.Lock()

    def count(self, what: str) -> None:
        with self.lock:
            self.stats[what] += 1

    def post(self, path: str, body: dict, key: str) -> tuple[int, dict]:
        payload = json.dumps(body).encode()
        headers = {
            "Authorization": f"Token {self.token}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"{self.run_id}-{key}",
        }
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            self.count("requests")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                connection.request("POST", path, payload, headers)
                response = connection.getresponse()
                status, text = response.status, response.read()
                connection.close()
            except (OSError, http.client.HTTPException):
                status, text = None, b""
            if status is not None and status not in RETRYABLE:
                if response.getheader("Idempotent-Replayed") == "true":
                    self.count("replayed")
                return status, json.loads(text or b"{}")
            self.count("retries")
            self.count(f"retry:{status or 'connection'}")
            if time.monotonic() - started > GIVE_UP_AFTER:
                return status or 0, {"detail": f"gave up after {attempt} attempts"}
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5))


def place(client: Client, world: dict, index: int, order: dict, today: str) -> dict:
    """Quote, confirm (and deliver and invoice); what the server acknowledged."""
    api = "/api/v1"
    status, quotation = client.post(
        f"{api}/quotations/",
        {
            "party": order["party"],
            "warehouse": world["warehouse"],
            "quote_date": today,
            "lines": [
                {"product": ln["product"], "quantity": str(ln["quantity"])} for ln in order["lines"]
            ],
        },
        f"{index}-quote",
    )
    if status != 201:
        return {"index": index, "failed": f"quote: {status} {quotation}"}
    status, confirmed = client.post(
        f"{api}/quotations/{quotation['id']}/confirm/", {"date": today}, f"{index}-confirm"
    )
    if status != 201:
        return {"index": index, "failed": f"confirm: {status} {confirmed}"}
    acknowledged = {
        "index": index,
        "id": confirmed["id"],
        "number": confirmed["number"],
        "status": confirmed["status"],
        "delivery_status": confirmed["delivery_status"],
        "invoice_status": confirmed["invoice_status"],
        "amount_total": confirmed["amount_total"],
        "lines": sorted((ln["product"], Decimal(ln["quantity"])) for ln in confirmed["lines"]),
    }
    if not order["deliver_and_invoice"]:
        return acknowledged
    status, delivered = client.post(
        f"{api}/sales-orders/{confirmed['id']}/deliver/", {"date": today}, f"{index}-deliver"
    )
    if status != 200:
        return {**acknowledged, "failed": f"deliver: {status} {delivered}"}
    acknowledged["delivery_status"] = delivered["delivery_status"]
    status, invoice = client.post(
        f"{api}/sales-orders/{confirmed['id']}/invoice/", {"date": today}, f"{index}-invoice"
    )
    if status != 201:
        return {**acknowledged, "failed": f"invoice: {status} {invoice}"}
    acknowledged["invoice_status"] = "full"
    acknowledged["invoice_number"] = invoice["number"]
    return acknowledged


# --- Faults ------------------------------------------------------------------------


def inject(fault: str, cluster: Cluster, web: Service, worker: Service, log: list) -> None:
    began = time.monotonic()
    if fault == "gunicorn-master":
        web.kill9()
        web.start()
    elif fault == "gunicorn-all":
        web.kill9(with_children=True)
        web.start()
    elif fault == "worker":
        worker.kill9()
        time.sleep(1)
        worker.start()
    elif fault == "postgres":
        cluster.restart_immediately()
    seconds = time.monotonic() - began
    log.append({"fault": fault, "seconds": round(seconds, 2)})
    print(f"  fault: {fault} (back in {seconds:.1f}s)", flush=True)


def run_load(args, world, orders, client, cluster, web, worker, today):
    """The client threads place the orders; the faults fire as the orders go out."""
    results: list[dict] = []
    sent = [0]
    lock = threading.Lock()
    queue = list(enumerate(orders))

    def take():
        with lock:
            if not queue:
                return None
            sent[0] += 1
            return queue.pop(0)

    def loop():
        while (item := take()) is not None:
            result = place(client, world, item[0], item[1], today)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=loop) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    injected: list[dict] = []
    for fraction, fault in FAULTS:
        while sent[0] < fraction * len(orders) and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        inject(fault, cluster, web, worker, injected)
    for thread in threads:
        thread.join()
    return results, injected


# --- Checks --------------------------------------------------------------------------


def drain(timeout: float) -> dict:
    """Wait until every outbox event is dispatched and every delivery has settled."""
    from django.db import connection

    from keel.core.models import OutboxEvent, WebhookDelivery

    deadline = time.monotonic() + timeout
    while True:
        connection.close()
        undispatched = OutboxEvent.objects.filter(dispatched_at__isnull=True).count()
        unsettled = WebhookDelivery.objects.exclude(
            status__in=[WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED]
        ).count()
        if (undispatched == 0 and unsettled == 0) or time.monotonic() > deadline:
            return {"undispatched": undispatched, "unsettled": unsettled}
        time.sleep(1)


def half_written() -> dict[str, list[str]]:
    """Documents missing a part that the same transaction should have written."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count, Exists, F, OuterRef, Q, Sum

    from keel.accounting.models import Invoice, JournalLine
    from keel.core.models import IdempotentRequest
    from keel.inventory.models import StockMove, Transfer
    from keel.sales.models import Quotation, SalesOrder

    order_type = ContentType.objects.get_for_model(SalesOrder)
    deliveries = Transfer.objects.filter(
        origin_type=order_type, origin_id=OuterRef("pk_text"), kind=Transfer.Kind.DELIVERY
    )
    orders = SalesOrder.objects.annotate(pk_text=Cast_text("pk"))
    short_reserved = StockMove.objects.filter(
        transfer__origin_type=order_type, transfer__origin_id=OuterRef("pk_text")
    ).filter(~Q(transfer__status=Transfer.Status.DONE), quantity_reserved__lt=F("quantity"))
    open_delivery = deliveries.exclude(status=Transfer.Status.DONE)
    unbalanced = (
        JournalLine.objects.values("entry_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .filter(~Q(d=F("c")))
        .values("entry_id")
    )
    return {
        "orders without lines": [
            o.number for o in SalesOrder.objects.annotate(n=Count("lines")).filter(n=0)
        ],
        "quotations without lines": [
            q.number for q in Quotation.objects.annotate(n=Count("lines")).filter(n=0)
        ],
        "confirmed orders without a delivery": [
            o.number
            for o in orders.filter(status=SalesOrder.Status.CONFIRMED).exclude(Exists(deliveries))
        ],
        "confirmed orders not fully reserved": [
            o.number
            for o in orders.filter(status=SalesOrder.Status.CONFIRMED).filter(
                Exists(short_reserved)
            )
        ],
        "delivered orders with an open delivery": [
            o.number for o in orders.filter(delivery_status="full").filter(Exists(open_delivery))
        ],
        "invoiced orders without their posted invoice": [
            o.number
            for o in SalesOrder.objects.filter(invoice_status="full").exclude(
                Exists(
                    Invoice.objects.filter(
                        status=Invoice.Status.POSTED,
                        ref=OuterRef("number"),
                        party=OuterRef("party"),
                    )
                )
            )
        ],
        "posted invoices without an entry": [
            i.number
            for i in Invoice.objects.filter(status=Invoice.Status.POSTED, entry__isnull=True)
        ],
        "invoices without lines": [
            i.number or str(i.pk) for i in Invoice.objects.annotate(n=Count("lines")).filter(n=0)
        ],
        "unbalanced entries": [str(e["entry_id"]) for e in unbalanced],
        "idempotency keys stuck in progress": [
            r.key for r in IdempotentRequest.objects.filter(status_code__isnull=True)
        ],
    }


def Cast_text(field: str):  # noqa: N802 (reads like the function it wraps)
    from django.db.models import CharField
    from django.db.models.functions import Cast

    return Cast(field, CharField())


def lost_or_changed(acknowledged: list[dict]) -> list[str]:
    """Every acknowledged order, found with the lines, total and status it was acknowledged with."""
    from keel.sales.models import SalesOrder

    found = {
        o.pk: o
        for o in SalesOrder.objects.filter(pk__in=[a["id"] for a in acknowledged]).prefetch_related(
            "lines"
        )
    }
    problems = []
    for ack in acknowledged:
        order = found.get(ack["id"])
        if order is None:
            problems.append(f"{ack['number']}: acknowledged, not in the database")
            continue
        lines = sorted((ln.product_id, ln.quantity) for ln in order.lines.all())
        seen = (order.number, order.status, order.delivery_status, order.invoice_status, lines)
        want = (
            ack["number"],
            ack["status"],
            ack["delivery_status"],
            ack["invoice_status"],
            ack["lines"],
        )
        if seen != want or order.amount_total != Decimal(ack["amount_total"]):
            problems.append(f"{ack['number']}: acknowledged {want}, found {seen}")
    return problems


def outbox_figures(receiver: Receiver, since: dt.datetime, acknowledged: list[dict]) -> dict:
    """The events published during the load (the set-up's came before the subscription)
    against what the receiver got."""
    from keel.core.models import OutboxEvent, WebhookDelivery

    events = OutboxEvent.objects.filter(occurred_at__gte=since)
    published = set(str(pk) for pk in events.values_list("id", flat=True))
    announced = set(
        events.filter(topic="sales.order.confirmed").values_list("payload__order_id", flat=True)
    )
    delivered = set(
        str(pk)
        for pk in WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.DELIVERED
        ).values_list("event_id", flat=True)
    )
    received = receiver.counts
    return {
        "published": len(published),
        "delivered": len(delivered & published),
        "received": sum(n for event, n in received.items() if event in published),
        "received_distinct": len(set(received) & published),
        "lost": len(published - set(received)),
        "not_marked_delivered": len(published - delivered),
        # Never published at all (the set-up's own events, delivered late, are known).
        "unknown_received": len(
            set(received) - {str(pk) for pk in OutboxEvent.objects.values_list("id", flat=True)}
        ),
        "duplicates": sum(n - 1 for event, n in received.items() if n > 1 and event in published),
        "id_header_mismatches": receiver.mismatched,
        "orders_without_their_event": len({a["id"] for a in acknowledged} - announced),
        "by_topic": dict(collections.Counter(events.values_list("topic", flat=True))),
    }


def database_now() -> dt.datetime:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        found = cursor.fetchone()[0]
    connection.close()
    return found


def keel_check(env: dict) -> tuple[int, str]:
    done = subprocess.run(
        [str(VENV_BIN / "keel"), "check"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    return done.returncode, (done.stdout + done.stderr).strip()


# --- Main ------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    cluster = Cluster(args.keep.resolve() if args.keep else None)
    services: list[Service] = []
    try:
        cluster.start()
        from_template = cluster.reused and cluster.has_database(TEMPLATE)
        url = cluster.create_database("keel_soak", template=TEMPLATE if from_template else None)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "KEEL_REQUIRE_POSTGRES": "1",
            "DEBUG": "0",
            "KEEL_TASKS": "database",
            "KEEL_OUTBOUND_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "KEEL_WEBHOOK_TIMEOUT": "5",
            "KEEL_WORKER_SWEEP_SECONDS": "5",
            "KEEL_API_USER_RATE": "100000/minute",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "keel.config.settings",
        }
        os.environ.update(
            {k: env[k] for k in env if k.startswith(("KEEL_", "DATABASE", "DEBUG", "DJANGO"))}
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        receiver = Receiver()
        today = dt.date.today()
        if from_template:
            world = reseed(receiver.url)
        else:
            call_command("migrate", verbosity=0)
            world = seed(today, receiver.url)
            if args.keep:
                connection.close()
                cluster.create_database(TEMPLATE, template="keel_soak")
        connection.close()
        setup_seconds = time.monotonic() - started
        print(f"faults: cluster on port {cluster.port}, set up in {setup_seconds:.0f}s", flush=True)

        port = free_port()
        web = Service(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "keel.config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.web_workers),
                "--reuse-port",
                "--timeout",
                "60",
            ],
            env,
            port=port,
        )
        worker = Service("worker", [str(VENV_BIN / "keel"), "worker", "--no-reload"], env)
        services += [web, worker]
        web.start()
        worker.start()

        orders = workload(world, args.orders)
        client = Client(port, world["token"], uuid.uuid4().hex[:8])
        load_started = time.monotonic()
        since = database_now()
        results, injected = run_load(
            args, world, orders, client, cluster, web, worker, today.isoformat()
        )
        load_seconds = time.monotonic() - load_started
        settled = drain(args.drain_timeout)
        drain_seconds = time.monotonic() - load_started - load_seconds

        connection.close()
        acknowledged = [r for r in results if "failed" not in r]
        failed = [r for r in results if "failed" in r]
        lost = lost_or_changed([r for r in results if "id" in r])
        halves = half_written()
        outbox = outbox_figures(receiver, since, [r for r in results if "id" in r])
        check_code, check_report = keel_check(env)
    finally:
        for service in services:
            service.stop()
        if args.keep:
            cluster.stop()
        else:
            cluster.stop_and_remove()

    half_total = sum(len(v) for v in halves.values())
    figures = {
        "orders_sent": len(orders),
        "acknowledged": len(acknowledged),
        "found": len([r for r in results if "id" in r]) - len(lost),
        "failed": len(failed),
        "lost_or_changed": len(lost),
        "half_written": half_total,
        "requests": client.stats["requests"],
        "retries": client.stats["retries"],
        "retries_by_cause": {k[6:]: v for k, v in client.stats.items() if k.startswith("retry:")},
        "replayed": client.stats["replayed"],
        "faults": len(injected),
        "faults_injected": injected,
        "load_seconds": round(load_seconds, 1),
        "drain_seconds": round(drain_seconds, 1),
        "orders_per_second": round(len(acknowledged) / load_seconds, 1),
        "outbox": {k: v for k, v in outbox.items() if k != "by_topic"},
        "outbox_unsettled": settled,
        "keel_check": "clean" if check_code == 0 else f"exit {check_code}",
        "web_starts": web.starts,
        "worker_starts": worker.starts,
    }
    print(
        f"  orders: {len(orders)} sent, {len(acknowledged)} acknowledged, "
        f"{figures['found']} found as acknowledged, {len(failed)} not completed"
    )
    print(
        f"  requests: {figures['requests']} ({figures['retries']} retries "
        f"{figures['retries_by_cause']}, {figures['replayed']} answered from the key)"
    )
    print(f"  faults injected: {', '.join(f['fault'] for f in injected)}")
    print(
        f"  time: load {load_seconds:.0f}s ({figures['orders_per_second']} orders/s), "
        f"outbox drained in {drain_seconds:.0f}s"
    )
    print(
        f"  events: {outbox['published']} published, {outbox['received_distinct']} received, "
        f"{outbox['lost']} lost, {outbox['duplicates']} duplicates (deduped by event id), "
        f"{outbox['unknown_received']} unknown, "
        f"{outbox['orders_without_their_event']} acknowledged orders without their event"
    )
    print(f"  events by topic: {outbox['by_topic']}")
    print(f"  keel check: {figures['keel_check']}")
    for what, items in halves.items():
        if items:
            print(f"  HALF-WRITTEN {what}: {len(items)} e.g. {items[:5]}")
    for line in lost[:10]:
        print(f"  LOST/CHANGED {line}")
    for result in failed[:10]:
        print(f"  NOT COMPLETED order {result['index']}: {result['failed'][:300]}")
    if check_code:
        print(check_report[-3000:])
    print("SOAK-FIGURES " + json.dumps({"faults": figures}), flush=True)
    ok = (
        not failed
        and not lost
        and not half_total
        and check_code == 0
        and outbox["lost"] == 0
        and outbox["unknown_received"] == 0
        and outbox["id_header_mismatches"] == 0
        and outbox["orders_without_their_event"] == 0
        and settled == {"undispatched": 0, "unsettled": 0}
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
