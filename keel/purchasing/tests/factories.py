"""Purchasing set-ups for tests of every domain: vendors with prices, and orders
driven through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.core.models import Company
from keel.inventory.models import Warehouse
from keel.parties.models import Party
from keel.parties.services.parties import create_party

from ..models import PurchaseOrder
from ..services import orders, prices

D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


def vendor(company: Company, name: str) -> Party:
    return create_party(company=company, name=name, is_supplier=True)


def price(company, supplier, item, amount: str, **fields):
    return prices.save_vendor_price(
        company, vendor=supplier, product=item, price=D(amount), **fields
    )


def confirmed_order(
    company: Company,
    wh: Warehouse,
    supplier: Party,
    lines: list[tuple],
    *,
    by,
    order_date: dt.date = JUNE_1,
) -> PurchaseOrder:
    """A draft order of (product, quantity, unit price[, lead days]) lines, submitted
    by `by`; below the approval threshold it is confirmed at once."""
    order = orders.create_order(
        company,
        vendor=supplier,
        warehouse=wh,
        order_date=order_date,
        lines=[
            {
                "product": item,
                "quantity": D(str(quantity)),
                "unit_price": D(unit_price),
                "lead_days": rest[0] if rest else 0,
            }
            for item, quantity, unit_price, *rest in lines
        ],
        by=by,
    )
    return orders.submit(order.pk, by=by)
