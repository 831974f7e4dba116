"""Global search over opportunities and leads (each user finds only what they may see)."""

from __future__ import annotations

from django.urls import reverse

from keel.core.search import SearchHit, register


def opportunities(user, term: str, limit: int):
    from .selectors import opportunities_visible_to

    if not user.has_perm("crm.view_opportunity"):
        return
    rows = opportunities_visible_to(user).filter(name__icontains=term)[:limit]
    for opportunity in rows:
        yield SearchHit(
            title=opportunity.name,
            description=f"{opportunity.party} · {opportunity.stage.name} · "
            f"{opportunity.amount} {opportunity.currency}",
            link=reverse("admin:crm_opportunity_change", args=[opportunity.pk]),
            icon="handshake",
        )


def leads(user, term: str, limit: int):
    from django.db.models import Q

    from .selectors_leads import leads_visible_to

    if not user.has_perm("crm.view_lead"):
        return
    rows = leads_visible_to(user).filter(
        Q(first_name__icontains=term)
        | Q(last_name__icontains=term)
        | Q(organisation_name__icontains=term)
        | Q(email__icontains=term)
    )[:limit]
    for lead in rows:
        yield SearchHit(
            title=str(lead),
            description=f"Lead · {lead.get_status_display()} · score {lead.score}",
            link=reverse("admin:crm_lead_change", args=[lead.pk]),
            icon="person_add",
        )


def register_search() -> None:
    register("crm.opportunities", opportunities)
    register("crm.leads", leads)
