"""Products bought on order or drop-shipped: the quotation promises them after the
preferred vendor's lead time, and confirming the order drafts purchase orders to the
preferred vendors, one per vendor and route, each line linked to the order line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.inventory.tests.factories import product
from keel.purchasing.models import PurchaseOrder
from keel.purchasing.tests.factories import price, vendor

from ..models import SalesOrder
from ..selectors import deliveries_of
from ..services import orders
from .factories import quotation
from .test_refusals import refused

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)
BUY, DROP = "buy_to_order", "drop_ship"


@pytest.fixture
def catalogue(company, books):
    """Frames (40.00, 12 days) and lamps (15.00, 5 days) bought on order from Parts
    Inc; sofas drop-shipped by Sofa Works (300.00, 21 days); Parts Inc's lamp price
    is not preferred for sofas."""
    parts, sofas = vendor(company, "Parts Inc"), vendor(company, "Sofa Works")
    frame = product(company, name="Frame", sku="FRM", sale_price=D("80.00"), supply_route=BUY)
    lamp = product(company, name="Lamp", sku="LMP", sale_price=D("30.00"), supply_route=BUY)
    sofa = product(company, name="Sofa", sku="SOF", sale_price=D("900.00"), supply_route=DROP)
    price(company, parts, frame, "40.00", lead_days=12, preferred=True)
    price(company, parts, lamp, "15.00", lead_days=5, preferred=True)
    price(company, sofas, sofa, "300.00", lead_days=21, preferred=True)
    price(company, parts, sofa, "280.00", lead_days=30)
    return {"parts": parts, "sofas": sofas, "frame": frame, "lamp": lamp, "sofa": sofa}


def test_bought_products_are_promised_after_the_lead_time_and_bought_on_confirmation(
    company, wh, gadget, acme, rep, catalogue
):
    """Given frames, lamps and sofas bought on order, gadgets in stock;
    When Ann quotes 3 frames, 2 lamps, 1 sofa and 4 gadgets on 1 June and confirms;
    Then the lines are promised 13 June, 6 June, 22 June and 1 June; the order drafts
    PO/00001 to Parts Inc (3 frames at 40.00 expected 13 June, 2 lamps at 15.00
    expected 6 June: 150.00) into the warehouse and PO/00002 to Sofa Works (1 sofa at
    300.00 expected 22 June) shipped to Acme, both pointing at the order, each sales
    line linked to its purchase line; the gadgets are reserved."""
    frame, lamp, sofa = catalogue["frame"], catalogue["lamp"], catalogue["sofa"]
    # When Ann quotes
    quote = quotation(
        company,
        acme,
        wh,
        [
            {"product": frame, "quantity": 3},
            {"product": lamp, "quantity": 2},
            {"product": sofa, "quantity": 1},
            {"product": gadget, "quantity": 4},
        ],
        by=rep,
    )
    # Then the promise dates come from the lead times, the gadgets' from stock
    assert [
        (line.product.sku, line.promise_date) for line in quote.lines.select_related("product")
    ] == [
        ("FRM", dt.date(2026, 6, 13)),
        ("LMP", dt.date(2026, 6, 6)),
        ("SOF", dt.date(2026, 6, 22)),
        ("GDG", JUNE_1),
    ]
    # When Ann confirms
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    # Then two draft purchase orders, one per vendor and route
    bought = list(PurchaseOrder.objects.order_by("number").prefetch_related("lines__product"))
    assert [
        (
            po.number,
            po.status,
            po.vendor.name,
            po.ship_to_id,
            po.origin,
            po.order_date,
            po.vendor_ref,
            po.amount_total,
            [
                (line.product.sku, line.quantity, line.unit_price, line.expected_date)
                for line in po.lines.all()
            ],
        )
        for po in bought
    ] == [
        (
            "PO/00001",
            "draft",
            "Parts Inc",
            None,
            order,
            JUNE_1,
            order.number,
            D("150.00"),
            [
                ("FRM", D(3), D("40.00"), dt.date(2026, 6, 13)),
                ("LMP", D(2), D("15.00"), dt.date(2026, 6, 6)),
            ],
        ),
        (
            "PO/00002",
            "draft",
            "Sofa Works",
            acme.pk,
            order,
            JUNE_1,
            order.number,
            D("300.00"),
            [("SOF", D(1), D("300.00"), dt.date(2026, 6, 22))],
        ),
    ]
    links = {
        line.product.sku: (line.purchase_line.order.number, line.purchase_line.product.sku)
        for line in order.lines.select_related(
            "product", "purchase_line__order", "purchase_line__product"
        )
        if line.purchase_line_id
    }
    assert links == {
        "FRM": ("PO/00001", "FRM"),
        "LMP": ("PO/00001", "LMP"),
        "SOF": ("PO/00002", "SOF"),
    }
    # and the stocked gadgets are reserved; the bought lines wait on the delivery
    (delivery,) = deliveries_of(order)
    assert sorted(
        (m.product.sku, m.quantity, m.quantity_reserved)
        for m in delivery.moves.select_related("product")
    ) == [
        ("FRM", D(3), D(0)),
        ("GDG", D(4), D(4)),
        ("LMP", D(2), D(0)),
        ("SOF", D(1), D(0)),
    ]


def test_a_held_order_buys_when_released(company, wh, acme, rep, manager, catalogue):
    """Given Acme with a 100.00 limit; When Ann confirms 2 frames (160.00), the order is
    held, and the manager releases it;
    Then nothing is bought while held, and PO/00001 for 2 frames is drafted on release."""
    acme.credit_limit = D("100.00")
    acme.save(update_fields=["credit_limit"])
    quote = quotation(company, acme, wh, [{"product": catalogue["frame"], "quantity": 2}], by=rep)
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    assert (order.status, PurchaseOrder.objects.count()) == ("on_hold", 0)
    orders.release_hold(order.pk, by=manager, note="ok")
    (po,) = PurchaseOrder.objects.all()
    assert (po.number, po.origin, po.lines.get().quantity) == ("PO/00001", order, D(2))


def test_a_product_bought_on_order_without_a_preferred_vendor_is_refused(
    company, books, wh, acme, rep
):
    """Given a product bought on order that no vendor is preferred for;
    When Ann quotes it, then confirms;
    Then the line has no promise date, and confirmation is refused naming the product,
    leaving no order and no purchase order."""
    odd = product(company, name="Odd part", sku="ODD", sale_price=D("10.00"), supply_route=BUY)
    quote = quotation(company, acme, wh, [{"product": odd, "quantity": 1}], by=rep)
    assert quote.lines.get().promise_date is None
    refused(
        lambda: orders.confirm(quote.pk, by=rep, on_date=JUNE_1),
        "no_vendor_price",
        "[ODD] Odd part is bought on order but has no preferred vendor price on 2026-06-01",
    )
    assert not SalesOrder.objects.exists()
