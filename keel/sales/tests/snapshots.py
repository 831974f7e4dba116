"""What a refused sales action must leave as it was."""

from __future__ import annotations

from keel.accounting.models import Invoice, JournalEntry, OpenItem, Payment
from keel.core.models import ApprovalRequest, OutboxEvent, StatusChange
from keel.crm.models import Opportunity
from keel.inventory.models import StockLevel, StockMove, Transfer
from keel.purchasing.models import PurchaseOrder, PurchaseOrderLine

from ..models import (
    OrderInvoice,
    Quotation,
    QuotationLine,
    ReturnAuthorisation,
    ReturnLine,
    SalesOrder,
    SalesOrderLine,
)


def state() -> tuple:
    """Every record a sales action could write, as comparable values."""
    return (
        sorted(
            Quotation.objects.values_list(
                "pk", "status", "version", "discount_approved_by", "margin_approved_by"
            )
        ),
        sorted(QuotationLine.objects.values_list("pk", "quantity", "unit_price", "discount")),
        sorted(
            SalesOrder.objects.values_list(
                "pk", "status", "delivery_status", "invoice_status", "payment_status", "hold_reason"
            )
        ),
        sorted(
            SalesOrderLine.objects.values_list(
                "pk", "quantity_delivered", "quantity_invoiced", "quantity_returned"
            )
        ),
        sorted(ReturnAuthorisation.objects.values_list("pk", "status", "version", "credit_note")),
        sorted(ReturnLine.objects.values_list("pk", "quantity", "quantity_received")),
        sorted(OrderInvoice.objects.values_list("pk", "down_payment")),
        sorted(OpenItem.objects.values_list("pk", "residual")),
        Payment.objects.count(),
        sorted(Transfer.objects.values_list("pk", "status")),
        sorted(StockMove.objects.values_list("pk", "status", "quantity_reserved", "quantity_done")),
        sorted(StockLevel.objects.values_list("pk", "on_hand", "reserved")),
        sorted(Invoice.objects.values_list("pk", "status", "payment_status")),
        JournalEntry.objects.count(),
        sorted(Opportunity.objects.values_list("pk", "status")),
        sorted(ApprovalRequest.objects.values_list("pk", "status")),
        OutboxEvent.objects.count(),
        StatusChange.objects.count(),
        PurchaseOrder.objects.count(),
        PurchaseOrderLine.objects.count(),
    )
