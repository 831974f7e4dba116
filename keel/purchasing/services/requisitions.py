"""Purchase requisitions: an employee asks, a buyer approves (never their own), then
turns it into an RFQ to several vendors or straight into a purchase order."""

from __future__ import annotations

import datetime as dt

from keel.core.errors import InvalidInput, PermissionRefused, TransitionNotAllowed
from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.inventory.models import Warehouse

from ..errors import OwnApproval
from ..models import PurchaseOrder, Requisition, RequisitionLine, Rfq
from ..permissions import APPROVE_REQUISITION_PERMISSION
from .common import lock, number, parse_lines
from .orders import create_order
from .rfqs import create_rfq

Status = Requisition.Status


@atomic_service
def create_requisition(
    company: Company,
    *,
    requested_by,
    warehouse: Warehouse,
    need_by: dt.date,
    reason: str,
    lines: list[dict],
) -> Requisition:
    """A draft requisition (PR/00001): what, how many, for when and why."""
    if warehouse.company_id != company.pk:
        raise InvalidInput(f"{warehouse} belongs to another company.", field="warehouse")
    if not reason.strip():
        raise InvalidInput("Say why the goods are needed.", field="reason")
    parsed = parse_lines(company, lines)
    requisition = Requisition.objects.create(
        company=company,
        number=number(company, "requisition", "PR/"),
        requested_by=requested_by,
        warehouse=warehouse,
        need_by=need_by,
        reason=reason[:500],
        created_by=requested_by,
        updated_by=requested_by,
    )
    RequisitionLine.objects.bulk_create(
        [
            RequisitionLine(requisition=requisition, sequence=i, product=p, quantity=q)
            for i, (p, q, _) in enumerate(parsed, 1)
        ]
    )
    return requisition


def _lock(requisition_id: int) -> Requisition:
    return lock(Requisition, requisition_id, label="Requisition")


@atomic_service
def submit_requisition(requisition_id: int, *, by) -> Requisition:
    """draft -> to approve."""
    requisition = _lock(requisition_id)
    transition(requisition, Status.TO_APPROVE, by=by)
    return requisition


def _decide(requisition_id: int, by, to_status: str, note: str) -> Requisition:
    requisition = _lock(requisition_id)
    if requisition.status != Status.TO_APPROVE:
        raise TransitionNotAllowed(
            f"{requisition} is {requisition.get_status_display().lower()}; only a submitted "
            "requisition can be decided.",
            field="status",
        )
    if not by.has_perm(APPROVE_REQUISITION_PERMISSION):
        raise PermissionRefused(
            "Only a buyer can approve or reject requisitions.", code="approver_role_required"
        )
    if requisition.requested_by_id == by.pk:
        raise OwnApproval(f"You cannot decide your own requisition {requisition}.")
    requisition.decided_by, requisition.decision_note = by, note[:500]
    requisition.save(update_fields=["decided_by", "decision_note"])
    transition(requisition, to_status, by=by, note=note)
    return requisition


@atomic_service
def approve_requisition(requisition_id: int, *, by, note: str = "") -> Requisition:
    """to approve -> approved, by a buyer who did not ask for it."""
    return _decide(requisition_id, by, Status.APPROVED, note)


@atomic_service
def reject_requisition(requisition_id: int, *, by, note: str) -> Requisition:
    """to approve -> rejected, with the reason."""
    if not note.strip():
        raise InvalidInput("Say why you reject it.", code="reason_required", field="note")
    return _decide(requisition_id, by, Status.REJECTED, note)


def _approved(requisition_id: int) -> Requisition:
    requisition = _lock(requisition_id)
    if requisition.status != Status.APPROVED:
        raise TransitionNotAllowed(
            f"{requisition} is {requisition.get_status_display().lower()}; only an approved "
            "requisition can be ordered.",
            field="status",
        )
    return requisition


def _lines(requisition: Requisition) -> list[dict]:
    return [
        {"product": line.product, "quantity": line.quantity} for line in requisition.lines.all()
    ]


@atomic_service
def requisition_to_rfq(
    requisition_id: int, *, vendors: list, currency: str | None = None, by
) -> Rfq:
    """approved -> ordered: a draft RFQ of its lines to `vendors`."""
    requisition = _approved(requisition_id)
    rfq = create_rfq(
        requisition.company,
        warehouse=requisition.warehouse,
        vendors=vendors,
        lines=_lines(requisition),
        currency=currency,
        need_by=requisition.need_by,
        requisition=requisition,
        origin=Rfq.Origin.REQUISITION,
        by=by,
    )
    transition(requisition, Status.ORDERED, by=by, note=f"RFQ {rfq}")
    return rfq


@atomic_service
def requisition_to_order(
    requisition_id: int, *, vendor, order_date: dt.date | None = None, by
) -> PurchaseOrder:
    """approved -> ordered: a draft purchase order to `vendor` at its prices in force."""
    requisition = _approved(requisition_id)
    order = create_order(
        requisition.company,
        vendor=vendor,
        warehouse=requisition.warehouse,
        lines=_lines(requisition),
        order_date=order_date,
        requisition=requisition,
        by=by,
    )
    transition(requisition, Status.ORDERED, by=by, note=f"Order {order}")
    return order
