"""Customer returns (RMA): authorise delivered goods to come back, receive them
through an incoming return transfer, and credit exactly what came back at the
order's prices and taxes; the credit settles the order's open invoice, else stays
with the customer or is refunded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from keel.accounting.models import Invoice, OpenItem, Payment
from keel.accounting.services import invoices as accounting_invoices
from keel.accounting.services.payments import register_payment
from keel.accounting.services.reconciliation import reconcile_documents
from keel.core.errors import InvalidInput, PermissionRefused, TransitionNotAllowed
from keel.core.events import publish
from keel.core.money import amount_text, format_money
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.inventory.models import Location, Transfer
from keel.inventory.services import transfers, validation
from keel.inventory.services.locations import virtual_location

from ..errors import ReturnAlreadyCredited, ReturnExceedsDelivered, ReturnNotInvoiced
from ..events import ReturnCredited
from ..models import ReturnAuthorisation, ReturnLine, SalesOrder, SalesOrderLine
from ..permissions import APPROVE_RETURN_PERMISSION, CREDIT_RETURN_PERMISSION
from ..selectors import (
    invoices_of,
    open_invoices_of,
    pending_returns,
    received_by_product,
    return_transfers_of,
)
from .common import ZERO, decimal_of, invoice_line, lock, number, open_quantities
from .quotations import check_owner

Status = ReturnAuthorisation.Status
OPEN_TRANSFER = [Transfer.Status.WAITING, Transfer.Status.READY]


def _lock(rma_id: int) -> ReturnAuthorisation:
    return lock(ReturnAuthorisation, rma_id, label="Return")


def _require(user, permission: str, what: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionRefused(f"You may not {what}; ask a sales manager.")


def _check_returnable(
    order: SalesOrder, line: SalesOrderLine, quantity: Decimal, pending: Decimal, field: str
) -> None:
    """At most what was delivered, less what came back or is expected on other returns;
    and only what was invoiced, since the credit note credits an invoice."""
    if line.quantity_delivered <= 0:
        raise ReturnExceedsDelivered(
            f"{line.product} on {order} has not been delivered; only delivered goods can "
            "be returned.",
            field=field,
        )
    returnable = line.quantity_delivered - line.quantity_returned - pending
    if quantity > returnable:
        raise ReturnExceedsDelivered(
            f"Only {returnable.normalize():f} of {line.product} on {order} can be returned "
            f"({line.quantity_delivered.normalize():f} delivered, "
            f"{(line.quantity_returned + pending).normalize():f} returned or on open "
            f"returns); {quantity.normalize():f} asked.",
            field=field,
        )
    creditable = line.quantity_invoiced - line.quantity_returned - pending
    if quantity > creditable:
        raise ReturnNotInvoiced(
            f"Only {max(creditable, ZERO).normalize():f} of {line.product} on {order} are "
            "invoiced and not yet returned; invoice the order before taking the rest back.",
            field=field,
        )


@atomic_service
def create_return(
    order_id: int,
    *,
    lines: list[dict],
    reason: str,
    settlement: str = ReturnAuthorisation.Settlement.CREDIT,
    on_date: dt.date | None = None,
    by=None,
) -> ReturnAuthorisation:
    """A draft return (RMA/00001) of delivered lines of the order, each
    `{"line": order line id, "quantity": Decimal}`."""
    order = lock(SalesOrder, order_id, label="Sales order")
    check_owner(order, by, "take a return of")
    if order.status not in (SalesOrder.Status.CONFIRMED, SalesOrder.Status.DONE):
        raise TransitionNotAllowed(
            f"{order} is {order.get_status_display().lower()}; only goods of a confirmed "
            "order can be returned.",
            field="order",
        )
    if not (reason or "").strip():
        raise InvalidInput("Say why the customer returns the goods.", field="reason")
    if settlement not in ReturnAuthorisation.Settlement.values:
        raise InvalidInput(f"Unknown settlement '{settlement}'.", field="settlement")
    if not lines:
        raise InvalidInput("A return needs at least one line.", field="lines")
    order_lines = {line.pk: line for line in order.lines.select_related("product")}
    pending = pending_returns(order)
    parsed: dict[int, tuple[SalesOrderLine, Decimal]] = {}
    for position, raw in enumerate(lines, 1):
        field = f"lines[{position}]"
        line = order_lines.get(_int_or_none(raw.get("line")))
        if line is None:
            raise InvalidInput(f"Line {position}: {order} has no such line.", field=field)
        if line.pk in parsed:
            raise InvalidInput(
                f"Line {position}: {line.product} is listed twice; return it on one line.",
                field=field,
            )
        quantity = decimal_of(
            raw.get("quantity"), field=f"{field}.quantity", label="A returned quantity"
        )
        _check_returnable(order, line, quantity, pending.get(line.pk, ZERO), f"{field}.quantity")
        parsed[line.pk] = (line, quantity)
    rma = ReturnAuthorisation.objects.create(
        company=order.company,
        number=number(order.company, "return", "RMA/"),
        order=order,
        party=order.party,
        owner=order.owner,
        return_date=on_date or timezone.localdate(),
        reason=reason.strip()[:300],
        settlement=settlement,
        created_by=by,
        updated_by=by,
    )
    ReturnLine.objects.bulk_create(
        [
            ReturnLine(rma=rma, order_line=line, product=line.product, quantity=quantity)
            for line, quantity in parsed.values()
        ]
    )
    return rma


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@atomic_service
def approve(rma_id: int, *, by=None) -> ReturnAuthorisation:
    """The customer may send the goods: an incoming return transfer (customer ->
    the order's warehouse) waits for them."""
    rma = _lock(rma_id)
    _require(by, APPROVE_RETURN_PERMISSION, f"approve {rma}")
    if rma.status != Status.DRAFT:
        transition(rma, Status.APPROVED, by=by)  # refuses with the reason
    order = lock(SalesOrder, rma.order_id, label="Sales order")
    lines = list(rma.lines.select_related("order_line__product"))
    pending = pending_returns(order, excluding=rma.pk)
    for position, line in enumerate(lines, 1):
        _check_returnable(
            order,
            line.order_line,
            line.quantity,
            pending.get(line.order_line_id, ZERO),
            f"lines[{position}].quantity",
        )
    incoming = transfers.create_transfer(
        rma.company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=order.warehouse,
        source=virtual_location(rma.company, Location.Usage.CUSTOMER),
        destination=order.warehouse.stock_location,
        scheduled_date=rma.return_date,
        partner=rma.party,
        origin=rma,
        note=f"{rma}: return from {rma.party} of {order}",
        lines=[{"product": line.product, "quantity": line.quantity} for line in lines],
        by=by,
    )
    transfers.confirm(incoming.pk, by=by)
    transition(rma, Status.APPROVED, by=by, note=f"Return transfer {incoming}")
    return rma


@atomic_service
def receive(
    rma_id: int, *, quantities: dict | None = None, on_date: dt.date | None = None, by=None
) -> ReturnAuthorisation:
    """Validate the return transfer: `quantities` {product id: quantity} that came back
    (all that was authorised without it). The transfer's handler records and credits."""
    rma = _lock(rma_id)
    check_owner(rma, by, "receive")
    if rma.status != Status.APPROVED:
        transition(rma, Status.RECEIVED, by=by)  # refuses with the reason
    incoming = return_transfers_of(rma).filter(status__in=OPEN_TRANSFER).order_by("id").first()
    if incoming is None:
        raise InvalidInput(f"{rma} has nothing left to receive.", code="nothing_to_receive")
    done = open_quantities(incoming, quantities, label="A returned quantity")
    validation.validate(incoming.pk, done=done, on_date=on_date, by=by)
    return _lock(rma.pk)


@atomic_service
def record_receipt(rma_id: int, *, transfer_id: int) -> ReturnAuthorisation:
    """The return transfer `transfer_id` is done: what came back is recorded on the
    return, what did not come is no longer expected (its backorder is cancelled), and
    the return is credited on the day and in the name of whoever validated it."""
    rma = _lock(rma_id)
    if rma.status != Status.APPROVED:
        return rma  # a replayed event: already recorded
    done = Transfer.objects.select_related("updated_by").get(pk=transfer_id)
    by = done.updated_by
    received = received_by_product(rma)
    lines = list(rma.lines.all())
    for line in lines:
        line.quantity_received = min(received.get(line.product_id, ZERO), line.quantity)
    ReturnLine.objects.bulk_update(lines, ["quantity_received"])
    for left in return_transfers_of(rma).filter(status__in=OPEN_TRANSFER):
        transfers.cancel(left.pk, by=by, reason=f"{rma}: the rest did not come back")
    transition(rma, Status.RECEIVED, by=by)
    return _credit(rma, on_date=done.done_date, by=by)


@atomic_service
def credit(rma_id: int, *, on_date: dt.date | None = None, by=None) -> ReturnAuthorisation:
    """Credit a received return (receiving credits it already; this is the step for
    one whose credit was held back). Refused once credited."""
    rma = _lock(rma_id)
    check_owner(rma, by, "credit")
    _require(by, CREDIT_RETURN_PERMISSION, f"credit {rma}")
    if rma.status == Status.CREDITED:
        raise ReturnAlreadyCredited(
            f"{rma} was already credited by {rma.credit_note}; a return is credited once.",
            field="status",
        )
    if rma.status != Status.RECEIVED:
        transition(rma, Status.CREDITED, by=by)  # refuses with the reason
    return _credit(rma, on_date=on_date, by=by)


def _credit(rma: ReturnAuthorisation, *, on_date: dt.date | None, by) -> ReturnAuthorisation:
    """A posted credit note for what came back at the order's net prices and taxes,
    settled against the order's open invoices; what is left is refunded when the
    return says so, else kept as the customer's credit."""
    on_date = on_date or timezone.localdate()
    order = lock(SalesOrder, rma.order_id, label="Sales order")
    lines = [
        line
        for line in rma.lines.select_related("order_line__product").prefetch_related(
            "order_line__taxes"
        )
        if line.quantity_received > 0
    ]
    invoice = (
        invoices_of(order)
        .filter(status=Invoice.Status.POSTED, kind=Invoice.Kind.CUSTOMER_INVOICE)
        .order_by("-date", "-id")
        .first()
    )
    if not lines:
        raise InvalidInput(f"Nothing of {rma} came back to credit.", code="nothing_to_credit")
    if invoice is None:
        raise ReturnNotInvoiced(
            f"{order} has no posted invoice for {rma} to credit; invoice the order first.",
            field="order",
        )
    note = accounting_invoices.credit_note_for(
        invoice.pk,
        date=on_date,
        by=by,
        lines=[
            invoice_line(
                line.order_line,
                line.quantity_received,
                description=f"{rma}: {line.order_line.description}",
            )
            for line in lines
        ],
    )
    note = accounting_invoices.post_invoice(note.pk, by=by)
    for line in lines:
        line.order_line.quantity_returned += line.quantity_received
    SalesOrderLine.objects.bulk_update([line.order_line for line in lines], ["quantity_returned"])
    open_ids = list(open_invoices_of(order).values_list("pk", flat=True))
    if open_ids:
        reconcile_documents([*open_ids, note.pk], date=on_date, by=by)
    left = -sum(
        (item.residual_currency for item in OpenItem.objects.filter(invoice=note)), Decimal(0)
    )
    rma.credit_note = note
    rma.amount_credited = note.amount_total
    rma.amount_applied = note.amount_total - left
    if left > 0 and rma.settlement == ReturnAuthorisation.Settlement.REFUND:
        rma.refund = register_payment(
            rma.company,
            party=rma.party,
            amount=left,
            date=on_date,
            direction=Payment.Direction.OUTBOUND,
            invoices=[note.pk],
            currency=note.currency,
            memo=f"Refund of {rma}",
            by=by,
        )
        rma.amount_refunded = left
    rma.save(
        update_fields=[
            "credit_note",
            "refund",
            "amount_credited",
            "amount_applied",
            "amount_refunded",
        ]
    )
    transition(
        rma,
        Status.CREDITED,
        by=by,
        note=f"{note}: {format_money(note.amount_total, note.currency, symbol=True)}",
    )
    publish(
        ReturnCredited(
            return_id=rma.pk,
            number=rma.number,
            order_id=order.pk,
            credit_note_id=note.pk,
            total=amount_text(rma.amount_credited, note.currency),
            applied=amount_text(rma.amount_applied, note.currency),
            refunded=amount_text(rma.amount_refunded, note.currency),
            currency=note.currency,
        ),
        company=rma.company,
    )
    return rma


@atomic_service
def cancel(rma_id: int, *, by=None, reason: str = "") -> ReturnAuthorisation:
    """A draft or approved return is called off; its waiting transfer is cancelled."""
    rma = _lock(rma_id)
    check_owner(rma, by, "cancel")
    if rma.status not in (Status.DRAFT, Status.APPROVED):
        transition(rma, Status.CANCELLED, by=by)  # refuses with the reason
    for waiting in return_transfers_of(rma).filter(status__in=OPEN_TRANSFER):
        transfers.cancel(waiting.pk, by=by, reason=f"{rma} cancelled")
    transition(rma, Status.CANCELLED, by=by, note=reason)
    return rma
