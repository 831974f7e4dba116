"""Batch actions: confirm many quotations, invoice all that was delivered (one
invoice per customer or per order), pay many invoices.

A refusal does not abort the batch: each document is done in its own savepoint, so
a refused one leaves nothing behind and the others go through. The result says,
per document, what was made of it or why it was refused, with the same code and
message as the one-document action. `progress(done, total)` is called after each
document (or group) for a progress bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from keel.accounting.models import Invoice, Journal, OpenItem
from keel.accounting.services import invoices as accounting_invoices
from keel.accounting.services import payments
from keel.core.errors import DomainError, InvalidInput, NotFound
from keel.core.events import publish_many
from keel.core.money import amount_text
from keel.core.transactions import atomic_service

from ..errors import NothingToInvoice
from ..events import OrderInvoiced
from ..models import InvoiceGrouping, OrderInvoice, Quotation, SalesOrder, SalesOrderLine
from ..selectors import sees_all, settings_of
from . import orders
from .common import ZERO, record_billed
from .quotations import check_owner

Progress = Callable[[int, int], None] | None
# The invoice reference (200 characters) becomes the entry's with "Customer invoice "
# before it: keep room for that.
MAX_REF = 150


@dataclass(frozen=True)
class Refusal:
    """Why one document of a batch was refused (the single action's error)."""

    document_id: int
    label: str
    code: str
    detail: str


@dataclass
class BatchResult:
    """What a batch made: `done` maps each document id to what it became (the order,
    the invoice, the payment); `refused` lists the others with the reason."""

    done: dict[int, int] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)

    def refuse(self, document_id: int, label: str, error: DomainError) -> None:
        self.refused.append(Refusal(document_id, label, error.code, error.detail))

    def summary(self) -> str:
        text = f"{len(self.done)} done"
        if self.refused:
            text += f", {len(self.refused)} refused: " + "; ".join(
                r.detail for r in self.refused[:5]
            )
        return text


