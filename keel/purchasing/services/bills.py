"""Vendor bills drawn from purchase orders and matched three ways: what was ordered
(price), what was received (quantity) and what is billed. A bill within the
tolerance posts at once; beyond it, it waits as a draft on hold with the reason
until someone allowed to releases it. The bill's lines post to the stock interim
(received) account, which the receipts credited, against payable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from keel.accounting.models import AccountRole, Invoice
from keel.accounting.selectors.chart import account_for_role
from keel.accounting.services import invoices
from keel.core.errors import InvalidInput, PermissionRefused
from keel.core.events import publish
from keel.core.money import format_money
from keel.core.transactions import atomic_service
from keel.core.workflow import transition

from ..errors import NothingToBill, NotOnHold, OrderNotBillable
from ..events import VendorBillHeld
from ..models import BillMatch, BillMatchLine, PurchaseOrder, PurchaseOrderLine
from ..permissions import RELEASE_PERMISSION
from ..selectors import settings_of
from .common import HUNDRED, decimal_of, lock
from .orders import _lock, refresh_progress

Status = PurchaseOrder.Status
BILLABLE = (Status.CONFIRMED, Status.RECEIVED, Status.BILLED)


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}%"


def _billed_lines(order: PurchaseOrder, lines: list[dict] | None):
    """(order line, quantity, unit price) to bill: by default what was received and not
    billed yet, at the order's price."""
    order_lines = {line.pk: line for line in order.lines.select_related("product")}
    if lines is None:
        chosen = [
            (line, line.quantity_received - line.quantity_billed, line.unit_price)
            for line in order_lines.values()
            if line.quantity_received > line.quantity_billed
        ]
        if not chosen:
            raise NothingToBill(
                f"Everything received on {order} is billed already; receive goods first.",
                field="lines",
            )
        return chosen
    if not lines:
        raise InvalidInput("Give at least one line.", field="lines")
    chosen, seen = [], set()
    for position, raw in enumerate(lines, 1):
        line_id = getattr(raw.get("line"), "pk", raw.get("line"))
        line = order_lines.get(line_id)
        if line is None or line_id in seen:
            raise InvalidInput(f"Line {position}: not a line of {order}.", f"lines[{position}]")
        seen.add(line_id)
        quantity = decimal_of(raw.get("quantity"), field=f"lines[{position}].quantity")
        price = raw.get("unit_price", line.unit_price)
        chosen.append(
            (
                line,
                quantity,
                decimal_of(price, field=f"lines[{position}].unit_price", allow_zero=True),
            )
        )
    return chosen


def match_reasons(
    order: PurchaseOrder, chosen: list[tuple[PurchaseOrderLine, Decimal, Decimal]]
) -> list[str]:
    """Why the bill differs from the order and the receipts beyond the tolerance
    (empty when it matches)."""
    tolerance = settings_of(order.company).tolerance_percent
    reasons = []
    for line, quantity, price in chosen:
        billable = line.quantity_received - line.quantity_billed
        if quantity - billable > line.quantity * tolerance / HUNDRED:
            reasons.append(
                f"{line.product}: {_quantity(quantity)} billed but {_quantity(billable)} "
                f"received and not yet billed (tolerance {_percent(tolerance)})."
            )
        if line.unit_price:
            difference = (price - line.unit_price) / line.unit_price * HUNDRED
            if abs(difference) > tolerance:
                reasons.append(
                    f"{line.product}: billed at {format_money(price, order.currency)}, "
                    f"ordered at {format_money(line.unit_price, order.currency)} "
                    f"({'+' if difference > 0 else ''}{_percent(difference)}, tolerance "
                    f"{_percent(tolerance)})."
                )
        elif price:
            reasons.append(f"{line.product}: billed at {price}, ordered free of charge.")
    return reasons


@atomic_service
def bill_order(
    order_id: int,
    *,
    date: dt.date | None = None,
    ref: str = "",
    lines: list[dict] | None = None,
    by=None,
) -> BillMatch:
    """A vendor bill for `order`: by default what was received and not billed yet at
    the order's price, or the vendor's `lines` (`{"line", "quantity", "unit_price"}`).
    Matched within the tolerance, it is posted; otherwise it is held with the reason."""
    date = date or timezone.localdate()
    order = _lock(order_id)
    if order.status not in BILLABLE:
        raise OrderNotBillable(
            f"{order} is {order.get_status_display().lower()}; "
            + (
                "a cancelled order cannot be billed."
                if order.status == Status.CANCELLED
                else "only a confirmed order can be billed."
                if order.status != Status.DONE
                else "it is fully billed and paid."
            ),
            field="status",
        )
    chosen = _billed_lines(order, lines)
    reasons = match_reasons(order, chosen)
    interim = account_for_role(order.company, AccountRole.STOCK_INTERIM_RECEIVED)
    bill = invoices.create_invoice(
        order.company,
        kind=Invoice.Kind.VENDOR_BILL,
        party=order.vendor,
        date=date,
        currency=order.currency,
        ref=ref or order.number,
        notes=f"From {order}",
        lines=[
            {
                "product": line.product,
                "description": f"{order}: {line.description}",
                "quantity": quantity,
                "unit_price": price,
                "account": interim,
            }
            for line, quantity, price in chosen
        ],
        by=by,
    )
    match = BillMatch.objects.create(
        company=order.company,
        order=order,
        bill=bill,
        status=BillMatch.Status.ON_HOLD if reasons else BillMatch.Status.MATCHED,
        hold_reason="\n".join(reasons),
        created_by=by,
        updated_by=by,
    )
    BillMatchLine.objects.bulk_create(
        [
            BillMatchLine(match=match, order_line=line, quantity=quantity, unit_price=price)
            for line, quantity, price in chosen
        ]
    )
    if reasons:
        publish(
            VendorBillHeld(
                match_id=match.pk, bill_id=bill.pk, order_id=order.pk, reason=match.hold_reason
            ),
            company=order.company,
        )
    else:
        invoices.post_invoice(bill.pk, by=by)
    refresh_progress(order.pk, by=by)
    return match


@atomic_service
def release_hold(match_id: int, *, by, note: str = "") -> BillMatch:
    """Release a held bill and post it; only someone allowed to (accountants by default)."""
    match = lock(BillMatch, match_id, label="Bill match")
    if not by.has_perm(RELEASE_PERMISSION):
        raise PermissionRefused(
            f"You may not release {match.bill}: releasing a held bill needs the "
            "'release held vendor bills' permission (accountants have it).",
            code="release_not_allowed",
        )
    if match.status != BillMatch.Status.ON_HOLD:
        raise NotOnHold(f"{match.bill} is not on hold; there is nothing to release.")
    invoices.post_invoice(match.bill_id, by=by)
    match.released_by, match.released_at = by, timezone.now()
    match.release_note = note[:500]
    match.save(update_fields=["released_by", "released_at", "release_note"])
    transition(match, BillMatch.Status.RELEASED, by=by, note=note)
    refresh_progress(match.order_id, by=by)
    return match
