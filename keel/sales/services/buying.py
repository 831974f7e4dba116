"""What an order buys: its lines of products bought on order or drop-shipped become
draft purchase orders to each product's preferred vendor, through purchasing's
service, each line linked to the sales order line it buys for."""

from __future__ import annotations

from collections import defaultdict

from keel.products.models import Product
from keel.purchasing.errors import NoVendorPrice
from keel.purchasing.models import PurchaseOrder
from keel.purchasing.selectors import preferred_prices
from keel.purchasing.services import orders as purchase_orders

from ..models import SalesOrder, SalesOrderLine
from ..selectors import BOUGHT_ON_ORDER


def buy_for(order: SalesOrder, lines: list[SalesOrderLine], *, by=None) -> list[PurchaseOrder]:
    """Draft purchase orders for the lines of `order` bought on order: one per
    preferred vendor and route (a drop-ship order is delivered to the customer),
    dated the order's date, pointing back at the order. Refused when such a product
    has no preferred vendor."""
    bought = [line for line in lines if line.product.supply_route in BOUGHT_ON_ORDER]
    if not bought:
        return []
    vendors = preferred_prices(
        order.company, [line.product_id for line in bought], order.order_date
    )
    for line in bought:
        if line.product_id not in vendors:
            raise NoVendorPrice(
                f"{line.product} is bought on order but has no preferred vendor price on "
                f"{order.order_date.isoformat()}; mark a vendor preferred in purchasing first.",
                field="lines",
            )
    groups: dict[tuple, list[SalesOrderLine]] = defaultdict(list)
    for line in bought:
        drop_ship = line.product.supply_route == Product.SupplyRoute.DROP_SHIP
        groups[(vendors[line.product_id].vendor_id, drop_ship)].append(line)
    made = []
    for (_, drop_ship), group in groups.items():
        price = vendors[group[0].product_id]
        purchase = purchase_orders.create_order(
            order.company,
            vendor=price.vendor,
            warehouse=order.warehouse,
            order_date=order.order_date,
            currency=price.currency,
            vendor_ref=order.number,
            lines=[{"product": line.product, "quantity": line.quantity} for line in group],
            origin=order,
            ship_to=order.party if drop_ship else None,
            by=by,
        )
        for line, purchase_line in zip(group, purchase.lines.order_by("sequence"), strict=True):
            line.purchase_line = purchase_line
        made.append(purchase)
    SalesOrderLine.objects.bulk_update(bought, ["purchase_line"])
    return made
