"""Sales' reactions to lower tiers' events: a delivery of an order or a customer's
return validated in the warehouse, an invoice of an order paid or cancelled."""

from __future__ import annotations

from keel.accounting.events_invoicing import InvoiceCancelled, InvoicePaid
from keel.core.events import subscribe
from keel.inventory.events import TransferDone

from .selectors import order_ids_of_invoices
from .services.orders import refresh_many, refresh_progress, release_cancelled_invoice
from .services.returns import record_receipt


def on_transfer_done(event: TransferDone) -> None:
    """A delivery of an order is done (wherever it was validated): the order counts it."""
    if event.origin_type == "salesorder" and event.origin_id:
        refresh_progress(int(event.origin_id))
    elif event.origin_type == "returnauthorisation" and event.origin_id:
        # Goods of a return came back: the return records them and is credited.
        record_receipt(int(event.origin_id), transfer_id=event.transfer_id)


def on_invoice_paid(event: InvoicePaid) -> None:
    """An invoice of orders is paid (or partly): each order reads its payment status."""
    refresh_many(order_ids_of_invoices([event.invoice_id]))


def on_invoice_cancelled(event: InvoiceCancelled) -> None:
    """An invoice of orders was cancelled: what it billed may be invoiced again."""
    release_cancelled_invoice(event.invoice_id)


def register() -> None:
    subscribe(TransferDone, on_transfer_done)
    subscribe(InvoicePaid, on_invoice_paid)
    subscribe(InvoiceCancelled, on_invoice_cancelled)
