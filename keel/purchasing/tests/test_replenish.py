"""Reorder-driven buying: what falls below its minimum becomes draft RFQs to the
preferred vendors, quantities raised to the vendor's minimum order quantity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.inventory.services.replenishment import save_rule
from keel.inventory.tests.factories import product, receive

from ..models import Rfq
from ..services.replenish import replenish
from ..tasks import replenish_company
from .factories import price

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


@pytest.fixture
def below_minimum(company, books, wh, bracket, hinge, vendors):
    """Brackets (5 on hand, keep 20-50; Acme preferred, at least 100 a time), hinges
    (none, keep 10-30; Acme preferred), washers (none, keep 5-10; Bolt preferred), nuts
    (50 on hand, keep 5-10: enough) and screws (none, keep 5-10; nobody preferred)."""
    washer = product(company, name="Washer", sku="WSH")
    nut = product(company, name="Nut", sku="NUT")
    screw = product(company, name="Screw", sku="SCR")
    receive(wh, bracket, 5, unit_cost="10.00", on_date=JUNE_1)
    receive(wh, nut, 50, unit_cost="0.10", on_date=JUNE_1)
    for item, low, high in (
        (bracket, 20, 50),
        (hinge, 10, 30),
        (washer, 5, 10),
        (nut, 5, 10),
        (screw, 5, 10),
    ):
        save_rule(company, product=item, warehouse=wh, minimum=low, maximum=high, lead_days=7)
    price(company, vendors["acme"], bracket, "9.00", minimum_order_quantity=100, preferred=True)
    price(company, vendors["bolt"], bracket, "8.50")  # cheaper, but not preferred
    price(company, vendors["acme"], hinge, "4.00", preferred=True)
    price(company, vendors["bolt"], washer, "0.20", minimum_order_quantity=5, preferred=True)
    price(company, vendors["cast"], screw, "0.05")
    return {"washer": washer, "screw": screw}


def test_needs_below_minimum_become_draft_rfqs_to_the_preferred_vendors(
    company, below_minimum, bracket, hinge, buyer
):
    """When replenishment runs on 1 June; Then Acme gets one draft RFQ for 30 hinges and
    100 brackets (45 needed, raised to its minimum of 100), Bolt one for 10 washers;
    screws have no preferred vendor and nuts are above their minimum."""
    result = replenish(company, today=JUNE_1, by=buyer)
    got = [
        (
            rfq.status,
            rfq.origin,
            [v.vendor.name for v in rfq.vendors.all()],
            [(line.product.name, line.quantity) for line in rfq.lines.all()],
            rfq.need_by,
        )
        for rfq in result.rfqs
    ]
    assert got == [
        (
            "draft",
            "replenishment",
            ["Acme Metals"],
            [("Door hinge", D(30)), ("Steel bracket", D(100))],
            dt.date(2026, 6, 8),
        ),
        ("draft", "replenishment", ["Bolt & Co"], [("Washer", D(10))], dt.date(2026, 6, 8)),
    ]
    assert result.without_vendor == ["[SCR] Screw"]


def test_a_second_run_does_not_ask_twice(company, below_minimum, buyer):
    """Given a first run's draft RFQs; When replenishment runs again; Then no new RFQ."""
    replenish(company, today=JUNE_1, by=buyer)
    again = replenish(company, today=JUNE_1, by=buyer)
    assert again.rfqs == []
    assert Rfq.objects.count() == 2
    assert len(again.already_asked) == 3


def test_the_scheduled_task_replenishes(company, below_minimum):
    """When the nightly task runs for the company; Then it made the two RFQs."""
    replenish_company.enqueue(company.pk)
    assert Rfq.objects.filter(origin="replenishment", status="draft").count() == 2
