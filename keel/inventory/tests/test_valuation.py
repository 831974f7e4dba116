"""Valuation as a story: receipts build layers, deliveries consume them (FIFO) or
take the average cost, returns come back at the cost they left with, and every
valued transfer posts one balanced entry by role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.accounting.errors import RoleNotConfigured
from keel.accounting.models import Account, AccountRole, JournalEntry, JournalLine
from keel.accounting.tests.factories import books
from keel.products.models import ProductCategory
from keel.products.tests.factories import ProductCategoryFactory

from ..models import ProductCost, StockLevel, ValuationLayer
from ..services import locations, transfers, validation
from .factories import deliver, product, receive

pytestmark = pytest.mark.django_db
D = Decimal
MAY_4, MAY_5, MAY_6, MAY_7 = (dt.date(2026, 5, day) for day in (4, 5, 6, 7))


def balance(company, role: str) -> Decimal:
    """Debit minus credit of the account with `role`."""
    sums = JournalLine.objects.filter(company=company, account__role=role).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (sums["d"] or D(0)) - (sums["c"] or D(0))


def entry_lines(transfer) -> list[tuple[str, Decimal, Decimal]]:
    entry = JournalEntry.objects.get(source_id=str(transfer.pk), ref__endswith="valuation")
    return sorted(entry.lines.values_list("account__role", "debit", "credit"))


@pytest.fixture
def fifo_item(company):
    category = ProductCategoryFactory(
        company=company, name="Spares", costing_method=ProductCategory.CostingMethod.FIFO
    )
    return product(company, name="Bearing", sku="BRG", category=category)


@pytest.fixture
def average_item(company):
    return product(company, name="Gear", sku="GEAR")  # no category: average cost


def test_fifo_delivery_consumes_the_oldest_layers_first(company, wh, fifo_item):
    """Given books and a FIFO product received three times, 5 units at 10.00, 12.00
    and 15.00; When 12 are delivered; Then COGS is exactly 5x10 + 5x12 + 2x15 =
    140.00, the stock account holds the 45.00 the last layer has left (3 x 15.00),
    and every receipt posted Dr stock / Cr stock interim (received)."""
    books(company)
    # Given three receipts at rising costs
    first = receive(wh, fifo_item, 5, unit_cost="10.00", on_date=MAY_4)
    receive(wh, fifo_item, 5, unit_cost="12.00", on_date=MAY_5)
    receive(wh, fifo_item, 5, unit_cost="15.00", on_date=MAY_6)
    assert entry_lines(first) == [
        ("stock", D("50.00"), D(0)),
        ("stock_interim_received", D(0), D("50.00")),
    ]
    assert balance(company, AccountRole.STOCK) == D("185.00")
    # When 12 are delivered
    out = deliver(wh, fifo_item, 12, on_date=MAY_7)
    # Then COGS is 140.00, posted Dr COGS / Cr stock in one entry
    assert entry_lines(out) == [("cogs", D("140.00"), D(0)), ("stock", D(0), D("140.00"))]
    assert balance(company, AccountRole.COGS) == D("140.00")
    assert balance(company, AccountRole.STOCK) == D("45.00")
    left = ValuationLayer.objects.filter(product=fifo_item, quantity__gt=0).order_by("id")
    assert [(x.remaining_quantity, x.remaining_value) for x in left] == [
        (D(0), D(0)),
        (D(0), D(0)),
        (D(3), D("45.00")),
    ]
    cost = ProductCost.objects.get(product=fifo_item)
    assert (cost.quantity, cost.value) == (D(3), D("45.00"))
    layer = ValuationLayer.objects.get(move__transfer=out)
    assert (layer.quantity, layer.value, layer.unit_cost) == (D(-12), D("-140.00"), D("11.6667"))


def test_average_cost_and_a_customer_return_at_the_cost_it_left_with(company, wh, average_item):
    """Given books and an average-cost product received 10 @ 10.00 and 10 @ 13.00
    (average 11.50); When 4 are delivered and then 1 comes back from the customer;
    Then the delivery costs 46.00, the return comes back at 11.50 (Dr stock / Cr
    COGS 11.50), and 17 units are worth 195.50, the stock account's balance."""
    books(company)
    # Given two receipts: 10 @ 10.00, 10 @ 13.00
    receive(wh, average_item, 10, unit_cost="10.00", on_date=MAY_4)
    receive(wh, average_item, 10, unit_cost="13.00", on_date=MAY_5)
    assert ProductCost.objects.get(product=average_item).average_cost == D("11.5000")
    # When 4 are delivered
    out = deliver(wh, average_item, 4, on_date=MAY_6)
    assert entry_lines(out) == [("cogs", D("46.00"), D(0)), ("stock", D(0), D("46.00"))]
    # And 1 comes back from the customer
    customers = locations.virtual_location(company, "customer")
    back = receive(wh, average_item, 1, source=customers, on_date=MAY_7)
    # Then it comes back at 11.50
    assert entry_lines(back) == [("cogs", D(0), D("11.50")), ("stock", D("11.50"), D(0))]
    cost = ProductCost.objects.get(product=average_item)
    assert (cost.quantity, cost.value, cost.average_cost) == (D(17), D("195.50"), D("11.5000"))
    assert balance(company, AccountRole.STOCK) == D("195.50")
    assert balance(company, AccountRole.COGS) == D("34.50")


