"""The CRM's reactions to lower tiers' events."""

from __future__ import annotations

from keel.core.events import subscribe
from keel.parties.events import PersonErased

from .services.leads import anonymise_leads_of


def on_person_erased(event: PersonErased) -> None:
    """A person's personal data is erased: so are the leads that became that person."""
    anonymise_leads_of(event.party_id)


def register() -> None:
    subscribe(PersonErased, on_person_erased)
