"""Facts announced by invoicing and payments."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from keel.core.events import Event


@dataclasses.dataclass(frozen=True)
class InvoicePosted(Event):
    topic: ClassVar[str] = "accounting.invoice.posted"
    invoice_id: int
    number: str
    kind: str
    party_id: int
    total: str
    currency: str


@dataclasses.dataclass(frozen=True)
class InvoiceCancelled(Event):
    topic: ClassVar[str] = "accounting.invoice.cancelled"
    invoice_id: int
    number: str


@dataclasses.dataclass(frozen=True)
class InvoicePaid(Event):
    """The invoice's payment status changed (partial or paid)."""

    topic: ClassVar[str] = "accounting.invoice.payment_status"
    invoice_id: int
    number: str
    payment_status: str


@dataclasses.dataclass(frozen=True)
class PaymentRegistered(Event):
    topic: ClassVar[str] = "accounting.payment.registered"
    payment_id: int
    number: str
    party_id: int
    amount: str
    currency: str
