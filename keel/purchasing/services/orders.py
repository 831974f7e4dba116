"""Purchase orders: create, submit (approval above the threshold), approve, reject,
confirm (the receipts wait in inventory on the dates the lead times give), cancel,
and the progress that follows receipts, bills and payments."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from keel.accounting.models import Invoice
from keel.accounting.services.currency import rate_on
from keel.core.errors import InvalidInput, StaleRecord, TransitionNotAllowed
from keel.core.events import publish
from keel.core.models import ApprovalRequest, ApprovalRule, Company
from keel.core.money import format_money, round_money
from keel.core.services import approvals
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.inventory.models import Transfer, Warehouse
from keel.inventory.services import transfers

from ..errors import NoVendorPrice, OrderNotCancellable, OrderNotEditable, OwnApproval
from ..events import PurchaseOrderConfirmed
from ..models import BillMatch, PurchaseOrder, PurchaseOrderLine, PurchaseSettings
from ..permissions import DEFAULT_APPROVER_ROLE
from ..selectors import (
    billed_by_line,
    open_receipts,
    price_for,
    received_by_product,
    settings_of,
)
from .common import ZERO, decimal_of, lock, number, parse_lines, vendor_of

Status = PurchaseOrder.Status
Progress = PurchaseOrder.Progress
APPROVAL_ACTION = "confirm"


@atomic_service
def configure(
    company: Company,
    *,
    approval_threshold: Decimal | str = Decimal("10000"),
    tolerance_percent: Decimal | str = Decimal("5"),
    approver_role: str = DEFAULT_APPROVER_ROLE,
    by=None,
) -> PurchaseSettings:
    """Set above which total an order needs approval (and by whom) and the match
    tolerance; the approval itself is a core approval rule on purchase orders."""
    threshold = decimal_of(approval_threshold, field="approval_threshold", allow_zero=True)
    tolerance = decimal_of(tolerance_percent, field="tolerance_percent", allow_zero=True)
    if tolerance > 100:
        raise InvalidInput("The tolerance is a percentage up to 100.", field="tolerance_percent")
    role = Group.objects.filter(name=str(approver_role)).first()
    if role is None:
        raise InvalidInput(f"There is no role '{approver_role}'.", field="approver_role")
    found, _ = PurchaseSettings.objects.get_or_create(company=company)
    found.approval_threshold, found.tolerance_percent = threshold, tolerance
    found.save()
    _approval_rule(company, threshold, role, by=by)
    return found


def _approval_rule(company: Company, threshold: Decimal, role: Group, *, by) -> ApprovalRule:
    content_type = ContentType.objects.get_for_model(PurchaseOrder)
    rule = ApprovalRule.objects.filter(
        company=company, content_type=content_type, action=APPROVAL_ACTION
    ).first() or ApprovalRule(company=company, content_type=content_type, action=APPROVAL_ACTION)
    rule.name = f"Purchase orders above {format_money(threshold, company.currency)}"
    rule.min_amount, rule.approver_role, rule.active = threshold, role, True
    return approvals.save_rule(rule, by=by)


def _ensure_rule(company: Company) -> None:
    """An order submitted before anyone configured purchasing follows the defaults."""
    content_type = ContentType.objects.get_for_model(PurchaseOrder)
    exists = ApprovalRule.objects.filter(
        company=company, content_type=content_type, action=APPROVAL_ACTION
    ).exists()
    if not exists:
        current = settings_of(company)
        role = Group.objects.get(name=str(DEFAULT_APPROVER_ROLE))
        _approval_rule(company, current.approval_threshold, role, by=None)


@atomic_service
def create_order(
    company: Company,
    *,
    vendor,
    warehouse: Warehouse,
    lines: list[dict],
    order_date: dt.date | None = None,
    currency: str | None = None,
    vendor_ref: str = "",
    rfq=None,
    requisition=None,
    origin=None,
    ship_to=None,
    by=None,
) -> PurchaseOrder:
    """A draft order (PO/00001). Each line `{"product", "quantity"}` takes its unit
    price and lead time from the vendor's price in force unless it gives
    `"unit_price"` and `"lead_days"`; its expected date is the order date plus the
    lead time. `origin`: the document it is bought for; `ship_to`: the customer a
    drop-ship order goes to."""
    vendor = vendor_of(company, vendor)
    if warehouse.company_id != company.pk:
        raise InvalidInput(f"{warehouse} belongs to another company.", field="warehouse")
    order_date = order_date or timezone.localdate()
    currency = (currency or company.currency).upper()
    records = _order_lines(company, vendor, currency, order_date, lines)
    order = PurchaseOrder.objects.create(
        company=company,
        number=number(company, "order", "PO/"),
        vendor=vendor,
        warehouse=warehouse,
        currency=currency,
        order_date=order_date,
        vendor_ref=vendor_ref,
        rfq=rfq,
        requisition=requisition,
        origin_type=ContentType.objects.get_for_model(origin) if origin is not None else None,
        origin_id=str(origin.pk) if origin is not None else "",
        ship_to=None if ship_to is None else vendor_of(company, ship_to, field="ship_to"),
        amount_total=sum((r.subtotal for r in records), ZERO),
        created_by=by,
        updated_by=by,
    )
    for record in records:
        record.order = order
    PurchaseOrderLine.objects.bulk_create(records)
    return order


def _order_lines(
    company: Company, vendor, currency: str, order_date: dt.date, lines: list[dict]
) -> list[PurchaseOrderLine]:
    """The order's lines, numbered from 1 and not yet saved: each takes its unit price
    and lead time from the vendor's price in force unless it gives them."""
    records = []
    for position, (product, quantity, raw) in enumerate(parse_lines(company, lines), 1):
        unit_price, lead_days = raw.get("unit_price"), raw.get("lead_days")
        if unit_price is None or lead_days is None:
            row = price_for(company, vendor, product, quantity, order_date)
            if row is not None and row.currency != currency:
                row = None
            if unit_price is None and row is None:
                raise NoVendorPrice(
                    f"Line {position}: {vendor} has no {currency} price for {quantity} x "
                    f"{product} on {order_date.isoformat()}; give the unit price.",
                    field=f"lines[{position}].unit_price",
                )
            if unit_price is None:
                unit_price = row.price
            if lead_days is None:
                lead_days = row.lead_days if row else 0
        unit_price = decimal_of(unit_price, field=f"lines[{position}].unit_price", allow_zero=True)
        lead_days = int(lead_days)
        if lead_days < 0:
            raise InvalidInput(
                f"Line {position}: a lead time cannot be negative.",
                field=f"lines[{position}].lead_days",
            )
        records.append(
            PurchaseOrderLine(
                sequence=position,
                product=product,
                description=raw.get("description") or product.name,
                quantity=quantity,
                unit_price=unit_price,
                subtotal=round_money(quantity * unit_price, currency),
                lead_days=lead_days,
                expected_date=order_date + dt.timedelta(days=lead_days),
            )
        )
    return records


