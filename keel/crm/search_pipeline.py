"""Global search over opportunities (each user finds only what they may see)."""

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


def register_search() -> None:
    register("crm.opportunities", opportunities)
