"""The queries one order of 5 lines costs in each order-to-cash step (what
bench/o2c.py measures at scale): pinned, so a query added per line or per order
fails here rather than in the benchmark."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.accounting.services import payments
from keel.inventory.tests.factories import product, receive

from ..services import orders, quotations

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)

# Queries per step for one order of 5 lines, no taxes (measured; lower is welcome,
# higher is a regression to explain). Invoicing is 78: one insert of what the invoice
# billed of each line (InvoicedQuantity, so a cancelled invoice gives it back).
PINNED = {"create": 13, "confirm": 78, "deliver": 66, "invoice": 78, "pay": 63}


def test_each_step_of_an_order_of_five_lines_costs_a_fixed_number_of_queries(
    company, books, wh, acme, manager
):
    """Given 5 products with 100 on hand each and a first order taken through every
    step (series and caches warm);
    When a second order of 5 lines is created, confirmed, delivered, invoiced and paid;
    Then each step stays within its pinned number of queries, and the order is done."""
    # Given
    items = []
    for n in range(5):
        item = product(company, name=f"Part {n}", sku=f"P-{n}", sale_price=D(10 + n))
        receive(wh, item, 100, unit_cost="5.00", on_date=JUNE_1)
        items.append(item)
    lines = [{"product": item.pk, "quantity": n + 1} for n, item in enumerate(items)]

    def one_order(spent: dict):
        """The five steps of one order, each step's queries counted into `spent`."""
        made = {}
        steps = {
            "create": lambda: quotations.create_quotation(
                company, party=acme.pk, warehouse=wh, lines=lines, quote_date=JUNE_1, by=manager
            ),
            "confirm": lambda: orders.confirm(made["create"].pk, by=manager, on_date=JUNE_1),
            "deliver": lambda: orders.deliver(made["confirm"].pk, on_date=JUNE_1, by=manager),
            "invoice": lambda: orders.invoice(made["confirm"].pk, on_date=JUNE_1, by=manager),
            "pay": lambda: payments.register_payment(
                company,
                party=acme,
                amount=made["invoice"].amount_total,
                date=JUNE_1,
                invoices=[made["invoice"].pk],
                journal=books["BNK"],
                by=manager,
            ),
        }
        for name, step in steps.items():
            with CaptureQueriesContext(connection) as captured:
                made[name] = step()
            spent[name] = len(captured)
        return made

    one_order({})
    # When
    spent: dict[str, int] = {}
    made = one_order(spent)
    # Then
    assert {name: min(spent[name], PINNED[name]) for name in PINNED} == spent, spent
    assert made["invoice"].amount_total == D("190.00")  # 10x1 + 11x2 + 12x3 + 13x4 + 14x5
    order = made["confirm"]
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("done", "paid")
