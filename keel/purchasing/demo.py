"""Demo purchasing, on top of the products, parties and accounting demos: a main
warehouse (when inventory has none yet), prices of three suppliers for four goods,
and orders in every state a buyer meets — one done (received, billed, paid), one
partly received and billed, one above the approval threshold waiting for a
manager, one whose bill is held for its price — and an RFQ with three replies.

Everything goes through the services, dated relative to `today`; a second load
finds orders and does nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from keel.accounting.models import Payment
from keel.accounting.services.payments import register_payment
from keel.inventory.models import Warehouse
from keel.inventory.services import locations
from keel.parties.models import Party
from keel.parties.services.parties import create_party
from keel.products.models import Product
from keel.users.roles import Role

from .models import PurchaseOrder
from .services import bills, orders, prices, receipts, rfqs

D = Decimal
SUPPLIERS = ["Atlas Hardware Distribution", "Brightline Office Supply", "Castor Components"]
# per supplier: price factor on the product's cost, lead days
OFFERS = [(D("1.00"), 7), (D("1.05"), 5), (D("0.97"), 14)]


def _user(company, role: Role):
    users = get_user_model().objects.filter(company=company, groups__name=str(role))
    return users.order_by("pk").first()


def _suppliers(company) -> list[Party]:
    found = list(
        Party.objects.filter(company=company, is_supplier=True).order_by("pk")[: len(SUPPLIERS)]
    )
    names = {p.name for p in found}
    for name in SUPPLIERS:
        if len(found) >= len(SUPPLIERS):
            break
        if name not in names:
            found.append(create_party(company=company, name=name, is_supplier=True))
    return found


def _cost(item: Product) -> D:
    return (item.cost_price or item.sale_price * D("0.6") or D("10")).quantize(D("0.01"))


def load(company, fake=None, *, today: dt.date | None = None) -> None:
    if PurchaseOrder.objects.filter(company=company).exists():
        return
    goods = list(
        Product.objects.filter(company=company, kind=Product.Kind.GOODS, active=True).order_by(
            "pk"
        )[:4]
    )
    if len(goods) < 4:
        return  # nothing to buy without the catalogue
    today = today or dt.date.today()
    buyer = _user(company, Role.BUYER)
    manager = _user(company, Role.ADMINISTRATOR)
    accountant = _user(company, Role.ACCOUNTANT)
    wh = Warehouse.objects.filter(company=company).order_by("pk").first()
    wh = wh or locations.create_warehouse(company, code="WH", name="Main warehouse")
    suppliers = _suppliers(company)
    orders.configure(company, by=manager)
    for item in goods:
        for position, (supplier, (factor, lead)) in enumerate(zip(suppliers, OFFERS, strict=True)):
            prices.save_vendor_price(
                company,
                vendor=supplier,
                product=item,
                price=(_cost(item) * factor).quantize(D("0.01")),
                lead_days=lead,
                minimum_order_quantity=D(10) if position == 0 else D(0),
                preferred=position == 0,
                by=buyer,
            )
    atlas, brightline, _ = suppliers

    def order(supplier, item, quantity, days_ago: int) -> PurchaseOrder:
        placed = orders.create_order(
            company,
            vendor=supplier,
            warehouse=wh,
            order_date=today - dt.timedelta(days=days_ago),
            lines=[{"product": item, "quantity": D(quantity)}],
            by=buyer,
        )
        return orders.submit(placed.pk, by=buyer)

    # Done: received in full, billed, paid.
    done = order(atlas, goods[0], 20, 40)
    line = done.lines.get()
    receipts.receive(
        done.pk, lines=[{"line": line.pk, "quantity": 20}], on_date=today - dt.timedelta(33)
    )
    first = bills.bill_order(done.pk, date=today - dt.timedelta(32), ref="ATL-4410", by=buyer)
    register_payment(
        company,
        party=atlas,
        amount=first.bill.amount_total,
        date=today - dt.timedelta(20),
        direction=Payment.Direction.OUTBOUND,
        invoices=[first.bill_id],
        by=accountant,
    )
    # Partly received and billed; the rest waits on a backorder.
    partial = order(brightline, goods[1], 30, 10)
    receipts.receive(
        partial.pk,
        lines=[{"line": partial.lines.get().pk, "quantity": 12}],
        on_date=today - dt.timedelta(3),
    )
    bills.bill_order(partial.pk, date=today - dt.timedelta(2), ref="BRL-981", by=buyer)
    # Above the threshold: waits for a manager's approval.
    big = goods[2]
    order(atlas, big, int(D(12000) / _cost(big)) + 1, 1)
    # Billed 8% above the order price: held for an accountant.
    held = order(atlas, goods[3], 10, 15)
    line = held.lines.get()
    receipts.receive(
        held.pk, lines=[{"line": line.pk, "quantity": 10}], on_date=today - dt.timedelta(8)
    )
    bills.bill_order(
        held.pk,
        date=today - dt.timedelta(7),
        ref="ATL-4521",
        lines=[{"line": line.pk, "quantity": 10, "unit_price": line.unit_price * D("1.08")}],
        by=buyer,
    )
    # An RFQ answered by the three suppliers, waiting for the award.
    rfq = rfqs.create_rfq(
        company,
        warehouse=wh,
        vendors=suppliers,
        lines=[{"product": goods[0], "quantity": 50}, {"product": goods[1], "quantity": 25}],
        need_by=today + dt.timedelta(21),
        by=buyer,
    )
    rfqs.send_rfq(rfq.pk, by=buyer)
    lines = list(rfq.lines.select_related("product"))
    for supplier, (factor, lead) in zip(suppliers, OFFERS, strict=True):
        rfqs.record_reply(
            rfq.pk,
            vendor=supplier,
            quotes=[
                {
                    "line": x.pk,
                    "unit_price": (_cost(x.product) * factor).quantize(D("0.01")),
                    "lead_days": lead,
                }
                for x in lines
            ],
            by=buyer,
        )
