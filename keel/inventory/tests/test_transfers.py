"""Stock moves as a story: receive, reserve, deliver, split, cancel, with exact figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.models import OutboxEvent, StatusChange

from ..models import Location, MoveLine, StockLevel, StockMove, Transfer
from ..selectors import level_differences
from ..services import locations, transfers, validation
from .factories import MAY_4, bin_in, delivery, product, receive

pytestmark = pytest.mark.django_db
D = Decimal


def level(item, location, lot=None) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    row = StockLevel.objects.filter(
        product=item, location=location, lot_key=lot.pk if lot else 0
    ).first()
    if row is None:
        return (D(0), D(0), D(0), D(0))
    return (row.on_hand, row.reserved, row.incoming, row.outgoing)


def reserved_lots(transfer) -> list[tuple[str, Decimal]]:
    return sorted(
        MoveLine.objects.filter(move__transfer=transfer).values_list("lot__name", "quantity")
    )


def test_a_warehouse_gets_its_location_tree_and_the_company_its_virtual_locations(company):
    """Given a company; When its first warehouse WH is created; Then it has WH (a view)
    and WH/Stock (internal), and the company has the five virtual locations, once."""
    wh = locations.create_warehouse(company, code="wh", name="Main")
    locations.create_warehouse(company, code="EU", name="Europe")
    assert wh.code == "WH"
    assert (wh.view_location.full_name, wh.stock_location.full_name) == ("WH", "WH/Stock")
    assert wh.stock_location.usage == Location.Usage.INTERNAL
    names = dict(Location.objects.filter(company=company).values_list("full_name", "usage"))
    assert names == {
        "EU": "view",
        "EU/Stock": "internal",
        "Partners": "view",
        "Partners/Customers": "customer",
        "Partners/Suppliers": "supplier",
        "Virtual": "view",
        "Virtual/Inventory loss": "inventory_loss",
        "Virtual/Production": "production",
        "Virtual/Transit": "transit",
        "WH": "view",
        "WH/Stock": "internal",
    }


def test_receipt_then_reserved_delivery_then_validation(company, wh, widget):
    """Given an empty WH/Stock; When 10 Widgets are received, a delivery of 4 is
    confirmed and reserved, then validated; Then on hand goes 10 -> 6, reserved
    0 -> 4 -> 0, and the numbers are WH/IN/00001 and WH/OUT/00001."""
    stock = wh.stock_location
    # Given a receipt of 10, confirmed: 10 are incoming
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=MAY_4,
        lines=[{"product": widget, "quantity": D("10")}],
    )
    assert (receipt.number, receipt.status) == ("WH/IN/00001", "draft")
    receipt = transfers.confirm(receipt.pk)
    assert receipt.status == "ready"  # nothing to reserve from a supplier
    assert level(widget, stock) == (0, 0, 10, 0)
    # When it is validated
    validation.validate(receipt.pk, on_date=MAY_4)
    # Then 10 are on hand and none incoming
    assert level(widget, stock) == (10, 0, 0, 0)

    # When a delivery of 4 is confirmed and reserved
    out = delivery(wh, widget, 4)
    assert out.number == "WH/OUT/00001"
    transfers.confirm(out.pk)
    assert level(widget, stock) == (10, 0, 0, 4)
    out = transfers.reserve(out.pk)
    # Then 4 are reserved and it is ready
    assert out.status == "ready"
    assert level(widget, stock) == (10, 4, 0, 4)
    # When it is validated
    out = validation.validate(out.pk, on_date=MAY_4)
    # Then 6 remain, nothing reserved or outgoing
    assert (out.status, out.done_date) == ("done", MAY_4)
    assert level(widget, stock) == (6, 0, 0, 0)
    assert [c.to_status for c in StatusChange.objects.filter(object_id=str(out.pk))] == [
        "done",
        "ready",
        "waiting",
    ]
    assert level_differences(company.pk) == []


def test_validating_3_of_5_leaves_a_backorder_of_2_with_its_reservation(company, wh, widget):
    """Given 10 on hand and a delivery of 5, reserved; When only 3 are validated; Then
    on hand is 7, a backorder WH/OUT/00002 of 2 keeps its 2 reserved and is ready,
    and outgoing is still 2."""
    stock = wh.stock_location
    receive(wh, widget, 10)
    out = delivery(wh, widget, 5)
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    move = out.moves.get()
    # When
    validation.validate(out.pk, done=[{"move": move.pk, "quantity": D("3")}], on_date=MAY_4)
    # Then
    backorder = Transfer.objects.get(backorder_of=out)
    assert (backorder.number, backorder.status) == ("WH/OUT/00002", "ready")
    rest = backorder.moves.get()
    assert (rest.quantity, rest.quantity_reserved, rest.status) == (D(2), D(2), "ready")
    move.refresh_from_db()
    assert (move.quantity, move.quantity_done, move.status) == (D(3), D(3), "done")
    assert level(widget, stock) == (7, 2, 0, 2)
    announced = [e.payload for e in OutboxEvent.objects.filter(topic="inventory.transfer.done")]
    assert [(p["number"], p["backorder_id"]) for p in announced if p["kind"] == "delivery"] == [
        ("WH/OUT/00001", backorder.pk)
    ]
    # And the backorder delivers the rest
    validation.validate(backorder.pk, on_date=MAY_4)
    assert level(widget, stock) == (5, 0, 0, 0)
    assert level_differences(company.pk) == []


def test_partial_reservation_waits_and_a_receipt_completes_it(company, wh, widget):
    """Given 3 on hand and a delivery of 5; When it is reserved, Then 3 are reserved
    and it is waiting; When 4 more arrive, Then the delivery is reserved in full
    (ready) without anyone asking, and 2 stay available."""
    stock = wh.stock_location
    receive(wh, widget, 3)
    out = delivery(wh, widget, 5)
    transfers.confirm(out.pk)
    out = transfers.reserve(out.pk)
    assert out.status == "waiting"
    assert out.moves.get().quantity_reserved == D(3)
    # When stock arrives
    receive(wh, widget, 4)
    # Then
    out.refresh_from_db()
    assert out.status == "ready"
    assert out.moves.get().quantity_reserved == D(5)
    assert level(widget, stock) == (7, 5, 0, 5)


def test_fefo_reserves_the_lot_that_expires_first(company, wh):
    """Given lot L-LATE (expires 2026-12-31, received first) and L-SOON (expires
    2026-06-30) of milk, 5 each; When 7 are reserved; Then 5 come from L-SOON and 2
    from L-LATE."""
    milk = product(company, name="Milk", sku="MILK", tracking="lot")
    receive(wh, milk, 5, lots=[("L-LATE", "5", dt.date(2026, 12, 31))])
    receive(wh, milk, 5, lots=[("L-SOON", "5", dt.date(2026, 6, 30))])
    out = delivery(wh, milk, 7)
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    reserved = reserved_lots(out)
    assert reserved == [("L-LATE", D(2)), ("L-SOON", D(5))]
    validation.validate(out.pk, on_date=MAY_4)
    soon, late = (StockLevel.objects.get(product=milk, lot__name=n) for n in ("L-SOON", "L-LATE"))
    assert (soon.on_hand, late.on_hand) == (D(0), D(3))
    assert level_differences(company.pk) == []


def test_fifo_takes_the_lot_received_first_when_none_expires(company, wh):
    """Given lots A (received first) and B of screws without expiry, 4 each; When 5 are
    reserved; Then 4 come from A and 1 from B."""
    screws = product(company, name="Screws", sku="SCR", tracking="lot")
    receive(wh, screws, 4, lots=[("A", "4", None)])
    receive(wh, screws, 4, lots=[("B", "4", None)])
    out = delivery(wh, screws, 5)
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    reserved = reserved_lots(out)
    assert reserved == [("A", D(4)), ("B", D(1))]


def test_cancel_gives_the_reservation_back(company, wh, widget):
    """Given 10 on hand and a reserved delivery of 4; When it is cancelled; Then nothing
    is reserved or outgoing, the move is cancelled, and 10 are on hand."""
    stock = wh.stock_location
    receive(wh, widget, 10)
    out = delivery(wh, widget, 4)
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    assert level(widget, stock) == (10, 4, 0, 4)
    out = transfers.cancel(out.pk, reason="Customer changed their mind")
    assert out.status == "cancelled"
    assert level(widget, stock) == (10, 0, 0, 0)
    assert list(StockMove.objects.filter(transfer=out).values_list("status", flat=True)) == [
        "cancelled"
    ]
    assert MoveLine.objects.filter(move__transfer=out).count() == 0


def test_stock_in_a_bin_is_reserved_for_a_delivery_from_the_stock_above(company, wh, widget):
    """Given 6 Widgets in bin WH/Stock/A1 and none directly in WH/Stock; When a
    delivery of 2 from WH/Stock is reserved and validated; Then they come from A1."""
    a1 = bin_in(wh, "A1")
    receive(wh, widget, 6, destination=a1)
    out = delivery(wh, widget, 2)
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    assert level(widget, a1) == (6, 2, 0, 0)
    validation.validate(out.pk, on_date=MAY_4)
    assert level(widget, a1) == (4, 0, 0, 0)
    assert level(widget, wh.stock_location) == (0, 0, 0, 0)
    assert level_differences(company.pk) == []


def test_an_internal_transfer_moves_stock_between_bins(company, wh, widget):
    """Given 5 in A1; When 3 move from A1 to B1; Then A1 holds 2 and B1 holds 3."""
    a1, b1 = bin_in(wh, "A1"), bin_in(wh, "B1")
    receive(wh, widget, 5, destination=a1)
    move = transfers.create_transfer(
        company,
        kind="internal",
        warehouse=wh,
        source=a1,
        destination=b1,
        scheduled_date=MAY_4,
        lines=[{"product": widget, "quantity": D(3)}],
    )
    assert move.number == "WH/INT/00001"
    transfers.confirm(move.pk)
    assert level(widget, b1) == (0, 0, 3, 0)
    transfers.reserve(move.pk)
    validation.validate(move.pk, on_date=MAY_4)
    assert (level(widget, a1), level(widget, b1)) == ((2, 0, 0, 0), (3, 0, 0, 0))
