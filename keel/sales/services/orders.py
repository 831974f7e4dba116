"""Sales orders: confirm a quotation (credit check, opportunity won, delivery
reserved), release a credit hold, deliver, invoice (on ordered or delivered
quantities) and the progress that follows deliveries, invoices and payments."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from keel.accounting.models import Invoice
from keel.accounting.services import invoices as accounting_invoices
from keel.core.errors import InvalidInput, PermissionRefused, TransitionNotAllowed
from keel.core.events import publish
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.crm.services import opportunities
from keel.inventory.models import Transfer
from keel.inventory.selectors.atp import positions_of
from keel.inventory.services import transfers, validation

from ..errors import NotDelivered, NothingToInvoice, NotOnHold, OrderOnHold, QuotationExpired
from ..events import OrderConfirmed, OrderInvoiced
from ..models import (
    InvoicingPolicy,
    OrderInvoice,
    Progress,
    Quotation,
    SalesOrder,
    SalesOrderLine,
)
from ..permissions import RELEASE_PERMISSION
from ..selectors import (
    delivered_by_order,
    deliveries_of,
    open_receivables,
    payment_states_by_order,
)
from .common import ZERO, decimal_of, lock, money_text, number
from .quotations import check_owner, require_sendable

Status = SalesOrder.Status


def _lock(order_id: int) -> SalesOrder:
    return lock(SalesOrder, order_id, label="Sales order")


def credit_excess(order: SalesOrder):
    """By how much the customer's open receivables plus this order exceed its credit
    limit (None: no limit, or within it)."""
    limit = order.party.credit_limit
    if limit is None:
        return None
    excess = open_receivables(order.party) + order.amount_total - limit
    return excess if excess > 0 else None


@atomic_service
def confirm(quotation_id: int, *, by=None, on_date: dt.date | None = None) -> SalesOrder:
    """A sent (or draft) quotation, still valid, becomes an order (SO/00001). The credit
    check puts it on hold with the reason; otherwise its delivery is reserved. The
    quotation's opportunity is marked won."""
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
    lines = list(quotation.lines.prefetch_related("taxes").order_by("sequence"))
    order = SalesOrder.objects.create(
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
    excess = credit_excess(order)
    if excess is not None:
        order.status = Status.ON_HOLD
        order.hold_reason = (
            f"{order} exceeds {order.party}'s credit limit by {money_text(excess, order.currency)}"
        )
        order.save(update_fields=["status", "hold_reason"])
    else:
        _reserve_delivery(order, by=by)
    publish(
        OrderConfirmed(
            order_id=order.pk,
            number=order.number,
            party_id=order.party_id,
            total=str(order.amount_total),
            currency=order.currency,
            on_hold=order.status == Status.ON_HOLD,
        ),
        company=order.company,
    )
    return order


def _reserve_delivery(order: SalesOrder, *, by) -> Transfer:
    """The order's delivery waits in the warehouse, with what is on hand set aside
    (the rest is reserved as stock arrives)."""
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
    found = positions_of([line.product_id for line in lines], [order.warehouse])
    # reserve() refuses when nothing at all is there; an order may wait for stock.
    if any(spot.available > 0 for spot in found.values()):
        transfers.reserve(delivery.pk, by=by)
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
    return order


def require_confirmed(order: SalesOrder, verb: str) -> None:
    if order.status == Status.ON_HOLD:
        raise OrderOnHold(
            f"{order} is on credit hold ({order.hold_reason}); it cannot be {verb} until released.",
            field="status",
        )
    if order.status != Status.CONFIRMED:
        raise TransitionNotAllowed(
            f"{order} is {order.get_status_display().lower()}; it cannot be {verb}.",
            field="status",
        )


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
    done = None
    if quantities is not None:
        moves = {m.product_id: m for m in open_delivery.moves.all()}
        done = []
        for product_id, quantity in quantities.items():
            if product_id not in moves:
                raise InvalidInput(
                    f"{order} has nothing open of product {product_id}.", field="quantities"
                )
            quantity = decimal_of(
                quantity, field="quantities", allow_zero=True, label="A delivered quantity"
            )
            done.append({"move": moves[product_id].pk, "quantity": quantity})
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
    document = accounting_invoices.create_invoice(
        order.company,
        party=order.party,
        date=on_date,
        currency=order.currency,
        ref=order.number,
        lines=[
            {
                "product": line.product,
                "description": line.description,
                "quantity": quantity,
                "unit_price": line.unit_price,
                "discount": line.discount,
                "taxes": list(line.taxes.all()),
            }
            for line, quantity in billed
        ],
        by=by,
    )
    document = accounting_invoices.post_invoice(document.pk, by=by)
    OrderInvoice.objects.create(company=order.company, order=order, invoice=document)
    for line, quantity in billed:
        line.quantity_invoiced += quantity
    SalesOrderLine.objects.bulk_update([line for line, _ in billed], ["quantity_invoiced"])
    refresh_progress(order.pk, by=by)
    publish(
        OrderInvoiced(
            order_id=order.pk,
            number=order.number,
            invoice_id=document.pk,
            total=str(document.amount_total),
        ),
        company=order.company,
    )
    return document


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
    changed_lines, changed_orders, done = [], [], []
    fields = ["delivery_status", "invoice_status", "payment_status"]
    for order in orders:
        lines = lines_of.get(order.pk, [])
        for line in lines:
            quantity = delivered.get(order.pk, {}).get(line.product_id, ZERO)
            if quantity != line.quantity_delivered:
                line.quantity_delivered = quantity
                changed_lines.append(line)
        before = [getattr(order, field) for field in fields]
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
