"""Facts purchasing announces."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from keel.core.events import Event


@dataclasses.dataclass(frozen=True)
class PurchaseOrderConfirmed(Event):
    topic: ClassVar[str] = "purchasing.order.confirmed"
    order_id: int
    number: str
    vendor_id: int
    total: str
    currency: str


@dataclasses.dataclass(frozen=True)
class VendorBillHeld(Event):
    """A bill drawn from an order differs from it beyond the tolerance."""

    topic: ClassVar[str] = "purchasing.bill.held"
    match_id: int
    bill_id: int
    order_id: int
    reason: str
