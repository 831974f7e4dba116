"""Reads of the sales domain: what a rep may see, what the warehouse can promise for
a quotation's lines, what a customer owes, and what an order has delivered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from keel.accounting.models import AccountRole, Invoice, Journal, OpenItem
from keel.inventory.models import StockMove, Transfer
from keel.inventory.selectors.atp import positions_of
from keel.products.models import Product
from keel.products.pricing import price_for
from keel.purchasing.selectors import preferred_prices

from .models import (
    OrderInvoice,
    Quotation,
    ReturnAuthorisation,
    ReturnLine,
    SalesOrder,
    SalesSettings,
)
from .permissions import SEE_ALL_PERMISSION

ZERO = Decimal(0)


def settings_of(company) -> SalesSettings:
    """The company's sales settings (the defaults until someone saves them)."""
    found = SalesSettings.objects.filter(company=company).first()
    return found or SalesSettings(company=company)


def sees_all(user) -> bool:
    return user is None or user.has_perm(SEE_ALL_PERMISSION)


def quotations_visible_to(user) -> QuerySet[Quotation]:
    """Every quotation of the user's company for managers; a rep's own otherwise."""
    found = Quotation.objects.filter(company_id=user.company_id).select_related(
        "party", "owner", "opportunity"
    )
    return found if sees_all(user) else found.filter(owner=user)


def orders_visible_to(user) -> QuerySet[SalesOrder]:
    """Every order of the user's company for managers and accountants; a rep's own."""
    found = SalesOrder.objects.filter(company_id=user.company_id).select_related("party", "owner")
    return found if sees_all(user) else found.filter(owner=user)


@dataclass(frozen=True)
class Promise:
    """What the warehouse can promise of a product on a date, and from when the whole
    quantity asked for can be promised (None: not with the moves known)."""

    available: Decimal
    promise_date: dt.date | None


BOUGHT_ON_ORDER = (Product.SupplyRoute.BUY_TO_ORDER, Product.SupplyRoute.DROP_SHIP)


def promises_for(warehouse, wanted: list[tuple], on_date: dt.date) -> list[Promise]:
    """For each (product, quantity): available to promise on `on_date` and the
    earliest date from which the quantity stays promisable; three queries for all.
    A product bought on order (or drop-shipped) is promised after its preferred
    vendor's lead time (no date without a preferred vendor)."""
    found = positions_of([p for p, _ in wanted], [warehouse])
    bought = [p.pk for p, _ in wanted if p.supply_route in BOUGHT_ON_ORDER]
    vendors = preferred_prices(warehouse.company_id, bought, on_date) if bought else {}
    result = []
    for product, quantity in wanted:
        position = found[(product.pk, warehouse.pk)]
        if product.supply_route in BOUGHT_ON_ORDER:
            price = vendors.get(product.pk)
            lead = None if price is None else on_date + dt.timedelta(days=price.lead_days)
            result.append(Promise(position.available_on(on_date), lead))
            continue
        dates = sorted({on_date} | {m.date for m in position.moves if m.date > on_date})
        earliest = None
        # From the last date back: the first date after which it never dips below.
        for day in reversed(dates):
            if position.available_on(day) < quantity:
                break
            earliest = day
        result.append(Promise(position.available_on(on_date), earliest))
    return result


@dataclass(frozen=True)
class LinePreview:
    """What a quotation line would say while the rep types it: the price and why,
    what is available and from when the quantity can be promised."""

    unit_price: Decimal
    currency: str
    explanation: str
    available: Decimal
    promise_date: dt.date | None


def preview_line(warehouse, party, product, quantity: Decimal, on_date: dt.date) -> LinePreview:
    """The price-list price of `quantity` of `product` for `party` on `on_date`, and the
    warehouse's promise for it (the same reads create_quotation makes)."""
    quote = price_for(product, party, quantity, on_date)
    (promise,) = promises_for(warehouse, [(product, quantity)], on_date)
    return LinePreview(
        quote.unit_price, quote.currency, quote.explanation, promise.available, promise.promise_date
    )


def open_receivables(party) -> Decimal:
    """What `party` still owes on posted receivables, in the company's currency."""
    total = OpenItem.objects.filter(
        party=party, account__role=AccountRole.RECEIVABLE, residual__gt=0
    ).aggregate(total=Sum("residual"))["total"]
    return total or ZERO


@dataclass(frozen=True)
class Overdue:
    """How many posted invoices of a customer are overdue, and what is left on them
    (company currency)."""

    invoices: int
    residual: Decimal


def overdue_receivables(party, *, due_before: dt.date) -> Overdue:
    """The customer's posted invoices still open that fell due before `due_before`
    (one query)."""
    found = OpenItem.objects.filter(
        party=party,
        account__role=AccountRole.RECEIVABLE,
        invoice__isnull=False,
        residual__gt=0,
        due_date__lt=due_before,
    ).aggregate(invoices=Count("invoice", distinct=True), residual=Sum("residual"))
    return Overdue(found["invoices"], found["residual"] or ZERO)


