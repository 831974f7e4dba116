"""Returns to the vendor: goods of an order go back from the warehouse to the
supplier through an inventory delivery (valued out at their cost against stock
interim received); what of them was billed already is credited by a vendor credit
note at the order's price, so interim and payable stay right."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from keel.accounting.models import AccountRole, Invoice
from keel.accounting.selectors.chart import account_for_role
from keel.accounting.services import invoices
from keel.core.errors import InvalidInput
from keel.core.transactions import atomic_service
from keel.inventory.models import Location, Transfer
from keel.inventory.services import transfers, validation
from keel.inventory.services.locations import virtual_location

from ..errors import OrderNotReceivable
from ..models import BillMatch, BillMatchLine, PurchaseOrder
from .common import decimal_of, quantity_text
from .orders import _lock, refresh_progress

Status = PurchaseOrder.Status
RETURNABLE = (Status.CONFIRMED, Status.RECEIVED, Status.BILLED)


@atomic_service
def return_to_vendor(
    order_id: int,
    *,
    lines: list[dict],
    on_date: dt.date | None = None,
    reason: str,
    by=None,
) -> Transfer:
    """Send `lines` (`{"line", "quantity"}`) of what arrived back to the vendor; a
    quantity already billed is credited by a posted vendor credit note."""
    on_date = on_date or timezone.localdate()
    order = _lock(order_id)
    if order.status not in RETURNABLE:
        raise OrderNotReceivable(
            f"{order} is {order.get_status_display().lower()}; nothing of it can be returned.",
            field="status",
        )
    if not reason.strip():
        raise InvalidInput("Say why the goods go back.", code="reason_required", field="reason")
    if not lines:
        raise InvalidInput("Say what goes back.", field="lines")
    by_id = {line.pk: line for line in order.lines.select_related("product")}
    asked, seen = [], set()
    for position, raw in enumerate(lines, 1):
        line_id = getattr(raw.get("line"), "pk", raw.get("line"))
        line = by_id.get(line_id)
        if line is None or line_id in seen:
            raise InvalidInput(f"Entry {position}: not a line of {order}.", f"lines[{position}]")
        seen.add(line_id)
        quantity = decimal_of(raw.get("quantity"), field=f"lines[{position}].quantity")
        if quantity > line.quantity_received:
            raise InvalidInput(
                f"{line.product}: {quantity_text(quantity)} cannot go back; only "
                f"{quantity_text(line.quantity_received)} arrived on {order}.",
                code="more_than_received",
                field=f"lines[{position}].quantity",
            )
        asked.append((line, quantity))
    back = transfers.create_transfer(
        order.company,
        kind=Transfer.Kind.DELIVERY,
        warehouse=order.warehouse,
        destination=virtual_location(order.company, Location.Usage.SUPPLIER),
        partner=order.vendor,
        origin=order,
        scheduled_date=on_date,
        note=f"Return of {order} to {order.vendor}: {reason}",
        lines=[{"product": line.product, "quantity": quantity} for line, quantity in asked],
        by=by,
    )
    transfers.confirm(back.pk, by=by)
    transfers.reserve(back.pk, by=by)
    back = validation.validate(back.pk, on_date=on_date, by=by)
    credited = []
    for line, quantity in asked:
        # What stays billed may not exceed what stays received.
        over = line.quantity_billed - (line.quantity_received - quantity)
        if over > 0:
            credited.append((line, min(over, quantity)))
    if credited:
        _credit_note(order, credited, on_date, reason, by=by)
    refresh_progress(order.pk, by=by)
    return back


def _credit_note(order: PurchaseOrder, credited, on_date: dt.date, reason: str, *, by) -> None:
    interim = account_for_role(order.company, AccountRole.STOCK_INTERIM_RECEIVED)
    note = invoices.create_invoice(
        order.company,
        kind=Invoice.Kind.VENDOR_CREDIT_NOTE,
        party=order.vendor,
        date=on_date,
        currency=order.currency,
        ref=f"Return {order.number}",
        notes=reason,
        lines=[
            {
                "product": line.product,
                "description": f"{order}: {line.description} returned",
                "quantity": quantity,
                "unit_price": line.unit_price,
                "account": interim,
            }
            for line, quantity in credited
        ],
        by=by,
    )
    match = BillMatch.objects.create(
        company=order.company,
        order=order,
        bill=note,
        status=BillMatch.Status.MATCHED,
        created_by=by,
        updated_by=by,
    )
    BillMatchLine.objects.bulk_create(
        [
            BillMatchLine(match=match, order_line=line, quantity=q, unit_price=line.unit_price)
            for line, q in credited
        ]
    )
    invoices.post_invoice(note.pk, by=by)
