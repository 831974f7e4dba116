"""The customer's side of a quotation: a signed link (bound to the quotation and
its revision) to view it, accept it with their name (it becomes an order, confirmed
by the quotation's owner) or decline it with a reason. Both are recorded on the
quotation with the time and the address they came from."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils import timezone

from keel.core.errors import Conflict, InvalidInput, NotFound
from keel.core.transactions import atomic_service
from keel.core.workflow import transition

from ..errors import (
    AcceptanceLinkExpired,
    AcceptanceLinkInvalid,
    QuotationDecided,
    QuotationExpired,
)
from ..models import Quotation, SalesOrder
from . import orders
from .common import lock

SALT = "keel.sales.quotation-acceptance"
Status = Quotation.Status


def token_for(quotation: Quotation) -> str:
    """The link's token: the quotation and its revision, signed and timestamped."""
    return signing.dumps({"q": quotation.pk, "r": quotation.revision}, salt=SALT)


def _payload(token: str) -> tuple[int, int]:
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.SALES_QUOTATION_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise AcceptanceLinkExpired(
            "This link has expired; ask your contact for a new one."
        ) from None
    except signing.BadSignature:
        raise AcceptanceLinkInvalid(
            "This link is not valid; check that it was copied whole from the e-mail."
        ) from None
    return int(data["q"]), int(data["r"])


def _checked(quotation: Quotation | None, revision: int) -> Quotation:
    if quotation is None:
        raise AcceptanceLinkInvalid("This quotation no longer exists.")
    if quotation.revision != revision:
        raise AcceptanceLinkInvalid(
            f"This link is for an earlier revision of {quotation}; use the link in the latest "
            "e-mail."
        )
    return quotation


def quotation_of(token: str) -> Quotation:
    """The quotation the link shows (any status: the page says what became of it)."""
    pk, revision = _payload(token)
    found = Quotation.objects.select_related("company", "party", "contact", "owner").filter(pk=pk)
    return _checked(found.first(), revision)


def require_open(quotation: Quotation, on_date: dt.date) -> None:
    """Only a sent quotation, still valid, can be accepted or declined."""
    if quotation.status == Status.CONFIRMED:
        raise QuotationDecided(
            f"{quotation} was already accepted"
            + (f" by {quotation.accepted_name}" if quotation.accepted_name else "")
            + "; nothing more to do.",
        )
    if quotation.status == Status.REVISED:
        raise AcceptanceLinkInvalid(
            f"This link is for an earlier revision of {quotation.number}; use the link in the "
            "latest e-mail."
        )
    if quotation.status == Status.DECLINED:
        raise QuotationDecided(f"{quotation} was already declined; ask for a new quotation.")
    if quotation.status != Status.SENT:
        raise Conflict(
            f"{quotation} is {quotation.get_status_display().lower()}; it cannot be accepted "
            "or declined now. Ask your contact for the current version.",
            code="quotation_not_open",
        )
    if on_date > quotation.valid_until:
        raise QuotationExpired(
            f"{quotation} expired on {quotation.valid_until.isoformat()}; ask for a new "
            "quotation with today's prices and stock.",
            field="valid_until",
        )


def _lock_open(token: str, on_date: dt.date) -> Quotation:
    pk, revision = _payload(token)
    try:
        quotation = _checked(lock(Quotation, pk, label="Quotation"), revision)
    except NotFound:
        quotation = _checked(None, revision)
    require_open(quotation, on_date)
    return quotation


@atomic_service
def accept(
    token: str, *, name: str, ip: str | None = None, on_date: dt.date | None = None
) -> SalesOrder:
    """The customer accepts: their name, the time and address are kept, and the
    quotation becomes an order, confirmed as its owner would (credit check,
    opportunity won, stock reserved)."""
    on_date = on_date or timezone.localdate()
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Type your full name to accept the quotation.", field="name")
    quotation = _lock_open(token, on_date)
    quotation.accepted_name, quotation.accepted_at = name[:200], timezone.now()
    quotation.decided_ip = ip
    quotation.save(update_fields=["accepted_name", "accepted_at", "decided_ip"])
    return orders.confirm(quotation.pk, by=quotation.owner, on_date=on_date)


@atomic_service
def decline(
    token: str, *, reason: str, ip: str | None = None, on_date: dt.date | None = None
) -> Quotation:
    """The customer declines, saying why: the quotation is declined (its opportunity
    stays open for the rep to follow up)."""
    on_date = on_date or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Tell us why you decline, so we can do better.", field="reason")
    quotation = _lock_open(token, on_date)
    quotation.declined_at, quotation.decline_reason = timezone.now(), reason[:500]
    quotation.decided_ip = ip
    quotation.save(update_fields=["declined_at", "decline_reason", "decided_ip"])
    transition(quotation, Status.DECLINED, note=f"Declined by the customer: {reason}"[:500])
    return quotation