def require_draft(order: PurchaseOrder) -> None:
    """Only a draft changes: what was sent to approval or to the vendor stays as sent."""
    if order.status != Status.DRAFT:
        raise OrderNotEditable(
            f"{order} is {order.get_status_display().lower()}; only a draft purchase order "
            "can be changed.",
            field="status",
        )


@atomic_service
def update_draft(
    order_id: int,
    *,
    by,
    version: int | None = None,
    vendor=None,
    vendor_ref: str | None = None,
    order_date: dt.date | None = None,
    lines: list[dict] | None = None,
) -> PurchaseOrder:
    """Change a draft before it is submitted: its vendor, reference, date and lines
    (`lines` replaces them all, each checked as on creation; a line without a price
    takes the vendor's). Only a draft changes: what was sent to approval or to the
    vendor stays as sent. A stale `version` is refused."""
    order = _lock(order_id)
    require_draft(order)
    if version is not None and int(version) != order.version:
        raise StaleRecord(
            f"{order} was changed by someone else since you opened it (version "
            f"{order.version}, yours {version}). Reload and apply your change again."
        )
    company = order.company
    if vendor is not None:
        order.vendor = vendor_of(company, vendor)
    if vendor_ref is not None:
        order.vendor_ref = vendor_ref
    if order_date is not None:
        order.order_date = order_date
    if lines is None:
        # The lines stay as they are, prices included; their expected dates follow
        # the order date.
        lines = [
            {
                "product": line.product,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "lead_days": line.lead_days,
                "description": line.description,
            }
            for line in order.lines.select_related("product")
        ]
    records = _order_lines(company, order.vendor, order.currency, order.order_date, lines)
    order.lines.all().delete()
    for record in records:
        record.order = order
    PurchaseOrderLine.objects.bulk_create(records)
    order.amount_total = sum((r.subtotal for r in records), ZERO)
    order.version += 1
    order.updated_by = by
    order.save()
    return order


