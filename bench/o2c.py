"""Order-to-cash benchmark (not a test): N sales orders created, confirmed, delivered,
invoiced and paid, first one order per transaction through the services a user's
click calls, then through the batch actions.

    PYTHONPATH=$PWD python bench/o2c.py --db sqlite --orders 1000
    PYTHONPATH=$PWD python bench/o2c.py --db postgres --orders 1000   # 127.0.0.1:5432

The workload, so it compares with other systems run on the same machine: a company
in USD, the generic chart, one warehouse, 50 customers, 100 stocked products listed
at 10..100 and costing 60% of it, 10,000 on hand of each, no taxes, immediate
payment (the setup is timed apart). N orders from random.Random(42): a random
customer, 5 distinct random products, quantities randint(1, 5). Each phase (create,
confirm, deliver, invoice, pay) runs for all N orders before the next.

Prints per phase the seconds, orders/s, SQL queries per order and the peak RSS, then
checks that the invoices add up to the orders, all are paid, stock fell by the
ordered quantities and the books balance. Targets (2 cores): >= 50 orders/s end to
end one order per transaction, >= 300 orders/s with the batch actions, <= 60 queries
per order over the five phases, peak RSS < 250 MB at N = 10,000. Each run uses a
throwaway database (a fresh SQLite file in var/, or a new PostgreSQL database that is
dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CUSTOMERS, PRODUCTS, ON_HAND, LINES = 50, 100, 10_000, 5
DAY = dt.date(2026, 6, 1)
POSTGRES = "postgres://postgres@127.0.0.1:5432/"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def throwaway_database(kind: str) -> tuple[str, object]:
    """A DATABASE_URL of an empty database and how to remove it afterwards."""
    if kind == "sqlite":
        path = ROOT / "var" / "bench-o2c.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    import psycopg

    name = f"keel_bench_o2c_{os.getpid()}"
    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")

    return POSTGRES + name, drop


class QueryCounter:
    """Counts the SQL statements run (a wrapper, not the debug log: nothing kept)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--skip-batch", action="store_true", help="only the one-by-one run")
    parser.add_argument("--skip-single", action="store_true", help="only the batch run")
    parser.add_argument("--profile", help="write a cProfile of the one-by-one run here")
    args = parser.parse_args()
    url, drop = throwaway_database(args.db)
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
    import django

    django.setup()
    try:
        run(args)
    finally:
        drop()


