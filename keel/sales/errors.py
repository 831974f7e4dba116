"""Refusals of the sales domain, each with a stable code."""

from __future__ import annotations

from keel.core.errors import Conflict, DomainError, InvalidInput, NotFound


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


class AcceptanceLinkInvalid(NotFound):
    """A link that was tampered with, or is for a revision since replaced."""

    code = "acceptance_link_invalid"


class AcceptanceLinkExpired(DomainError):
    """A link older than the links' lifetime."""

    code = "acceptance_link_expired"
    status = 410


class QuotationDecided(Conflict):
    """The customer already accepted or declined the quotation."""

    code = "quotation_already_decided"


class RecipientMissing(InvalidInput):
    """Neither the contact nor the customer has an e-mail address."""

    code = "recipient_email_missing"


class ReturnExceedsDelivered(InvalidInput):
    """Only what was delivered, and not already returned, can come back."""

    code = "return_exceeds_delivered"


class ReturnNotInvoiced(InvalidInput):
    """A return is credited against its invoice: what was not invoiced is not credited."""

    code = "return_not_invoiced"


class ReturnAlreadyCredited(Conflict):
    code = "return_already_credited"


class DownPaymentRefused(InvalidInput):
    code = "down_payment_refused"