def deliveries_of(order: SalesOrder) -> QuerySet[Transfer]:
    """The order's delivery transfers (the first and its backorders)."""
    return Transfer.objects.filter(
        origin_type__app_label="sales",
        origin_type__model="salesorder",
        origin_id=str(order.pk),
        kind=Transfer.Kind.DELIVERY,
    )


def done_by_product(transfers: QuerySet[Transfer]) -> dict[int, Decimal]:
    """Quantity done per product on `transfers` (one query)."""
    rows = (
        StockMove.objects.filter(transfer__in=transfers, status=Transfer.Status.DONE)
        .values("product_id")
        .annotate(done=Sum("quantity_done"))
        .order_by()
    )
    return {row["product_id"]: row["done"] for row in rows}


def delivered_by_order(order_ids) -> dict[int, dict[int, Decimal]]:
    """Quantity done per product on the deliveries of each order (one query)."""
    rows = (
        StockMove.objects.filter(
            transfer__origin_type__app_label="sales",
            transfer__origin_type__model="salesorder",
            transfer__origin_id__in=[str(pk) for pk in order_ids],
            transfer__kind=Transfer.Kind.DELIVERY,
            status=Transfer.Status.DONE,
        )
        .values("transfer__origin_id", "product_id")
        .annotate(done=Sum("quantity_done"))
        .order_by()
    )
    found: dict[int, dict[int, Decimal]] = {}
    for row in rows:
        found.setdefault(int(row["transfer__origin_id"]), {})[row["product_id"]] = row["done"]
    return found


def invoices_of(order: SalesOrder) -> QuerySet[Invoice]:
    return Invoice.objects.filter(sales_order_link__order=order)


def payment_states_by_order(order_ids) -> dict[int, list[str]]:
    """The payment status of each live invoice drawn from each order (one query)."""
    found: dict[int, list[str]] = {}
    rows = (
        OrderInvoice.objects.filter(order_id__in=order_ids)
        .exclude(invoice__status=Invoice.Status.CANCELLED)  # cancelled: asks nothing
        .values_list("order_id", "invoice__payment_status")
    )
    for order_id, state in rows:
        found.setdefault(order_id, []).append(state)
    return found


def order_ids_of_invoices(invoice_ids) -> list[int]:
    """The orders the invoices were drawn from (a grouped invoice has several)."""
    return sorted(
        set(
            OrderInvoice.objects.filter(invoice_id__in=invoice_ids).values_list(
                "order_id", flat=True
            )
        )
    )


def unpaid_invoice_ids(order_ids) -> list[int]:
    """The customer invoices drawn from the orders that are not fully paid."""
    return sorted(
        set(
            OrderInvoice.objects.filter(order_id__in=list(order_ids))
            .exclude(invoice__payment_status=Invoice.PaymentStatus.PAID)
            .exclude(invoice__status=Invoice.Status.CANCELLED)
            .values_list("invoice_id", flat=True)
        )
    )


def bank_journal(company) -> Journal | None:
    """The company's first active bank journal (where batch payments go)."""
    return (
        Journal.objects.filter(company=company, kind=Journal.Kind.BANK, active=True)
        .order_by("pk")
        .first()
    )


def returns_visible_to(user) -> QuerySet[ReturnAuthorisation]:
    """Every return of the user's company for managers and accountants; a rep's own."""
    found = ReturnAuthorisation.objects.filter(company_id=user.company_id).select_related(
        "party", "owner", "order", "credit_note"
    )
    return found if sees_all(user) else found.filter(owner=user)


def return_transfers_of(rma: ReturnAuthorisation) -> QuerySet[Transfer]:
    """The return's incoming transfers from the customer (the first and any backorder)."""
    return Transfer.objects.filter(
        origin_type__app_label="sales",
        origin_type__model="returnauthorisation",
        origin_id=str(rma.pk),
    )


def received_by_product(rma: ReturnAuthorisation) -> dict[int, Decimal]:
    """Quantity that came back per product on the return's transfers (one query)."""
    return done_by_product(return_transfers_of(rma))


def pending_returns(order: SalesOrder, *, excluding: int | None = None) -> dict[int, Decimal]:
    """Per order line, what draft and approved returns (but `excluding`) expect back."""
    rows = (
        ReturnLine.objects.filter(
            rma__order=order,
            rma__status__in=[
                ReturnAuthorisation.Status.DRAFT,
                ReturnAuthorisation.Status.APPROVED,
            ],
        )
        .exclude(rma_id=excluding)
        .values("order_line_id")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    return {row["order_line_id"]: row["quantity"] for row in rows}


def open_invoices_of(order: SalesOrder) -> QuerySet[Invoice]:
    """The order's posted invoices with something left to pay, oldest first."""
    return (
        invoices_of(order)
        .filter(status=Invoice.Status.POSTED, kind=Invoice.Kind.CUSTOMER_INVOICE)
        .exclude(payment_status=Invoice.PaymentStatus.PAID)
        .order_by("date", "id")
    )


def down_payments_outstanding(order: SalesOrder) -> Decimal:
    """Untaxed down payments invoiced on the order and not yet deducted (one query)."""
    total = (
        OrderInvoice.objects.filter(order=order)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .aggregate(total=Sum("down_payment"))["total"]
    )
    return total or ZERO