def run(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(
        f"database: {connection.vendor}, {args.orders:,} orders, peak RSS after migrate: "
        f"{peak_rss_mb():.0f} MB"
    )
    runs = []
    if not args.skip_single:
        runs.append(("one order per transaction", single_phases))
    if not args.skip_batch:
        runs.append(("batch actions", batch_phases))
    for label, phases in runs:
        world = setup(label)
        orders = workload(world, args.orders)
        print(f"\n== {label} ==")
        print(f"  setup: {world['setup_seconds']:.2f} s")
        profiler = None
        if args.profile and phases is single_phases:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        measure(phases(world, orders), len(orders))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        check(world, orders)


def setup(label: str) -> dict:
    """Company in USD, books, a warehouse, 50 customers, 100 products with stock."""
    from keel.accounting.models import Journal
    from keel.accounting.tests.factories import books
    from keel.core.models import Company
    from keel.inventory.tests.factories import stock, warehouse
    from keel.parties.services.parties import create_party
    from keel.products.models import Product
    from keel.products.tests.factories import ProductFactory
    from keel.users.roles import Role
    from keel.users.tests.factories import user_with_role

    started = time.perf_counter()
    company = Company.objects.create(name=f"O2C {label} {time.time_ns()}", currency="USD")
    journals = books(company, year=DAY.year)
    wh = warehouse(company, code=f"W{company.pk}", name="Bench warehouse")
    user = user_with_role(Role.SALES_MANAGER, f"o2c.{company.pk}", company=company)
    customers = [
        create_party(company=company, name=f"Customer {n:02d}", is_customer=True)
        for n in range(CUSTOMERS)
    ]
    rng = random.Random(7)
    first = ProductFactory(company=company, name="Item 000", sku=f"{company.pk}-000")
    for n in range(1, PRODUCTS):
        ProductFactory(
            company=company, name=f"Item {n:03d}", sku=f"{company.pk}-{n:03d}", uom=first.uom
        )
    products = list(Product.objects.filter(company=company).order_by("pk"))
    for item in products:
        list_price = Decimal(rng.randint(10, 100))
        item.sale_price, item.cost_price = list_price, list_price * Decimal("0.6")
    Product.objects.bulk_update(products, ["sale_price", "cost_price"])
    stock(wh, products, ON_HAND, on_date=DAY)
    return {
        "company": company,
        "warehouse": wh,
        "user": user,
        "customers": customers,
        "products": products,
        "bank": Journal.objects.get(company=company, kind=Journal.Kind.BANK, code="BNK"),
        "journals": journals,
        "setup_seconds": time.perf_counter() - started,
    }


def workload(world: dict, n: int) -> list[dict]:
    """N orders from random.Random(42): customer, 5 distinct products, quantities 1..5."""
    rng = random.Random(42)
    orders = []
    for _ in range(n):
        party = rng.choice(world["customers"])
        items = rng.sample(world["products"], LINES)
        orders.append(
            {
                "party": party.pk,
                "lines": [{"product": p.pk, "quantity": rng.randint(1, 5)} for p in items],
            }
        )
    return orders


def single_phases(world: dict, orders: list[dict]):
    """Each phase through the one-document services, one order per transaction."""
    from keel.accounting.models import Invoice
    from keel.accounting.services import payments
    from keel.sales.services import orders as sales_orders
    from keel.sales.services import quotations

    company, user, wh = world["company"], world["user"], world["warehouse"]

    def create():
        for order in orders:
            order["quotation"] = quotations.create_quotation(
                company,
                party=order["party"],
                warehouse=wh,
                lines=order["lines"],
                quote_date=DAY,
                by=user,
            ).pk

    def confirm():
        for order in orders:
            order["order"] = sales_orders.confirm(order["quotation"], by=user, on_date=DAY).pk

    def deliver():
        for order in orders:
            sales_orders.deliver(order["order"], on_date=DAY, by=user)

    def invoice():
        for order in orders:
            order["invoice"] = sales_orders.invoice(order["order"], on_date=DAY, by=user).pk

    def pay():
        bank = world["bank"]
        for order in orders:
            # What the payment dialog shows: the invoice's party and amount due.
            document = Invoice.objects.select_related("party").get(pk=order["invoice"])
            payments.register_payment(
                company,
                party=document.party,
                amount=document.amount_total,
                date=DAY,
                invoices=[document.pk],
                journal=bank,
                by=user,
            )

    return {
        "create": create,
        "confirm": confirm,
        "deliver": deliver,
        "invoice": invoice,
        "pay": pay,
    }


def batch_phases(world: dict, orders: list[dict]):
    """Create one by one (there is no batch quotation), then the batch actions:
    confirm many, deliver (the warehouse validates each delivery), invoice all
    delivered, pay many."""
    from keel.sales.models import OrderInvoice, SalesOrder
    from keel.sales.services import batch

    company, user = world["company"], world["user"]
    single = single_phases(world, orders)
    chunk = 500

    def confirm():
        for start in range(0, len(orders), chunk):
            part = orders[start : start + chunk]
            result = batch.confirm_many([o["quotation"] for o in part], by=user, on_date=DAY)
            assert not result.refused, result.refused[:3]
        found = dict(SalesOrder.objects.filter(company=company).values_list("quotation_id", "pk"))
        for order in orders:
            order["order"] = found[order["quotation"]]

    def invoice():
        result = batch.invoice_delivered(company, by=user, on_date=DAY)
        assert not result.refused, result.refused[:3]
        found = dict(
            OrderInvoice.objects.filter(company=company).values_list("order_id", "invoice_id")
        )
        for order in orders:
            order["invoice"] = found[order["order"]]

    def pay():
        invoice_ids = sorted({o["invoice"] for o in orders})
        for start in range(0, len(invoice_ids), chunk):
            result = batch.pay_many(
                invoice_ids[start : start + chunk], journal=world["bank"], by=user, on_date=DAY
            )
            assert not result.refused, result.refused[:3]

    return {**single, "confirm": confirm, "invoice": invoice, "pay": pay}


def measure(phases, n: int) -> None:
    from django.db import connection

    counter = QueryCounter()
    total_seconds, total_queries = 0.0, 0
    print(f"  {'phase':<9}{'seconds':>9}{'orders/s':>10}{'queries/order':>15}{'peak RSS':>10}")
    with connection.execute_wrapper(counter):
        for name, phase in phases.items():
            counter.count = 0
            started = time.perf_counter()
            phase()
            seconds = time.perf_counter() - started
            total_seconds += seconds
            total_queries += counter.count
            print(
                f"  {name:<9}{seconds:>9.2f}{n / seconds:>10.0f}{counter.count / n:>15.1f}"
                f"{peak_rss_mb():>7.0f} MB",
                flush=True,
            )
    print(
        f"  {'all five':<9}{total_seconds:>9.2f}{n / total_seconds:>10.0f}"
        f"{total_queries / n:>15.1f}{peak_rss_mb():>7.0f} MB"
    )


def check(world: dict, orders: list[dict]) -> None:
    """The invoices add up to the orders, all paid, stock fell by what was ordered,
    the books balance."""
    from django.db.models import Sum

    from keel.accounting.models import Invoice, JournalLine
    from keel.inventory.models import StockLevel
    from keel.sales.models import SalesOrder

    company = world["company"]
    ordered = SalesOrder.objects.filter(company=company).aggregate(s=Sum("amount_total"))["s"]
    invoiced = Invoice.objects.filter(
        company=company, kind=Invoice.Kind.CUSTOMER_INVOICE
    ).aggregate(s=Sum("amount_total"))["s"]
    unpaid = (
        Invoice.objects.filter(company=company)
        .exclude(payment_status=Invoice.PaymentStatus.PAID)
        .count()
    )
    not_done = (
        SalesOrder.objects.filter(company=company).exclude(status=SalesOrder.Status.DONE).count()
    )
    wanted: dict[int, int] = {}
    for order in orders:
        for line in order["lines"]:
            wanted[line["product"]] = wanted.get(line["product"], 0) + line["quantity"]
    levels = dict(
        StockLevel.objects.filter(location=world["warehouse"].stock_location).values_list(
            "product_id", "on_hand"
        )
    )
    wrong_stock = [p for p in world["products"] if levels[p.pk] != ON_HAND - wanted.get(p.pk, 0)]
    sums = JournalLine.objects.filter(company=company).aggregate(d=Sum("debit"), c=Sum("credit"))
    problems = []
    if ordered != invoiced:
        problems.append(f"invoices {invoiced} != orders {ordered}")
    if unpaid or not_done:
        problems.append(f"{unpaid} invoices unpaid, {not_done} orders not done")
    if wrong_stock:
        problems.append(f"stock of {len(wrong_stock)} products did not fall by the orders")
    if sums["d"] != sums["c"]:
        problems.append(f"books do not balance: debit {sums['d']} credit {sums['c']}")
    print(
        f"  checks: orders {ordered:,.2f} = invoices {invoiced:,.2f}, all paid, stock fell "
        f"by {sum(wanted.values()):,} units, books balance at {sums['d']:,.2f}"
        if not problems
        else "  CHECKS FAILED: " + "; ".join(problems)
    )
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
