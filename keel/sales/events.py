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


@dataclasses.dataclass(frozen=True)
class OrderDelivered(Event):
    """Everything ordered has left the warehouse."""

    topic: ClassVar[str] = "sales.order.delivered"
    order_id: int
    number: str
    party_id: int


@dataclasses.dataclass(frozen=True)
class OrderPaid(Event):
    """The order is fully invoiced and every invoice of it is paid."""

    topic: ClassVar[str] = "sales.order.paid"
    order_id: int
    number: str
    party_id: int
    total: str
    currency: str


@dataclasses.dataclass(frozen=True)
class ReturnCredited(Event):
    """What came back on a return was credited: applied to invoices, kept or refunded."""

    topic: ClassVar[str] = "sales.return.credited"
    return_id: int
    number: str
    order_id: int
    credit_note_id: int
    total: str
    applied: str
    refunded: str
    currency: str
