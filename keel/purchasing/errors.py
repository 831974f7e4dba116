"""Refusals of the purchasing domain, each with a stable code."""

from __future__ import annotations

from keel.core.errors import Conflict, InvalidInput, PermissionRefused


class NoVendorPrice(InvalidInput):
    code = "no_vendor_price"


class OwnApproval(PermissionRefused):
    """Nobody approves what they asked for themselves."""

    code = "own_approval"


class OverReceipt(InvalidInput):
    """More arrived than was ordered, beyond the tolerance."""

    code = "over_receipt"


class OrderNotBillable(Conflict):
    """A draft, unapproved or cancelled order cannot be billed."""

    code = "order_not_billable"


class NothingToBill(InvalidInput):
    code = "nothing_to_bill"


class OrderNotReceivable(Conflict):
    code = "order_not_receivable"


class NotOnHold(Conflict):
    code = "bill_not_on_hold"


class NoReply(InvalidInput):
    """Awarding a vendor who has not replied for every line."""

    code = "no_reply"


class OrderNotCancellable(Conflict):
    code = "order_not_cancellable"


class OrderNotEditable(Conflict):
    """Only a draft purchase order changes; a submitted one stays as it was sent."""

    code = "order_not_editable"
