"""Refusals of the sales domain, each with a stable code."""

from __future__ import annotations

from keel.core.errors import Conflict, InvalidInput


class QuotationExpired(Conflict):
    """A quotation past its validity date cannot become an order."""

    code = "quotation_expired"


class DiscountNeedsApproval(Conflict):
    """A discount above the threshold waits for a sales manager's approval."""

    code = "discount_needs_approval"


class MarginNeedsApproval(Conflict):
    """A margin below the minimum waits for a sales manager's approval."""

    code = "margin_needs_approval"


class NothingToInvoice(InvalidInput):
    code = "nothing_to_invoice"


class NotDelivered(InvalidInput):
    """Under "on delivered quantities", only what left the warehouse is invoiced."""

    code = "line_not_delivered"


class OrderOnHold(Conflict):
    code = "order_on_credit_hold"


class NotOnHold(Conflict):
    code = "order_not_on_hold"