def test_a_receipt_without_a_unit_cost_is_valued_at_the_cost_price(company, wh, average_item):
    """Given books and a product whose cost price is 12.00; When 3 are received with no
    unit cost; Then the layer is 3 x 12.00 = 36.00."""
    books(company)
    receipt = receive(wh, average_item, 3, on_date=MAY_4)
    layer = ValuationLayer.objects.get(move__transfer=receipt)
    assert (layer.quantity, layer.unit_cost, layer.value) == (D(3), D("12.00"), D("36.00"))


def test_an_internal_move_posts_nothing(company, wh, average_item):
    """Given 5 received at 10.00; When they move from WH/Stock to a bin; Then no layer
    and no entry come of it, and the stock account still holds 50.00."""
    books(company)
    receive(wh, average_item, 5, unit_cost="10.00", on_date=MAY_4)
    shelf = locations.create_location(company, name="Shelf", parent=wh.stock_location)
    move = transfers.create_transfer(
        company,
        kind="internal",
        warehouse=wh,
        destination=shelf,
        scheduled_date=MAY_5,
        lines=[{"product": average_item, "quantity": D(5)}],
    )
    transfers.confirm(move.pk)
    transfers.reserve(move.pk)
    entries = JournalEntry.objects.count()
    validation.validate(move.pk, on_date=MAY_5)
    assert JournalEntry.objects.count() == entries
    assert not ValuationLayer.objects.filter(move__transfer=move).exists()
    assert balance(company, AccountRole.STOCK) == D("50.00")


def test_a_refused_posting_leaves_stock_and_valuation_unchanged(company, wh, average_item):
    """Given books whose stock interim (received) role is on no account; When a
    receipt is validated; Then it is refused with the missing role named, and no
    layer, cost, stock or entry was written."""
    books(company)
    Account.objects.filter(company=company, role="stock_interim_received").update(role="")
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=MAY_4,
        lines=[{"product": average_item, "quantity": D(5), "unit_cost": D("10.00")}],
    )
    transfers.confirm(receipt.pk)
    with pytest.raises(RoleNotConfigured, match="Stock interim"):
        validation.validate(receipt.pk, on_date=MAY_4)
    receipt.refresh_from_db()
    assert receipt.status == "ready"
    assert not ValuationLayer.objects.exists()
    assert not ProductCost.objects.filter(quantity__gt=0).exists()
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()
    assert not JournalEntry.objects.exists()
