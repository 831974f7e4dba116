"""Sales' promises for `keel check`: its legal numbers (quotations, orders, returns)
are gapless, each series read from the documents that carry it."""

from __future__ import annotations

from keel.core.models import Sequence

from .models import Quotation, ReturnAuthorisation, SalesOrder


def quotation_numbers(sequence: Sequence) -> list[str]:
    """The numbers of the quotations of `sequence`, once each: a revision keeps its
    quotation's number (SQ/00001 rev 2), so only first revisions are read."""
    return list(
        Quotation.objects.filter(
            company_id=sequence.company_id, revision=1, number__startswith=sequence.head
        ).values_list("number", flat=True)
    )


def order_numbers(sequence: Sequence) -> list[str]:
    """The numbers of the sales orders of `sequence`."""
    return list(
        SalesOrder.objects.filter(
            company_id=sequence.company_id, number__startswith=sequence.head
        ).values_list("number", flat=True)
    )


def return_numbers(sequence: Sequence) -> list[str]:
    """The numbers of the customer returns (RMA) of `sequence`."""
    return list(
        ReturnAuthorisation.objects.filter(
            company_id=sequence.company_id, number__startswith=sequence.head
        ).values_list("number", flat=True)
    )
