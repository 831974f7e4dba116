"""A year of the demo company's sales, on top of the parties, products, CRM,
accounting, inventory and purchasing demos, through the sales services: quotations
across the demo customers in every state a rep meets — draft, sent, waiting for a
discount approval, declined (cancelled), expired, on credit hold — and orders
confirmed, partly delivered, delivered, invoiced and paid. A third of them are quoted
from open CRM opportunities, which confirmation marks won.

Dated over the last eleven months relative to `today`, drawn from a random generator
with a fixed seed: the same data gives the same sales. A second load finds
quotations and does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from keel.accounting.services.payments import register_payment
from keel.core.errors import DomainError
from keel.crm.models import Opportunity
from keel.inventory.models import StockLevel, Warehouse
from keel.parties.models import Party
from keel.parties.services.parties import create_party
from keel.products.models import Product
from keel.users.roles import Role

from .models import Quotation
from .services import orders, quotations

D = Decimal
SEED = 2026
ORDERS = 120
# What becomes of each quotation, in proportion: mostly orders that went all the way.
FATES = (
    ["draft"] * 2
    + ["sent"] * 2
    + ["to_approve"]
    + ["declined"] * 2
    + ["expired"] * 2
    + ["on_hold"]
    + ["confirmed"] * 2
    + ["partial"] * 2
    + ["delivered"] * 2
    + ["invoiced"] * 3
    + ["paid"] * 9
)
EVERY_STATE = list(dict.fromkeys(FATES))
HELD_CUSTOMER = "Overdrawn Traders"


def _user(company, role: Role):
    users = get_user_model().objects.filter(company=company, groups__name=str(role))
    return users.order_by("pk").first()


def _stocked(company, warehouse) -> list[Product]:
    """Goods with at least 20 units on hand in the warehouse (plenty for the demo's
    small orders), in a fixed order."""
    ids = (
        StockLevel.objects.filter(
            company=company,
            location__warehouse=warehouse,
            location__usage="internal",
            on_hand__gte=20,
            product__kind=Product.Kind.GOODS,
            product__tracking=Product.Tracking.NONE,
            product__active=True,
            product__sale_price__gt=0,
        )
        .values_list("product_id", flat=True)
        .distinct()
    )
    return list(Product.objects.filter(pk__in=set(ids)).order_by("sku")[:30])


def load(company, fake=None, *, today: dt.date | None = None, count: int = ORDERS) -> None:
    if Quotation.objects.filter(company=company).exists():
        return
    today = today or dt.date.today()
    rng = random.Random(SEED)
    warehouses = Warehouse.objects.filter(company=company).order_by("pk")
    warehouse = next((w for w in warehouses if _stocked(company, w)), None)
    rep, manager = _user(company, Role.SALES_REP), _user(company, Role.SALES_MANAGER)
    accountant = _user(company, Role.ACCOUNTANT)
    if warehouse is None or rep is None or manager is None:
        return  # nothing to sell without stock and sellers
    goods = _stocked(company, warehouse)
    customers = list(
        Party.objects.filter(company=company, is_customer=True, credit_limit__isnull=True)
        .filter(kind=Party.Kind.ORGANISATION)
        .order_by("pk")[:40]
    ) or list(Party.objects.filter(company=company, is_customer=True).order_by("pk")[:40])
    held = create_party(
        company=company, name=HELD_CUSTOMER, is_customer=True, credit_limit=D("0.00")
    )
    deals = list(
        Opportunity.objects.filter(
            company=company, status="open", currency=company.currency, party__isnull=False
        ).order_by("pk")[: count // 3]
    )
    span = 330
    for n in range(count):
        # Every state once first (a small load still shows them all), then as weighted.
        fate = EVERY_STATE[n] if n < len(EVERY_STATE) else FATES[rng.randrange(len(FATES))]
        quoted = today - dt.timedelta(days=rng.randint(12, span) if fate != "draft" else 2)
        if fate in ("draft", "sent", "to_approve"):
            quoted = today - dt.timedelta(days=rng.randint(1, 20))
        lines = [
            {"product": item, "quantity": rng.randint(1, 3)}
            for item in rng.sample(goods, k=min(len(goods), rng.randint(1, 3)))
        ]
        if fate == "to_approve":
            lines[0]["discount"] = "30"
        if fate == "partial":
            lines[0]["quantity"] = 2  # one leaves now, one waits on the backorder
        deal = deals.pop() if deals and fate not in ("on_hold",) and n % 3 == 0 else None
        seller = deal.owner if deal is not None and deal.owner_id else rep
        quote = quotations.create_quotation(
            company,
            warehouse=warehouse,
            opportunity=deal,
            party=None if deal else (held if fate == "on_hold" else rng.choice(customers)),
            quote_date=quoted,
            lines=lines,
            by=seller if deal is None else None,
        )
        _play(quote, fate, rng=rng, today=today, seller=seller, staff=(manager, accountant))


def _play(quote, fate: str, *, rng, today, seller, staff) -> None:
    """Take `quote` as far as `fate` says, each step a few days after the last."""
    manager, accountant = staff
    if fate == "draft":
        return
    quotations.send(quote.pk, by=seller)
    if fate in ("sent", "to_approve", "expired"):
        return  # an expired one is a sent quotation past its validity date
    if fate == "declined":
        quotations.cancel(quote.pk, by=seller, reason="The customer declined: price too high")
        return
    on = quote.quote_date + dt.timedelta(days=rng.randint(1, 5))
    try:
        order = orders.confirm(quote.pk, by=seller, on_date=on)
    except DomainError:
        # Stock promised for the day was gone: the rep lets the customer know.
        quotations.cancel(quote.pk, by=seller, reason="Out of stock on the day")
        return
    if fate in ("on_hold", "confirmed"):
        return
    on += dt.timedelta(days=rng.randint(1, 4))
    if fate == "partial":
        first = order.lines.order_by("sequence").first()
        orders.deliver(
            order.pk, quantities={first.product_id: 1}, on_date=min(on, today), by=seller
        )
        return
    orders.deliver(order.pk, on_date=min(on, today), by=seller)
    if fate == "delivered":
        return
    on += dt.timedelta(days=rng.randint(0, 3))
    invoice = orders.invoice(order.pk, on_date=min(on, today), by=seller)
    if fate == "invoiced":
        return
    register_payment(
        order.company,
        party=order.party,
        amount=invoice.amount_total,
        date=min(on + dt.timedelta(days=rng.randint(5, 30)), today),
        invoices=[invoice.pk],
        by=accountant or manager,
    )
