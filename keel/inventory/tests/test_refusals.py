"""Bad input is refused with a stable code and leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from keel.core.errors import TransitionNotAllowed
from keel.core.models import OutboxEvent, StatusChange
from keel.products.services.catalog import save_product

from ..errors import (
    InsufficientStock,
    InvalidQuantity,
    LotRequired,
    MoreThanReserved,
    NotConfirmed,
    ProductNotStockable,
    SerialInUse,
)
from ..models import Lot, MoveLine, StockLevel, StockMove, Transfer
from ..services import transfers, validation
from .factories import delivery, product, receive

pytestmark = pytest.mark.django_db
D = Decimal


def snapshot():
    """Everything a refused action could have touched."""
    return (
        list(StockLevel.objects.values_list("pk", "on_hand", "reserved", "incoming", "outgoing")),
        list(StockMove.objects.values_list("pk", "transfer_id", "quantity", "status")),
        list(MoveLine.objects.values_list("pk", "move_id", "quantity", "quantity_done")),
        list(Transfer.objects.values_list("pk", "number", "status")),
        Lot.objects.count(),
        StatusChange.objects.count(),
        OutboxEvent.objects.count(),
    )


@pytest.fixture
def reserved_delivery(wh, widget):
    """10 Widgets on hand and a delivery of 4, reserved."""
    receive(wh, widget, 10)
    out = delivery(wh, widget, 4)
    transfers.confirm(out.pk)
    return transfers.reserve(out.pk)


def test_delivering_more_than_reserved_is_refused(reserved_delivery):
    """Given a delivery with 4 reserved; When 5 are said to be delivered; Then it is
    refused with more_than_reserved and nothing changed."""
    move = reserved_delivery.moves.get()
    before = snapshot()
    with pytest.raises(MoreThanReserved) as refused:
        validation.validate(reserved_delivery.pk, done=[{"move": move.pk, "quantity": "5"}])
    assert refused.value.code == "more_than_reserved"
    assert "only 4.0000 of" in refused.value.detail
    assert snapshot() == before


def test_reserving_with_nothing_available_is_refused(wh, widget, reserved_delivery):
    """Given 10 on hand of which 4 reserved and another delivery of 6 reserved; When a
    third delivery asks to reserve; Then insufficient_stock and nothing changed."""
    second = delivery(wh, widget, 6)
    transfers.confirm(second.pk)
    transfers.reserve(second.pk)
    third = delivery(wh, widget, 1)
    transfers.confirm(third.pk)
    before = snapshot()
    with pytest.raises(InsufficientStock) as refused:
        transfers.reserve(third.pk)
    assert refused.value.code == "insufficient_stock"
    assert refused.value.detail.startswith("Insufficient stock: nothing available in WH/Stock")
    assert snapshot() == before


def test_receiving_a_serial_number_twice_is_refused(company, wh):
    """Given laptop SN-1 on hand; When a receipt says SN-1 arrived again; Then
    serial_in_use and nothing changed (no lot, level or line)."""
    laptop = product(company, name="Laptop", sku="LAP", tracking="serial")
    receive(wh, laptop, 1, lots=[("SN-1", "1", None)])
    again = transfers.create_transfer(
        company, kind="receipt", warehouse=wh, lines=[{"product": laptop, "quantity": 1}]
    )
    transfers.confirm(again.pk)
    move = again.moves.get()
    before = snapshot()
    with pytest.raises(SerialInUse) as refused:
        validation.validate(again.pk, done=[{"move": move.pk, "quantity": 1, "lot": "SN-1"}])
    assert refused.value.code == "serial_in_use"
    assert "SN-1 is already in stock at WH/Stock" in refused.value.detail
    assert snapshot() == before


def test_a_serial_number_is_one_unit_and_given_once(company, wh):
    """Given a receipt of 2 laptops; When SN-1 is given for 2 units, or SN-1 twice;
    Then each is refused and nothing changed; SN-1 and SN-2 are accepted."""
    laptop = product(company, name="Laptop", sku="LAP", tracking="serial")
    receipt = transfers.create_transfer(
        company, kind="receipt", warehouse=wh, lines=[{"product": laptop, "quantity": 2}]
    )
    transfers.confirm(receipt.pk)
    move = receipt.moves.get()
    before = snapshot()
    with pytest.raises(InvalidQuantity):
        validation.validate(receipt.pk, done=[{"move": move.pk, "quantity": 2, "lot": "SN-1"}])
    twice = [{"move": move.pk, "quantity": 1, "lot": "SN-1"}] * 2
    with pytest.raises(SerialInUse):
        validation.validate(receipt.pk, done=twice)
    with pytest.raises(LotRequired):
        validation.validate(receipt.pk)
    assert snapshot() == before
    both = [{"move": move.pk, "quantity": 1, "lot": f"SN-{n}"} for n in (1, 2)]
    validation.validate(receipt.pk, done=both)
    assert sorted(
        StockLevel.objects.filter(product=laptop, lot__isnull=False).values_list(
            "lot__name", "on_hand"
        )
    ) == [("SN-1", D(1)), ("SN-2", D(1))]


def test_a_serial_delivered_to_a_customer_may_come_back(company, wh):
    """Given SN-7 received and delivered; When it is received again (a return); Then
    it is accepted: it was no longer on hand."""
    laptop = product(company, name="Laptop", sku="LAP", tracking="serial")
    receive(wh, laptop, 1, lots=[("SN-7", "1", None)])
    out = delivery(wh, laptop, 1)
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    validation.validate(out.pk)
    receive(wh, laptop, 1, lots=[("SN-7", "1", None)])
    assert StockLevel.objects.get(product=laptop, lot__name="SN-7").on_hand == D(1)


def test_an_archived_product_cannot_move(company, wh, widget):
    """Given a draft delivery of Widgets; When the product is archived; Then a new
    transfer of it and confirming the draft are refused with product_not_stockable,
    and nothing changed."""
    out = delivery(wh, widget, 1)
    widget.active = False
    save_product(widget, by=None)
    before = snapshot()
    with pytest.raises(ProductNotStockable) as refused:
        delivery(wh, widget, 1)
    assert refused.value.code == "product_not_stockable"
    assert "is archived" in refused.value.detail
    with pytest.raises(ProductNotStockable):
        transfers.confirm(out.pk)
    assert snapshot() == before


def test_a_draft_is_neither_reserved_nor_validated(wh, widget):
    """Given a draft delivery; When it is reserved or validated; Then
    transfer_not_confirmed and nothing changed."""
    out = delivery(wh, widget, 1)
    before = snapshot()
    with pytest.raises(NotConfirmed) as refused:
        transfers.reserve(out.pk)
    assert refused.value.code == "transfer_not_confirmed"
    with pytest.raises(NotConfirmed):
        validation.validate(out.pk)
    assert snapshot() == before


@pytest.mark.parametrize("quantity", ["0", "-1", "1.00001", "abc"])
def test_quantities_are_positive_with_at_most_four_decimals(wh, widget, quantity):
    """Given a delivery line of 0, -1, 1.00001 or abc; Then quantity_invalid names the
    line's quantity and nothing was created."""
    before = snapshot()
    with pytest.raises(InvalidQuantity) as refused:
        delivery(wh, widget, quantity)
    assert refused.value.field == "lines[1].quantity"
    assert snapshot() == before


