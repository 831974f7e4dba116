"""{% crm_timeline record %}: the record's timeline, drawn where a page includes it."""

from django import template

from ..record_links import record_links
from ..timeline import timeline

register = template.Library()


@register.inclusion_tag("crm/timeline.html", takes_context=True)
def crm_timeline(context, record, limit: int = 50):
    user = context["request"].user
    allowed = user.has_perm("crm.view_activity") or user.has_perm("crm.view_opportunity")
    return {"entries": timeline(record, limit=limit) if allowed else [], "allowed": allowed}


@register.filter
def money(amount) -> str:
    """12000.5 → “12,000.50” (amounts on CRM pages)."""
    try:
        return f"{amount:,.2f}"
    except (TypeError, ValueError):
        return str(amount)


@register.inclusion_tag("crm/record_links.html", takes_context=True)
def crm_record_links(context, record):
    """The buttons other domains offer on this record (see keel.crm.record_links)."""
    return {"links": record_links(context["request"].user, record)}