def _lock(order_id: int) -> PurchaseOrder:
    return lock(PurchaseOrder, order_id, label="Purchase order")


def _pending_request(order: PurchaseOrder) -> ApprovalRequest | None:
    return ApprovalRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(PurchaseOrder),
        object_id=str(order.pk),
        action=APPROVAL_ACTION,
        status=ApprovalRequest.Status.PENDING,
    ).first()


@atomic_service
def submit(order_id: int, *, by) -> PurchaseOrder:
    """draft -> confirmed, or -> to approve when its total is above the approval rule's
    threshold (a pending approval request is opened)."""
    order = _lock(order_id)
    if order.status != Status.DRAFT:
        raise TransitionNotAllowed(
            f"{order} is {order.get_status_display().lower()}; only a draft can be submitted.",
            field="status",
        )
    _ensure_rule(order.company)
    order.submitted_by = by
    order.save(update_fields=["submitted_by"])
    rule = approvals.approval_needed(order.company, order, APPROVAL_ACTION, order.amount_total)
    if rule is None:
        _confirm(order, by=by)
        return order
    approvals.request_approval(
        company=order.company,
        document=order,
        action=APPROVAL_ACTION,
        amount=order.amount_total,
        currency=order.currency,
        requested_by=by,
        reason=f"{order} to {order.vendor}: {format_money(order.amount_total, order.currency)}",
    )
    transition(order, Status.TO_APPROVE, by=by)
    return order


def _check_not_own(order: PurchaseOrder, user) -> None:
    if user.pk in {order.submitted_by_id, order.created_by_id}:
        raise OwnApproval(
            f"You cannot approve {order}: you raised it yourself; another approver must.",
            field="status",
        )


@atomic_service
def approve(order_id: int, *, by, note: str = "") -> PurchaseOrder:
    """to approve -> confirmed, by someone holding the rule's role who neither raised
    nor submitted the order."""
    order = _lock(order_id)
    if order.status != Status.TO_APPROVE:
        raise TransitionNotAllowed(
            f"{order} is {order.get_status_display().lower()}; only an order waiting for "
            "approval can be approved.",
            field="status",
        )
    _check_not_own(order, by)
    request = _pending_request(order)
    if request is not None:
        approvals.approve(request.pk, by=by, note=note)
    order.approved_by = by
    order.save(update_fields=["approved_by"])
    _confirm(order, by=by)
    return order


@atomic_service
def reject(order_id: int, *, by, note: str) -> PurchaseOrder:
    """to approve -> draft, with the reason the buyer will read."""
    order = _lock(order_id)
    if order.status != Status.TO_APPROVE:
        raise TransitionNotAllowed(f"{order} is not waiting for approval.", field="status")
    _check_not_own(order, by)
    request = _pending_request(order)
    if request is not None:
        approvals.reject(request.pk, by=by, note=note)
    elif not note.strip():
        raise InvalidInput("Say why you reject the order.", code="reason_required", field="note")
    transition(order, Status.DRAFT, by=by, note=note)
    return order


def _confirm(order: PurchaseOrder, *, by) -> None:
    """Confirmed: one receipt per expected date waits in the warehouse, each move valued
    at the order's price in the company's currency (what the receipt will post)."""
    transition(order, Status.CONFIRMED, by=by)
    lines = list(order.lines.select_related("product").order_by("sequence"))
    rate = rate_on(order.company, order.currency, order.order_date)
    by_date: dict[dt.date, list[PurchaseOrderLine]] = defaultdict(list)
    for line in lines:
        by_date[line.expected_date].append(line)
    for expected, group in sorted(by_date.items()):
        receipt = transfers.create_transfer(
            order.company,
            kind=Transfer.Kind.RECEIPT,
            warehouse=order.warehouse,
            scheduled_date=expected,
            partner=order.vendor,
            origin=order,
            note=f"{order} from {order.vendor}",
            lines=[
                {
                    "product": line.product,
                    "quantity": line.quantity,
                    "unit_cost": unit_cost(line.unit_price, rate, order.company.currency),
                }
                for line in group
            ],
            by=by,
        )
        transfers.confirm(receipt.pk, by=by)
    publish(
        PurchaseOrderConfirmed(
            order_id=order.pk,
            number=order.number,
            vendor_id=order.vendor_id,
            total=str(order.amount_total),
            currency=order.currency,
        ),
        company=order.company,
    )