def test_the_database_refuses_reserving_more_than_on_hand(wh, widget):
    """Given 10 on hand in WH/Stock (negative stock not allowed); When anything writes
    reserved 11 or on hand -1 past the services; Then the check constraints refuse."""
    receive(wh, widget, 10)
    row = StockLevel.objects.filter(product=widget, location=wh.stock_location)
    for change in ({"reserved": D(11)}, {"on_hand": D(-1)}, {"reserved": D(-1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            row.update(**change)
    assert row.get().on_hand == D(10)


def test_where_negative_stock_is_allowed_the_database_lets_it_be(company, wh, widget):
    """A location allowing negative stock copies that onto its levels."""
    from ..services.locations import create_location

    floor = create_location(company, name="Floor", parent=wh.stock_location, allow_negative=True)
    receive(wh, widget, 1, destination=floor, on_date=dt.date(2026, 5, 5))
    row = StockLevel.objects.filter(product=widget, location=floor)
    row.update(on_hand=D(-3))
    assert row.get().allow_negative is True


def test_a_done_transfer_is_not_cancelled(wh, widget, reserved_delivery):
    """Given a delivered transfer; When it is cancelled; Then transition_not_allowed
    and nothing changed."""
    validation.validate(reserved_delivery.pk)
    before = snapshot()
    with pytest.raises(TransitionNotAllowed) as refused:
        transfers.cancel(reserved_delivery.pk)
    assert refused.value.code == "transition_not_allowed"
    assert snapshot() == before
