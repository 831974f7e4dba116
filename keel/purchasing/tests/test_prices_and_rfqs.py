"""Vendor prices (quantity breaks, validity, preferred vendor) feed orders; RFQs
collect replies and an award needs a full reply; receipts take lots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.inventory.models import Lot, StockLevel
from keel.inventory.tests.factories import product
from keel.products.models import Product

from ..errors import NoReply, NoVendorPrice
from ..models import VendorPrice
from ..selectors import price_for
from ..services import orders, receipts, rfqs
from .factories import JUNE_1, confirmed_order, price
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_highest_quantity_break_in_force_sets_the_price(company, bracket, vendors):
    """Given Acme's bracket at 10.00, 9.00 from 100 and 8.00 from 500 (valid until
    June 30), and 7.50 from 500 from July; Then 99 cost 10.00, 100 cost 9.00, 600 on
    30 June 8.00 and on 1 July 7.50."""
    acme = vendors["acme"]
    price(company, acme, bracket, "10.00", lead_days=7)
    price(company, acme, bracket, "9.00", min_quantity=100)
    price(company, acme, bracket, "8.00", min_quantity=500, valid_to=dt.date(2026, 6, 30))
    price(company, acme, bracket, "7.50", min_quantity=500, valid_from=dt.date(2026, 7, 1))
    june_30, july_1 = dt.date(2026, 6, 30), dt.date(2026, 7, 1)
    found = [
        price_for(company, acme, bracket, D(q), day).price
        for q, day in ((99, june_30), (100, june_30), (600, june_30), (600, july_1))
    ]
    assert found == [D("10.00"), D("9.00"), D("8.00"), D("7.50")]


def test_an_order_takes_the_vendors_price_and_lead_time(company, books, wh, bracket, vendors):
    """Given Acme's 9.00 bracket from 100 with 12 days' lead time; When 150 are ordered
    on 1 June; Then the line costs 1,350.00 and is expected on 13 June."""
    price(company, vendors["acme"], bracket, "9.00", min_quantity=100, lead_days=12)
    order = orders.create_order(
        company,
        vendor=vendors["acme"],
        warehouse=wh,
        order_date=JUNE_1,
        lines=[{"product": bracket, "quantity": 150}],
    )
    line = order.lines.get()
    assert (line.unit_price, line.subtotal, line.expected_date) == (
        D("9.00"),
        D("1350.00"),
        dt.date(2026, 6, 13),
    )
    assert (order.number, order.amount_total, order.status) == ("PO/00001", D("1350.00"), "draft")


def test_an_order_without_a_price_is_refused(company, books, wh, bracket, vendors):
    """Given no price from Cast; When ordering without a unit price; Then NoVendorPrice
    and no order exists."""
    before = state()
    with pytest.raises(NoVendorPrice):
        orders.create_order(
            company,
            vendor=vendors["cast"],
            warehouse=wh,
            lines=[{"product": bracket, "quantity": 1}],
        )
    assert state() == before


def test_one_preferred_vendor_per_product(company, bracket, vendors):
    """Given Acme preferred for brackets; When Bolt's price is saved as preferred; Then
    only Bolt is preferred."""
    price(company, vendors["acme"], bracket, "10.00", preferred=True)
    price(company, vendors["bolt"], bracket, "11.00", preferred=True)
    assert list(
        VendorPrice.objects.filter(preferred=True).values_list("vendor__name", flat=True)
    ) == ["Bolt & Co"]


def test_awarding_a_vendor_who_did_not_quote_every_line_is_refused(
    company, books, wh, bracket, hinge, vendors, buyer
):
    """Given an RFQ for brackets and hinges that Acme quoted for brackets only; When
    Acme is awarded; Then NoReply and nothing changed."""
    rfq = rfqs.create_rfq(
        company,
        warehouse=wh,
        vendors=[vendors["acme"], vendors["bolt"]],
        lines=[{"product": bracket, "quantity": 5}, {"product": hinge, "quantity": 5}],
        by=buyer,
    )
    rfqs.send_rfq(rfq.pk, by=buyer)
    line = rfq.lines.get(product=bracket)
    rfqs.record_reply(
        rfq.pk, vendor=vendors["acme"], quotes=[{"line": line.pk, "unit_price": "9.00"}]
    )
    before = state()
    with pytest.raises(NoReply) as refused:
        rfqs.award(rfq.pk, vendor=vendors["acme"], by=buyer)
    assert str(refused.value) == (
        f"Acme Metals has not quoted [HNG] Door hinge on {rfq}; record its reply first."
    )
    assert state() == before


def test_a_lot_tracked_line_is_received_by_lot(company, books, wh, vendors, buyer):
    """Given an order of 30 lot-tracked bolts; When 20 arrive as lots L1 (12) and L2 (8);
    Then both lots are on hand and 10 wait on the backorder."""
    bolt = product(company, name="Anchor bolt", sku="ANC", tracking=Product.Tracking.LOT)
    order = confirmed_order(company, wh, vendors["acme"], [(bolt, 30, "2.00")], by=buyer)
    line = order.lines.get()
    receipts.receive(
        order.pk,
        lines=[
            {"line": line.pk, "lots": [{"lot": "L1", "quantity": 12}, {"lot": "L2", "quantity": 8}]}
        ],
        on_date=JUNE_1,
    )
    levels = sorted(
        StockLevel.objects.filter(
            product=bolt, location=wh.stock_location, lot__isnull=False
        ).values_list("lot__name", "on_hand")
    )
    assert levels == [("L1", D(12)), ("L2", D(8))]
    assert Lot.objects.filter(product=bolt).count() == 2
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.quantity_received, order.receipt_status) == (D(20), "partial")
