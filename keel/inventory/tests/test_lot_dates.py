"""A lot is dated by the day its receipt was validated, so FIFO among lots without an
expiry date follows the goods, not the order in which clerks typed receipts in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from keel.inventory.models import Lot

from ..services import transfers, validation
from .factories import product

pytestmark = pytest.mark.django_db
D = Decimal


def receive(company, wh, item, lot: str, on_date: dt.date) -> None:
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=on_date,
        lines=[{"product": item, "quantity": D(5)}],
    )
    transfers.confirm(receipt.pk)
    move = receipt.moves.get()
    validation.validate(
        receipt.pk, done=[{"move": move.pk, "quantity": D(5), "lot": lot}], on_date=on_date
    )


def test_a_receipt_entered_late_keeps_its_place_in_fifo(company, wh):
    """Given lot NEW received today and then lot OLD entered afterwards for goods that
    arrived ten days ago (no expiry dates); When 5 are delivered; Then OLD is dated ten
    days ago, NEW today, and the delivery reserves OLD first."""
    today = timezone.localdate()
    bolts = product(company, name="Bolts", sku="BOLT", tracking="lot")
    receive(company, wh, bolts, "NEW", today)
    receive(company, wh, bolts, "OLD", today - dt.timedelta(days=10))

    received = {lot.name: timezone.localtime(lot.received_at).date() for lot in Lot.objects.all()}
    assert received == {"NEW": today, "OLD": today - dt.timedelta(days=10)}

    out = transfers.create_transfer(
        company,
        kind="delivery",
        warehouse=wh,
        scheduled_date=today,
        lines=[{"product": bolts, "quantity": D(5)}],
    )
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    assert [line.lot.name for line in out.moves.get().lines.all()] == ["OLD"]
