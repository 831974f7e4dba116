"""What sales adds to CRM records: on the timeline of an opportunity or a customer,
each quotation e-mailed, accepted online (by whom) or declined (and why); on an
open opportunity its owner may quote, a "New quotation" button."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import NoReverseMatch, reverse

from keel.core.money import format_money
from keel.crm.models import Opportunity
from keel.crm.record_links import RecordLink, register_record_link
from keel.crm.selectors import may_manage_opportunity
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
        total = format_money(quotation.amount_total, quotation.currency)
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


def new_quotation_link(user, record) -> RecordLink | None:
    """ "New quotation" on an open opportunity the user may quote."""
    if not isinstance(record, Opportunity) or record.status != Opportunity.Status.OPEN:
        return None
    if not user.has_perm("sales.add_quotation") or not may_manage_opportunity(user, record):
        return None
    url = f"{reverse('sales:quotation_new')}?opportunity={record.pk}"
    return RecordLink("New quotation", url, "new-quotation")


def register() -> None:
    register_timeline_source("sales.quotations", quotation_entries)
    register_record_link("sales.new_quotation", new_quotation_link)
