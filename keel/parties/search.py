"""Global search provider: parties by name, e-mail, phone or domain."""

from __future__ import annotations

from django.urls import reverse

from keel.core.search import SearchHit

from .selectors import search_parties


def parties(user, term: str, limit: int) -> list[SearchHit]:
    if not user.has_perm("parties.view_party"):
        return []
    return [
        SearchHit(
            title=party.name,
            description=" · ".join(
                p
                for p in [
                    party.get_kind_display(),
                    party.organisation.name if party.organisation_id else "",
                    party.email,
                    party.phone,
                ]
                if p
            ),
            link=reverse("admin:parties_party_change", args=[party.pk]),
            icon="business" if party.kind == "organisation" else "person",
        )
        for party in search_parties(user, term).order_by("name", "id")[:limit]
    ]
