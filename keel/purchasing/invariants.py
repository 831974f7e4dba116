"""Purchasing's promises for `keel check`: purchase order numbers are gapless."""

from __future__ import annotations

from keel.core.models import Sequence

from .models import PurchaseOrder


def order_numbers(sequence: Sequence) -> list[str]:
    """The numbers of the purchase orders of `sequence`."""
    return list(
        PurchaseOrder.objects.filter(
            company_id=sequence.company_id, number__startswith=sequence.head
        ).values_list("number", flat=True)
    )
