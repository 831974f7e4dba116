"""Requests for quotation: create (to several vendors), send, record each vendor's
reply, award one vendor (which creates the purchase order), cancel."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from keel.core.errors import InvalidInput, TransitionNotAllowed
from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.inventory.models import Warehouse

from ..errors import NoReply
from ..models import PurchaseOrder, Rfq, RfqLine, RfqQuote, RfqVendor
from .common import decimal_of, lock, number, parse_lines, vendor_of
from .orders import create_order

Status = Rfq.Status


@atomic_service
def create_rfq(
    company: Company,
    *,
    warehouse: Warehouse,
    vendors: list,
    lines: list[dict],
    currency: str | None = None,
    need_by: dt.date | None = None,
    requisition=None,
    origin: str = Rfq.Origin.MANUAL,
    by=None,
) -> Rfq:
    """A draft RFQ (RFQ/00001) of `lines` (`{"product", "quantity"}`) to `vendors`."""
    if warehouse.company_id != company.pk:
        raise InvalidInput(f"{warehouse} belongs to another company.", field="warehouse")
    if not vendors:
        raise InvalidInput("Name at least one vendor.", field="vendors")
    found = []
    for position, vendor in enumerate(vendors, 1):
        party = vendor_of(company, vendor, field=f"vendors[{position}]")
        if party in found:
            raise InvalidInput(f"{party} is named twice.", field=f"vendors[{position}]")
        found.append(party)
    parsed = parse_lines(company, lines)
    rfq = Rfq.objects.create(
        company=company,
        number=number(company, "rfq", "RFQ/"),
        origin=origin,
        requisition=requisition,
        warehouse=warehouse,
        currency=(currency or company.currency).upper(),
        need_by=need_by,
        created_by=by,
        updated_by=by,
    )
    RfqLine.objects.bulk_create(
        [
            RfqLine(rfq=rfq, sequence=i, product=p, quantity=q)
            for i, (p, q, _) in enumerate(parsed, 1)
        ]
    )
    RfqVendor.objects.bulk_create([RfqVendor(rfq=rfq, vendor=v) for v in found])
    return rfq


def _lock(rfq_id: int) -> Rfq:
    return lock(Rfq, rfq_id, label="RFQ")


@atomic_service
def send_rfq(rfq_id: int, *, by=None) -> Rfq:
    """draft -> sent: the vendors were asked."""
    rfq = _lock(rfq_id)
    transition(rfq, Status.SENT, by=by)
    return rfq


@atomic_service
def record_reply(rfq_id: int, *, vendor, quotes: list[dict], note: str = "", by=None) -> RfqVendor:
    """A vendor's reply to a sent RFQ: `{"line", "unit_price", "lead_days"}` per line it
    quotes; a second reply replaces the first."""
    rfq = _lock(rfq_id)
    if rfq.status != Status.SENT:
        raise TransitionNotAllowed(
            f"{rfq} is {rfq.get_status_display().lower()}; replies are recorded on a sent RFQ.",
            field="status",
        )
    party = vendor_of(rfq.company, vendor)
    invitation = rfq.vendors.filter(vendor=party).first()
    if invitation is None:
        raise InvalidInput(f"{party} was not asked to quote on {rfq}.", field="vendor")
    if not quotes:
        raise InvalidInput("Give the vendor's price for at least one line.", field="quotes")
    lines = {line.pk: line for line in rfq.lines.all()}
    records, seen = [], set()
    for position, raw in enumerate(quotes, 1):
        line_id = getattr(raw.get("line"), "pk", raw.get("line"))
        if line_id not in lines or line_id in seen:
            raise InvalidInput(f"Quote {position}: not a line of {rfq}.", f"quotes[{position}]")
        seen.add(line_id)
        lead_days = int(raw.get("lead_days") or 0)
        if lead_days < 0:
            raise InvalidInput("A lead time cannot be negative.", f"quotes[{position}].lead_days")
        records.append(
            RfqQuote(
                invitation=invitation,
                line_id=line_id,
                unit_price=decimal_of(
                    raw.get("unit_price"), field=f"quotes[{position}].unit_price", allow_zero=True
                ),
                lead_days=lead_days,
            )
        )
    invitation.quotes.all().delete()
    RfqQuote.objects.bulk_create(records)
    invitation.replied_at, invitation.note = timezone.now(), note[:500]
    invitation.save(update_fields=["replied_at", "note"])
    return invitation


@atomic_service
def award(rfq_id: int, *, vendor, order_date: dt.date | None = None, by=None) -> PurchaseOrder:
    """sent -> awarded: `vendor`'s reply becomes a draft purchase order at its quoted
    prices and lead times; refused unless it quoted every line."""
    rfq = _lock(rfq_id)
    if rfq.status != Status.SENT:
        raise TransitionNotAllowed(
            f"{rfq} is {rfq.get_status_display().lower()}; only a sent RFQ can be awarded.",
            field="status",
        )
    party = vendor_of(rfq.company, vendor)
    invitation = rfq.vendors.filter(vendor=party).first()
    quotes = {q.line_id: q for q in invitation.quotes.all()} if invitation else {}
    lines = list(rfq.lines.select_related("product"))
    missing = [str(line.product) for line in lines if line.pk not in quotes]
    if missing:
        raise NoReply(
            f"{party} has not quoted {', '.join(missing)} on {rfq}; record its reply first.",
            field="vendor",
        )
    order = create_order(
        rfq.company,
        vendor=party,
        warehouse=rfq.warehouse,
        currency=rfq.currency,
        order_date=order_date,
        rfq=rfq,
        requisition=rfq.requisition,
        lines=[
            {
                "product": line.product,
                "quantity": line.quantity,
                "unit_price": quotes[line.pk].unit_price,
                "lead_days": quotes[line.pk].lead_days,
            }
            for line in lines
        ],
        by=by,
    )
    rfq.awarded_vendor = party
    rfq.save(update_fields=["awarded_vendor"])
    transition(rfq, Status.AWARDED, by=by, note=f"Order {order}")
    return order


@atomic_service
def cancel_rfq(rfq_id: int, *, by=None, reason: str = "") -> Rfq:
    rfq = _lock(rfq_id)
    transition(rfq, Status.CANCELLED, by=by, note=reason)
    return rfq
