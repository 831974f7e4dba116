"""What a refused purchasing action must leave as it was."""

from __future__ import annotations

from keel.accounting.models import Invoice, JournalLine
from keel.core.models import ApprovalRequest, StatusChange
from keel.inventory.models import StockLevel, StockMove, Transfer

from ..models import BillMatch, PurchaseOrder, PurchaseOrderLine, Requisition, Rfq, RfqQuote


def state() -> tuple:
    """Orders (what was ordered from whom), lines, receipts, stock, bills, entries,
    approvals and status changes."""
    return (
        sorted(
            PurchaseOrder.objects.values_list(
                "pk",
                "status",
                "receipt_status",
                "billing_status",
                "version",
                "vendor_id",
                "vendor_ref",
                "order_date",
                "amount_total",
            )
        ),
        sorted(
            PurchaseOrderLine.objects.values_list(
                "pk",
                "order_id",
                "product_id",
                "quantity",
                "unit_price",
                "subtotal",
                "expected_date",
                "quantity_received",
                "quantity_billed",
            )
        ),
        sorted(Transfer.objects.values_list("pk", "status")),
        sorted(StockMove.objects.values_list("pk", "quantity", "quantity_done", "status")),
        sorted(StockLevel.objects.values_list("pk", "on_hand", "reserved", "incoming")),
        sorted(Invoice.objects.values_list("pk", "status", "amount_total")),
        sorted(BillMatch.objects.values_list("pk", "status")),
        JournalLine.objects.count(),
        sorted(ApprovalRequest.objects.values_list("pk", "status")),
        sorted(Requisition.objects.values_list("pk", "status")),
        sorted(Rfq.objects.values_list("pk", "status")),
        RfqQuote.objects.count(),
        StatusChange.objects.count(),
    )