def unit_cost(price: Decimal, rate: Decimal, company_currency: str) -> Decimal:
    """A unit price in the company's currency, kept to the stored 4 decimals."""
    converted = price if rate == 1 else price * rate
    return converted.quantize(Decimal("0.0001"))


@atomic_service
def cancel(order_id: int, *, by, reason: str = "") -> PurchaseOrder:
    """Cancel an order nothing of which arrived or was billed: its receipts are
    cancelled and an open approval request is withdrawn."""
    order = _lock(order_id)
    if order.status not in (Status.DRAFT, Status.TO_APPROVE, Status.CONFIRMED):
        raise OrderNotCancellable(
            f"{order} is {order.get_status_display().lower()}; it can no longer be cancelled.",
            field="status",
        )
    if order.lines.filter(quantity_received__gt=0).exists() or order.bills.exists():
        raise OrderNotCancellable(
            f"Part of {order} has arrived or is billed; it can no longer be cancelled.",
            field="status",
        )
    for receipt in open_receipts(order):
        transfers.cancel(receipt.pk, by=by, reason=reason or f"{order} cancelled")
    request = _pending_request(order)
    if request is not None:
        transition(request, ApprovalRequest.Status.CANCELLED, by=by, note=f"{order} cancelled")
    transition(order, Status.CANCELLED, by=by, note=reason)
    return order


def _progress(done: Decimal, wanted: Decimal) -> str:
    if done <= 0:
        return Progress.NOTHING
    return Progress.FULL if done >= wanted else Progress.PARTIAL


def refresh_progress(order_id: int, *, by=None) -> PurchaseOrder:
    """Received and billed quantities from the receipts and bills, the progress they
    give, and the status that follows: received, billed, done (bills paid)."""
    order = _lock(order_id)
    if order.status in (Status.DRAFT, Status.TO_APPROVE, Status.CANCELLED):
        return order
    lines = list(order.lines.all())
    received = received_by_product(order)
    billed = billed_by_line(order)
    changed = []
    for line in lines:
        new = (received.get(line.product_id, ZERO), billed.get(line.pk, ZERO))
        if new != (line.quantity_received, line.quantity_billed):
            line.quantity_received, line.quantity_billed = new
            changed.append(line)
    PurchaseOrderLine.objects.bulk_update(changed, ["quantity_received", "quantity_billed"])
    ordered = sum((line.quantity for line in lines), ZERO)
    arrived = sum((min(line.quantity_received, line.quantity) for line in lines), ZERO)
    full_receipt = all(line.quantity_received >= line.quantity for line in lines)
    full_billing = all(line.quantity_billed >= line.quantity_received for line in lines)
    order.receipt_status = Progress.FULL if full_receipt else _progress(arrived, ordered)
    any_billed = any(line.quantity_billed > 0 for line in lines)
    order.billing_status = (
        Progress.NOTHING
        if not any_billed
        else Progress.FULL
        if full_billing and full_receipt
        else Progress.PARTIAL
    )
    order.save(update_fields=["receipt_status", "billing_status"])
    if order.status == Status.CONFIRMED and full_receipt:
        transition(order, Status.RECEIVED, by=by)
    if order.status == Status.RECEIVED and order.billing_status == Progress.FULL:
        held = order.bills.filter(status=BillMatch.Status.ON_HOLD).exists()
        if not held:
            transition(order, Status.BILLED, by=by)
    if order.status == Status.BILLED and _bills_paid(order):
        transition(order, Status.DONE, by=by)
    return order


def _bills_paid(order: PurchaseOrder) -> bool:
    bills = Invoice.objects.filter(purchase_match__order=order)
    return (
        bills.exists()
        and not bills.exclude(
            status=Invoice.Status.POSTED, payment_status=Invoice.PaymentStatus.PAID
        ).exists()
    )
