"""Revisions of a quotation: the next one (SQ/00001 rev 2) replaces a sent or
declined quotation, which is kept read-only; its acceptance link stops working."""

from __future__ import annotations

import datetime as dt

from keel.core.errors import TransitionNotAllowed
from keel.core.transactions import atomic_service
from keel.core.workflow import transition

from ..models import Quotation
from .common import lock
from .quotations import HAND_PRICED, check_owner, dates_of, store_quotation

Status = Quotation.Status


def lines_of(quotation: Quotation) -> list[dict]:
    """The quotation's lines as create_quotation takes them; a price entered by hand
    stays, the others are priced again."""
    lines = quotation.lines.select_related("product").prefetch_related("taxes")
    return [
        {
            "product": line.product,
            "description": line.description,
            "quantity": line.quantity,
            "discount": line.discount,
            "taxes": list(line.taxes.all()),
            **({"unit_price": line.unit_price} if line.price_explanation == HAND_PRICED else {}),
        }
        for line in lines.order_by("sequence")
    ]


@atomic_service
def revise(
    quotation_id: int,
    *,
    by=None,
    lines: list[dict] | None = None,
    quote_date: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Quotation:
    """A sent (or declined) quotation gets its next revision: a draft with the same
    number (SQ/00001 rev 2), its lines (or `lines`) priced and promised on
    `quote_date`; the old revision is kept read-only as *revised* and its acceptance
    link stops working. A discount above the threshold needs approval again."""
    quotation = lock(Quotation, quotation_id, label="Quotation")
    check_owner(quotation, by, "revise")
    if quotation.status not in (Status.SENT, Status.DECLINED):
        raise TransitionNotAllowed(
            f"{quotation} is {quotation.get_status_display().lower()}; only a sent or declined "
            "quotation is revised (a draft is still yours to change).",
            field="status",
        )
    quote_date, valid_until = dates_of(quote_date, valid_until)
    revision = store_quotation(
        quotation.company,
        lines if lines is not None else lines_of(quotation),
        number=quotation.number,
        revision=quotation.revision + 1,
        revision_of=quotation,
        party=quotation.party,
        contact=quotation.contact,
        opportunity=quotation.opportunity,
        owner=quotation.owner,
        warehouse=quotation.warehouse,
        currency=quotation.currency,
        quote_date=quote_date,
        valid_until=valid_until,
        invoicing_policy=quotation.invoicing_policy,
        created_by=by,
        updated_by=by,
    )
    transition(quotation, Status.REVISED, by=by, note=f"Replaced by {revision}")
    return revision
