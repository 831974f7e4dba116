"""Facts the sales domain announces."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from keel.core.events import Event


@dataclasses.dataclass(frozen=True)
class QuotationSent(Event):
    topic: ClassVar[str] = "sales.quotation.sent"
    quotation_id: int
    number: str
    party_id: int
    total: str
    currency: str


@dataclasses.dataclass(frozen=True)
class OrderConfirmed(Event):
    topic: ClassVar[str] = "sales.order.confirmed"
    order_id: int
    number: str
    party_id: int
    total: str
    currency: str
    on_hold: bool


@dataclasses.dataclass(frozen=True)
class OrderInvoiced(Event):
    topic: ClassVar[str] = "sales.order.invoiced"
    order_id: int
    number: str
    invoice_id: int
    total: str
