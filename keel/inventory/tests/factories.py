"""Stock for tests of every domain: warehouses, tracked products, and stock received
through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.core.models import Company
from keel.products.models import Product
from keel.products.tests.factories import ProductFactory

from ..models import Location, Transfer, Warehouse
from ..services import locations, transfers, validation

D = Decimal
MAY_4 = dt.date(2026, 5, 4)


def warehouse(company: Company, code: str = "WH", name: str = "Main warehouse") -> Warehouse:
    found = Warehouse.objects.filter(company=company, code=code).first()
    return found or locations.create_warehouse(company, code=code, name=name)


def product(company: Company, *, tracking: str = Product.Tracking.NONE, **fields) -> Product:
    return ProductFactory(company=company, tracking=tracking, **fields)


def bin_in(wh: Warehouse, name: str) -> Location:
    return locations.create_location(wh.company, name=name, parent=wh.stock_location)


def receive(
    wh: Warehouse,
    item: Product,
    quantity,
    *,
    lots: list[tuple[str, str, dt.date | None]] | None = None,
    destination: Location | None = None,
    on_date: dt.date = MAY_4,
) -> Transfer:
    """A receipt of `quantity` of `item`, confirmed and validated; `lots` as
    (name, quantity, expiry) for tracked products."""
    receipt = transfers.create_transfer(
        wh.company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=wh,
        destination=destination,
        scheduled_date=on_date,
        lines=[{"product": item, "quantity": D(str(quantity))}],
    )
    transfers.confirm(receipt.pk)
    move = receipt.moves.get()
    done = None
    if lots:
        done = [
            {"move": move.pk, "quantity": D(q), "lot": name, "expiry_date": expiry}
            for name, q, expiry in lots
        ]
    return validation.validate(receipt.pk, done=done, on_date=on_date)


def delivery(wh: Warehouse, item: Product, quantity, *, on_date: dt.date = MAY_4, **kw):
    """A draft delivery of `quantity` of `item` from the warehouse's stock."""
    return transfers.create_transfer(
        wh.company,
        kind=Transfer.Kind.DELIVERY,
        warehouse=wh,
        scheduled_date=on_date,
        lines=[{"product": item, "quantity": quantity}],
        **kw,
    )
