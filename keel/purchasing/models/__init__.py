"""Purchasing tables: vendor prices, requisitions, RFQs, purchase orders, bill matches."""

from .orders import BillMatch, BillMatchLine, PurchaseOrder, PurchaseOrderLine, PurchaseSettings
from .prices import VendorPrice
from .requests import (
    Requisition,
    RequisitionLine,
    Rfq,
    RfqLine,
    RfqQuote,
    RfqVendor,
)

__all__ = [
    "BillMatch",
    "BillMatchLine",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseSettings",
    "Requisition",
    "RequisitionLine",
    "Rfq",
    "RfqLine",
    "RfqQuote",
    "RfqVendor",
    "VendorPrice",
]
