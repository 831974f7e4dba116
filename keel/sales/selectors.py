"""Reads of the sales domain: what a rep may see, what the warehouse can promise for
a quotation's lines, what a customer owes, and what an order has delivered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from keel.accounting.models import AccountRole, Invoice, Journal, OpenItem
from keel.inventory.models import StockMove, Transfer
from keel.inventory.selectors.atp import positions_of

from .models import OrderInvoice, Quotation, SalesOrder, SalesSettings
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


def promises_for(warehouse, wanted: list[tuple], on_date: dt.date) -> list[Promise]:
    """For each (product, quantity): available to promise on `on_date` and the
    earliest date from which the quantity stays promisable; two queries for all."""
    found = positions_of([p for p, _ in wanted], [warehouse])
    result = []
    for product, quantity in wanted:
        position = found[(product.pk, warehouse.pk)]
        dates = sorted({on_date} | {m.date for m in position.moves if m.date > on_date})
        earliest = None
        # From the last date back: the first date after which it never dips below.
        for day in reversed(dates):
            if position.available_on(day) < quantity:
                break
            earliest = day
        result.append(Promise(position.available_on(on_date), earliest))
    return result


def open_receivables(party) -> Decimal:
    """What `party` still owes on posted receivables, in the company's currency."""
    total = OpenItem.objects.filter(
        party=party, account__role=AccountRole.RECEIVABLE, residual__gt=0
    ).aggregate(total=Sum("residual"))["total"]
    return total or ZERO


def deliveries_of(order: SalesOrder) -> QuerySet[Transfer]:
    """The order's delivery transfers (the first and its backorders)."""
    return Transfer.objects.filter(
        origin_type__app_label="sales",
        origin_type__model="salesorder",
        origin_id=str(order.pk),
        kind=Transfer.Kind.DELIVERY,
    )


def delivered_by_product(order: SalesOrder) -> dict[int, Decimal]:
    """Quantity done per product on the order's deliveries (one query)."""
    rows = (
        StockMove.objects.filter(transfer__in=deliveries_of(order), status=Transfer.Status.DONE)
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
    """The payment status of each invoice drawn from each order (one query)."""
    found: dict[int, list[str]] = {}
    rows = OrderInvoice.objects.filter(order_id__in=order_ids).values_list(
        "order_id", "invoice__payment_status"
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
