"""Sales orders: confirm a quotation (credit check, opportunity won, delivery
reserved), release a credit hold, deliver, invoice (on ordered or delivered
quantities) and the progress that follows deliveries, invoices and payments."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Collection

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from keel.accounting.models import Invoice
from keel.accounting.services import invoices as accounting_invoices
from keel.core.errors import InvalidInput, PermissionRefused, TransitionNotAllowed
from keel.core.events import publish
from keel.core.money import amount_text
from keel.core.transactions import atomic_service
from keel.core.workflow import record_start, transition
from keel.crm.services import opportunities
from keel.inventory.errors import InsufficientStock
from keel.inventory.models import Transfer
from keel.inventory.services import transfers, validation

from ..errors import NotDelivered, NothingToInvoice, NotOnHold, QuotationExpired
from ..events import OrderConfirmed, OrderDelivered, OrderPaid
from ..models import (
    InvoicedQuantity,
    InvoicingPolicy,
    Progress,
    Quotation,
    SalesOrder,
    SalesOrderLine,
)
from ..permissions import RELEASE_PERMISSION
from ..selectors import (
    BOUGHT_ON_ORDER,
    delivered_by_order,
    deliveries_of,
    payment_states_by_order,
    settings_of,
)
from . import credit, down_payments
from .buying import buy_for
from .common import (
    ZERO,
    invoice_line,
    link_invoice,
    lock,
    number,
    open_quantities,
    record_billed,
    require_confirmed,
)
from .quotations import check_owner, require_sendable

Status = SalesOrder.Status


def _lock(order_id: int) -> SalesOrder:
    return lock(SalesOrder, order_id, label="Sales order")


@atomic_service
def confirm(quotation_id: int, *, by=None, on_date: dt.date | None = None) -> SalesOrder:
    """A sent (or draft) quotation, still valid, becomes an order (SO/00001). The credit
    check (limit, overdue invoices) creates it on hold with the reason; otherwise its
    delivery is reserved (refused when stock promised for today cannot be set aside
    in full, with the company's `refuse_unreservable`) and what is bought on order
    gets draft purchase orders. The quotation's opportunity is marked won."""
    on_date = on_date or timezone.localdate()
    quotation = lock(Quotation, quotation_id, label="Quotation")
    check_owner(quotation, by, "confirm")
    if quotation.status not in (Quotation.Status.DRAFT, Quotation.Status.SENT):
        raise TransitionNotAllowed(
            f"{quotation} is {quotation.get_status_display().lower()}; only a draft or sent "
            "quotation can be confirmed.",
            field="status",
        )
    if on_date > quotation.valid_until:
        raise QuotationExpired(
            f"{quotation} expired on {quotation.valid_until.isoformat()}; quote again with "
            "today's prices and stock.",
            field="valid_until",
        )
    require_sendable(quotation)
    lines = list(
        quotation.lines.select_related("product").prefetch_related("taxes").order_by("sequence")
    )
    order = SalesOrder(
        company=quotation.company,
        number=number(quotation.company, "order", "SO/"),
        quotation=quotation,
        party=quotation.party,
        owner=quotation.owner,
        warehouse=quotation.warehouse,
        currency=quotation.currency,
        order_date=on_date,
        invoicing_policy=quotation.invoicing_policy,
        amount_untaxed=quotation.amount_untaxed,
        amount_tax=quotation.amount_tax,
        amount_total=quotation.amount_total,
        created_by=by,
        updated_by=by,
    )
    reason = credit.hold_reason(order, on_date)
    if reason:
        order.status, order.hold_reason = Status.ON_HOLD, reason[:300]
    order.save(force_insert=True)
    record_start(order, by=by, note=reason or f"From {quotation}")
    records = SalesOrderLine.objects.bulk_create(
        [
            SalesOrderLine(
                order=order,
                sequence=line.sequence,
                product=line.product,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                subtotal=line.subtotal,
            )
            for line in lines
        ]
    )
    through = SalesOrderLine.taxes.through
    through.objects.bulk_create(
        [
            through(salesorderline_id=record.pk, tax_id=tax.pk)
            for record, line in zip(records, lines, strict=True)
            for tax in line.taxes.all()
        ]
    )
    transition(quotation, Quotation.Status.CONFIRMED, by=by, note=f"Became {order}")
    if quotation.opportunity_id is not None:
        if quotation.opportunity.amount <= 0:
            # A deal quoted before anyone estimated it is won at what was sold.
            opportunities.update_opportunity(
                quotation.opportunity_id, by=by, amount=quotation.amount_untaxed
            )
        opportunities.win(quotation.opportunity_id, by=by)
    if order.status == Status.CONFIRMED:
        promised_now = {
            line.product_id
            for line in lines
            if line.promise_date is not None
            and line.promise_date <= on_date
            and line.product.supply_route not in BOUGHT_ON_ORDER
        }
        refuse = settings_of(order.company).refuse_unreservable
        _reserve_delivery(order, by=by, in_full=promised_now if refuse else set())
        buy_for(order, records, by=by)
    publish(
        OrderConfirmed(
            order_id=order.pk,
            number=order.number,
            party_id=order.party_id,
            total=amount_text(order.amount_total, order.currency),
            currency=order.currency,
            on_hold=order.status == Status.ON_HOLD,
        ),
        company=order.company,
    )
    return order


def _reserve_delivery(order: SalesOrder, *, by, in_full: Collection[int] = ()) -> Transfer:
    """The order's delivery waits in the warehouse, with what is on hand set aside
    (the rest is reserved as stock arrives). Refused when a product of `in_full`
    (promised for today) cannot be set aside in full now: the stock level rows are
    locked while reserving, so concurrent confirmations never promise the same unit."""
    lines = list(order.lines.select_related("product").order_by("sequence"))
    delivery = transfers.create_transfer(
        order.company,
        kind=Transfer.Kind.DELIVERY,
        warehouse=order.warehouse,
        scheduled_date=order.order_date,
        partner=order.party,
        origin=order,
        note=f"{order} to {order.party}",
        lines=[{"product": line.product, "quantity": line.quantity} for line in lines],
        by=by,
    )
    transfers.confirm(delivery.pk, by=by)
    # Nothing at all there yet is no error: an order may wait for stock (unless below).
    with contextlib.suppress(InsufficientStock):
        transfers.reserve(delivery.pk, by=by)
    if in_full:
        for move in delivery.moves.select_related("product").order_by("sequence"):
            if move.product_id in in_full and move.quantity_reserved < move.quantity:
                raise InsufficientStock(
                    f"{order.quotation} cannot be confirmed now: only "
                    f"{move.quantity_reserved.normalize():f} of {move.quantity.normalize():f} "
                    f"units of {move.product} are available; quote a later promise date or "
                    "confirm again when stock arrives.",
                    field="lines",
                )
    return delivery


@atomic_service
def release_hold(order_id: int, *, by, note: str = "") -> SalesOrder:
    """on credit hold -> confirmed, by someone allowed to (a sales manager or an
    accountant), with the note kept; its delivery is then reserved."""
    order = _lock(order_id)
    if by is None or not by.has_perm(RELEASE_PERMISSION):
        raise PermissionRefused(
            f"Only a sales manager or an accountant can release {order} from credit hold.",
            code="release_not_allowed",
        )
    if order.status != Status.ON_HOLD:
        raise NotOnHold(f"{order} is not on credit hold.", field="status")
    order.released_by, order.released_at = by, timezone.now()
    order.release_note = note[:500]
    order.save(update_fields=["released_by", "released_at", "release_note"])
    transition(order, Status.CONFIRMED, by=by, note=f"Released from hold: {note}".strip())
    _reserve_delivery(order, by=by)
    buy_for(order, list(order.lines.select_related("product").order_by("sequence")), by=by)
    return order


@atomic_service
def deliver(
    order_id: int, *, quantities: dict | None = None, on_date: dt.date | None = None, by=None
) -> SalesOrder:
    """Validate the order's open delivery: `quantities` {product id: quantity} (all
    that is reserved without it); what is left stays on a backorder."""
    order = _lock(order_id)
    check_owner(order, by, "deliver")
    require_confirmed(order, "delivered")
    open_delivery = (
        deliveries_of(order)
        .filter(status__in=[Transfer.Status.WAITING, Transfer.Status.READY])
        .order_by("id")
        .first()
    )
    if open_delivery is None:
        raise InvalidInput(f"{order} has nothing left to deliver.", code="nothing_to_deliver")
    done = open_quantities(open_delivery, quantities, label="A delivered quantity")
    # Validating publishes TransferDone, whose handler already counted the delivery
    # on the order (refresh_progress) in this transaction.
    validation.validate(open_delivery.pk, done=done, on_date=on_date, by=by)
    return _lock(order.pk)


def invoiceable(order: SalesOrder, line: SalesOrderLine):
    """What of `line` can still be invoiced under the order's policy."""
    base = (
        line.quantity
        if order.invoicing_policy == InvoicingPolicy.ORDERED
        else line.quantity_delivered
    )
    return max(base - line.quantity_invoiced, ZERO)


@atomic_service
def invoice(
    order_id: int, *, lines: list[int] | None = None, on_date: dt.date | None = None, by=None
) -> Invoice:
    """A posted customer invoice for what can be invoiced of the order (of `lines`,
    by line id, when given): on ordered quantities, all not yet invoiced; on
    delivered quantities, what was delivered and not yet invoiced."""
    on_date = on_date or timezone.localdate()
    order = _lock(order_id)
    check_owner(order, by, "invoice")
    require_confirmed(order, "invoiced")
    refresh_progress(order.pk, by=by)
    all_lines = list(order.lines.select_related("product").prefetch_related("taxes"))
    chosen = all_lines
    if lines is not None:
        by_id = {line.pk: line for line in all_lines}
        unknown = [pk for pk in lines if pk not in by_id]
        if unknown:
            raise InvalidInput(f"{order} has no line {unknown[0]}.", field="lines")
        chosen = [by_id[pk] for pk in lines]
        for line in chosen:
            if invoiceable(order, line) <= 0:
                if order.invoicing_policy == InvoicingPolicy.DELIVERED:
                    raise NotDelivered(
                        f"{order} is invoiced on delivered quantities and nothing more of "
                        f"{line.product} has been delivered ({line.quantity_delivered} "
                        f"delivered, {line.quantity_invoiced} invoiced).",
                        field="lines",
                    )
                raise NothingToInvoice(f"{line.product} on {order} is fully invoiced.", "lines")
    billed = [(line, invoiceable(order, line)) for line in chosen]
    billed = [(line, quantity) for line, quantity in billed if quantity > 0]
    if not billed:
        raise NothingToInvoice(
            f"{order} has nothing to invoice"
            + (" (nothing delivered yet)." if order.invoicing_policy == "delivered" else "."),
            field="lines",
        )
    # Down payments invoiced earlier come off this invoice as a negative line.
    deduction, deducted = down_payments.deduction_for(order, billed)
    document = accounting_invoices.create_invoice(
        order.company,
        party=order.party,
        date=on_date,
        currency=order.currency,
        ref=order.number,
        lines=[invoice_line(line, quantity) for line, quantity in billed] + deduction,
        by=by,
    )
    document = accounting_invoices.post_invoice(document.pk, by=by)
    link_invoice(order, document, down_payment=-deducted)
    record_billed([(document, line, quantity) for line, quantity in billed])
    refresh_progress(order.pk, by=by)
    return document


@atomic_service
def release_cancelled_invoice(invoice_id: int, *, by=None) -> list[SalesOrder]:
    """Accounting cancelled a customer invoice of orders: what it billed counts as not
    invoiced again on each order line (so it can be invoiced anew) and the orders read
    their invoice and payment status without it."""
    billed = list(
        InvoicedQuantity.objects.filter(invoice_id=invoice_id)
        .select_related("order_line")
        .order_by("order_line__order_id", "order_line_id")
    )
    order_ids = sorted({row.order_line.order_id for row in billed})
    locked = {
        order.pk: order
        for order in SalesOrder.objects.select_for_update(of=("self",))
        .filter(pk__in=order_ids)
        .order_by("pk")
    }
    lines = {}
    for row in billed:
        line = lines.setdefault(row.order_line_id, row.order_line)
        line.quantity_invoiced -= row.quantity
    SalesOrderLine.objects.bulk_update(list(lines.values()), ["quantity_invoiced"])
    InvoicedQuantity.objects.filter(invoice_id=invoice_id).delete()
    return refresh_many(order_ids, by=by, locked=locked)


def _progress(done, wanted) -> str:
    if done <= 0:
        return Progress.NOTHING
    return Progress.FULL if done >= wanted else Progress.PARTIAL


@atomic_service
def refresh_progress(order_id: int, *, by=None) -> SalesOrder:
    """Delivered quantities from the deliveries, the delivery, invoice and payment
    status that follow (payment read from accounting), and done when all three are."""
    order = _lock(order_id)
    if order.status in (Status.ON_HOLD, Status.CANCELLED):
        return order
    refresh_many([order.pk], by=by, locked={order.pk: order})
    return order


@atomic_service
def refresh_many(order_ids, *, by=None, locked: dict | None = None) -> list[SalesOrder]:
    """refresh_progress for many orders in a fixed number of queries (plus one
    transition per order that becomes done)."""
    ids = sorted(set(order_ids))
    locked = locked or {}
    missing = [pk for pk in ids if pk not in locked]
    if missing:
        found = SalesOrder.objects.select_for_update().filter(pk__in=missing).order_by("pk")
        locked = {**locked, **{order.pk: order for order in found}}
    orders = [
        locked[pk]
        for pk in ids
        if pk in locked and locked[pk].status not in (Status.ON_HOLD, Status.CANCELLED)
    ]
    if not orders:
        return []
    lines_of: dict[int, list[SalesOrderLine]] = {}
    for line in SalesOrderLine.objects.filter(order__in=[o.pk for o in orders]):
        lines_of.setdefault(line.order_id, []).append(line)
    delivered = delivered_by_order([o.pk for o in orders])
    states = payment_states_by_order([o.pk for o in orders])
    changed_lines, changed_orders, done, was = [], [], [], {}
    fields = ["delivery_status", "invoice_status", "payment_status"]
    for order in orders:
        lines = lines_of.get(order.pk, [])
        for line in lines:
            quantity = delivered.get(order.pk, {}).get(line.product_id, ZERO)
            if quantity != line.quantity_delivered:
                line.quantity_delivered = quantity
                changed_lines.append(line)
        before = [getattr(order, field) for field in fields]
        was[order.pk] = (order.delivery_status, order.payment_status)
        _derive_progress(order, lines, states.get(order.pk, []))
        if [getattr(order, field) for field in fields] != before:
            changed_orders.append(order)
        if (
            order.status == Status.CONFIRMED
            and order.delivery_status == Progress.FULL
            and order.invoice_status == Progress.FULL
            and order.payment_status == SalesOrder.PaymentStatus.PAID
        ):
            done.append(order)
    SalesOrderLine.objects.bulk_update(changed_lines, ["quantity_delivered"])
    if changed_orders:
        bulk_update_with_history(changed_orders, SalesOrder, fields, default_user=by)
    for order in changed_orders:
        _announce_progress(order, was[order.pk])
    for order in done:
        transition(order, Status.DONE, by=by)
    return orders


def _derive_progress(order: SalesOrder, lines: list[SalesOrderLine], states: list[str]) -> None:
    """Delivery and invoice status from the lines, payment status from the invoices."""
    ordered = sum((line.quantity for line in lines), ZERO)
    order.delivery_status = _progress(
        sum((min(line.quantity_delivered, line.quantity) for line in lines), ZERO), ordered
    )
    order.invoice_status = _progress(
        sum((min(line.quantity_invoiced, line.quantity) for line in lines), ZERO), ordered
    )
    paid = Invoice.PaymentStatus.PAID
    if states and all(state == paid for state in states):
        order.payment_status = (
            SalesOrder.PaymentStatus.PAID
            if order.invoice_status == Progress.FULL
            else SalesOrder.PaymentStatus.PARTIAL
        )
    elif any(state != Invoice.PaymentStatus.NOT_PAID for state in states):
        order.payment_status = SalesOrder.PaymentStatus.PARTIAL
    else:
        order.payment_status = SalesOrder.PaymentStatus.NOT_PAID


def _announce_progress(order: SalesOrder, was: tuple[str, str]) -> None:
    """Publish OrderDelivered and OrderPaid the moment the order becomes so."""
    delivered, paid = Progress.FULL, SalesOrder.PaymentStatus.PAID
    if order.delivery_status == delivered and was[0] != delivered:
        publish(
            OrderDelivered(order_id=order.pk, number=order.number, party_id=order.party_id),
            company=order.company,
        )
    if order.payment_status == paid and was[1] != paid:
        publish(
            OrderPaid(
                order_id=order.pk,
                number=order.number,
                party_id=order.party_id,
                total=amount_text(order.amount_total, order.currency),
                currency=order.currency,
            ),
            company=order.company,
        )
