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
    unit_cost: str | None = None,
    source: Location | None = None,
) -> Transfer:
    """A receipt of `quantity` of `item` (at `unit_cost`, if given), confirmed and
    validated; `lots` as (name, quantity, expiry) for tracked products."""
    line = {"product": item, "quantity": D(str(quantity))}
    if unit_cost is not None:
        line["unit_cost"] = D(unit_cost)
    receipt = transfers.create_transfer(
        wh.company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=wh,
        source=source,
        destination=destination,
        scheduled_date=on_date,
        lines=[line],
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


def stock(wh: Warehouse, products, quantity, *, on_date: dt.date = MAY_4) -> Transfer:
    """One receipt of `quantity` of each of `products` at its cost price, confirmed and
    validated: a warehouse stocked for a benchmark or a soak."""
    receipt = transfers.create_transfer(
        wh.company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=wh,
        scheduled_date=on_date,
        lines=[
            {"product": p, "quantity": D(quantity), "unit_cost": p.cost_price} for p in products
        ],
    )
    transfers.confirm(receipt.pk)
    return validation.validate(receipt.pk, on_date=on_date)


def deliver(wh: Warehouse, item: Product, quantity, *, on_date: dt.date = MAY_4) -> Transfer:
    """A delivery of `quantity` of `item` from WH/Stock, confirmed, reserved, validated."""
    out = delivery(wh, item, D(str(quantity)), on_date=on_date)
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    return validation.validate(out.pk, on_date=on_date)


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