def _tick(progress: Progress, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


@atomic_service
def confirm_many(
    quotation_ids, *, by, on_date: dt.date | None = None, progress: Progress = None
) -> BatchResult:
    """Each quotation becomes an order as with "Confirm" (credit check, opportunity
    won, delivery reserved); a quotation the single action would refuse is reported
    and skipped."""
    on_date = on_date or timezone.localdate()
    result = BatchResult()
    ids = sorted(set(quotation_ids))
    theirs = Quotation.objects.filter(pk__in=ids)
    if by is not None:
        theirs = theirs.filter(company_id=by.company_id)
    known = set(theirs.values_list("pk", flat=True))
    for position, quotation_id in enumerate(ids, 1):
        try:
            if quotation_id not in known:
                raise NotFound(f"Quotation {quotation_id} does not exist.")
            with transaction.atomic():
                result.done[quotation_id] = orders.confirm(quotation_id, by=by, on_date=on_date).pk
        except DomainError as error:
            result.refuse(quotation_id, f"Quotation {quotation_id}", error)
        _tick(progress, position, len(ids))
    return result


def _billable(line: SalesOrderLine):
    """What of a line left the warehouse and is not invoiced yet."""
    return max(line.quantity_delivered - line.quantity_invoiced, ZERO)


def _candidates(company, by, party, order_ids, result: BatchResult) -> list[SalesOrder]:
    """The orders to look at, each checked as the single "Invoice" checks it."""
    found = SalesOrder.objects.filter(company=company).select_related("party", "owner")
    if party is not None:
        found = found.filter(party=party)
    if order_ids is None:
        found = found.filter(status=SalesOrder.Status.CONFIRMED).exclude(delivery_status="nothing")
        if not sees_all(by):
            found = found.filter(owner=by)
        return list(found.order_by("pk"))
    by_id = {order.pk: order for order in found.filter(pk__in=order_ids)}
    chosen = []
    for order_id in sorted(set(order_ids)):
        order = by_id.get(order_id)
        try:
            if order is None:
                raise NotFound(f"Sales order {order_id} does not exist.")
            check_owner(order, by, "invoice")
            orders.require_confirmed(order, "invoiced")
        except DomainError as error:
            result.refuse(order_id, str(order or order_id), error)
            continue
        chosen.append(order)
    return chosen


@atomic_service
def invoice_delivered(
    company,
    *,
    by,
    party=None,
    order_ids=None,
    grouping: str | None = None,
    on_date: dt.date | None = None,
    progress: Progress = None,
) -> BatchResult:
    """Invoice all delivered: what was delivered and not invoiced on the confirmed
    orders (of `party`, or the chosen `order_ids`), one posted invoice per customer
    grouping its orders' lines (or one per order, as the sales settings say), each
    linked back to its orders. `done` maps order id -> invoice id."""
    on_date = on_date or timezone.localdate()
    grouping = grouping or settings_of(company).invoice_grouping
    if grouping not in InvoiceGrouping.values:
        raise InvalidInput(f"Unknown invoice grouping '{grouping}'.", field="grouping")
    result = BatchResult()
    chosen = _candidates(company, by, party, order_ids, result)
    if not chosen:
        return result
    # The delivered quantities as the deliveries say (as the single action does).
    orders.refresh_many([o.pk for o in chosen], by=by)
    lines_of: dict[int, list[SalesOrderLine]] = {}
    for line in (
        SalesOrderLine.objects.filter(order__in=chosen)
        .select_related("product")
        .prefetch_related("taxes")
        .order_by("order_id", "sequence")
    ):
        lines_of.setdefault(line.order_id, []).append(line)
    groups: dict[tuple, list[SalesOrder]] = {}
    for order in chosen:
        if not any(_billable(line) > 0 for line in lines_of.get(order.pk, [])):
            if order_ids is not None:
                result.refuse(order.pk, str(order), _nothing_delivered(order, lines_of[order.pk]))
            continue
        key = (order.party_id, order.currency)
        if grouping == InvoiceGrouping.PER_ORDER:
            key += (order.pk,)
        groups.setdefault(key, []).append(order)
    links, events, billed = [], [], []
    for position, members in enumerate(groups.values(), 1):
        document = _invoice_group(company, members, lines_of, on_date, by)
        for order in members:
            result.done[order.pk] = document.pk
            links.append(OrderInvoice(company=company, order=order, invoice=document))
            events.append(
                OrderInvoiced(
                    order_id=order.pk,
                    number=order.number,
                    invoice_id=document.pk,
                    total=amount_text(document.amount_total, document.currency),
                )
            )
            billed += [
                (document, line, _billable(line))
                for line in lines_of[order.pk]
                if _billable(line) > 0
            ]
        _tick(progress, position, len(groups))
    OrderInvoice.objects.bulk_create(links)
    record_billed(billed)
    orders.refresh_many(result.done.keys(), by=by)
    publish_many(events, company=company)
    return result


def _nothing_delivered(order: SalesOrder, lines: list[SalesOrderLine]) -> DomainError:
    """The single "Invoice" action's refusal of an order with nothing to bill."""
    waiting = any(line.quantity_delivered < line.quantity for line in lines)
    return NothingToInvoice(
        f"{order} has nothing to invoice" + (" (nothing delivered yet)." if waiting else "."),
        field="lines",
    )


def _invoice_group(company, members: list[SalesOrder], lines_of, on_date, by) -> Invoice:
    """One posted invoice for the delivered-not-invoiced lines of `members` (one
    customer's orders); each line says its order when there are several."""
    several = len(members) > 1
    lines = [
        {
            "product": line.product,
            "description": f"{order.number}: {line.description}" if several else line.description,
            "quantity": _billable(line),
            "unit_price": line.unit_price,
            "discount": line.discount,
            "taxes": list(line.taxes.all()),
        }
        for order in members
        for line in lines_of[order.pk]
        if _billable(line) > 0
    ]
    ref = ", ".join(order.number for order in members)
    document = accounting_invoices.create_invoice(
        company,
        party=members[0].party,
        date=on_date,
        currency=members[0].currency,
        ref=ref if len(ref) <= MAX_REF else f"{members[0].number} and {len(members) - 1} more",
        lines=lines,
        by=by,
    )
    return accounting_invoices.post_invoice(document.pk, by=by)


@atomic_service
def pay_many(
    invoice_ids,
    *,
    journal: Journal,
    by,
    on_date: dt.date | None = None,
    progress: Progress = None,
) -> BatchResult:
    """Register the full payment of each customer invoice through `journal` and
    reconcile it, as "Register payment" does one by one (one payment per invoice);
    an invoice of another company than the journal's, not posted, already paid or
    not a customer's is reported.
    `done` maps invoice id -> payment id."""
    on_date = on_date or timezone.localdate()
    result = BatchResult()
    ids = sorted(set(invoice_ids))
    found = {
        invoice.pk: invoice
        for invoice in Invoice.objects.filter(
            pk__in=ids, company_id=journal.company_id
        ).select_related("company", "party")
    }
    for position, invoice_id in enumerate(ids, 1):
        invoice = found.get(invoice_id)
        try:
            due = _require_payable(invoice, invoice_id)
            with transaction.atomic():
                payment = payments.register_payment(
                    invoice.company,
                    party=invoice.party,
                    amount=due,
                    date=on_date,
                    currency=invoice.currency or invoice.company.currency,
                    invoices=[invoice.pk],
                    journal=journal,
                    by=by,
                )
            result.done[invoice_id] = payment.pk
        except DomainError as error:
            result.refuse(invoice_id, str(invoice or invoice_id), error)
        _tick(progress, position, len(ids))
    return result


def _require_payable(invoice: Invoice | None, invoice_id: int):
    """What is left to pay on a posted customer invoice (refused otherwise)."""
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} does not exist.")
    if invoice.kind != Invoice.Kind.CUSTOMER_INVOICE:
        raise InvalidInput(f"{invoice} is not a customer invoice.", field="invoices")
    if invoice.status != Invoice.Status.POSTED:
        raise InvalidInput(f"{invoice} is {invoice.status}; only posted invoices are paid.")
    left = sum((i.residual_currency for i in OpenItem.objects.filter(invoice=invoice)), ZERO)
    if left <= 0:
        raise InvalidInput(f"{invoice} is already paid.", code="already_paid", field="invoices")
    return left
