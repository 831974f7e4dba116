"""What sales adds to the CRM timeline of an opportunity or a customer: each
quotation e-mailed, accepted online (by whom) or declined (and why)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import NoReverseMatch, reverse

from keel.crm.models import Opportunity
from keel.crm.timeline import TimelineEntry, register_timeline_source
from keel.parties.models import Party

from .models import Quotation


def _link(quotation: Quotation) -> str:
    try:
        return reverse("admin:sales_quotation_change", args=[quotation.pk])
    except NoReverseMatch:
        return ""


def quotation_entries(record) -> Iterable[TimelineEntry]:
    """The quotations of an opportunity (or of a customer): sent, accepted, declined."""
    if isinstance(record, Opportunity):
        found = Quotation.objects.filter(opportunity=record)
    elif isinstance(record, Party):
        found = Quotation.objects.filter(party=record)
    else:
        return
    for quotation in found.select_related("owner").order_by("id"):
        link, owner = _link(quotation), quotation.owner
        rep = (owner.get_full_name() or owner.get_username()) if owner else ""
        total = f"{quotation.amount_total} {quotation.currency}"
        if quotation.emailed_at:
            yield TimelineEntry(
                quotation.emailed_at,
                "quotation_sent",
                f"Quotation {quotation} e-mailed to {quotation.emailed_to}",
                total,
                rep,
                link,
            )
        if quotation.accepted_at:
            yield TimelineEntry(
                quotation.accepted_at,
                "quotation_accepted",
                f"Quotation {quotation} accepted online by {quotation.accepted_name}",
                total,
                quotation.accepted_name,
                link,
            )
        if quotation.declined_at:
            yield TimelineEntry(
                quotation.declined_at,
                "quotation_declined",
                f"Quotation {quotation} declined online",
                quotation.decline_reason,
                "",
                link,
            )


def register() -> None:
    register_timeline_source("sales.quotations", quotation_entries)
