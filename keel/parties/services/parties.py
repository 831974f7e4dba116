"""Create and update parties, keeping their normal forms for duplicate detection."""

from __future__ import annotations

from keel.core.errors import Conflict, InvalidInput, StaleRecord
from keel.core.transactions import atomic_service

from ..models import Party
from ..normalize import domain_of, normalize_name, normalize_phone


def refresh_normal_forms(party: Party) -> None:
    party.normalized_name = normalize_name(party.name)
    party.normalized_phone = normalize_phone(party.phone)
    party.domain = domain_of(party.email, party.website)


def _check(party: Party) -> None:
    if not party.name.strip():
        raise InvalidInput("A party needs a name.", field="name")
    if party.kind == Party.Kind.ORGANISATION and party.organisation_id:
        raise InvalidInput(
            "An organisation cannot be the contact of another organisation.",
            field="organisation",
        )
    if party.organisation_id and party.organisation.company_id != party.company_id:
        raise InvalidInput("The organisation belongs to another company.", field="organisation")
    if party.organisation_id and party.organisation.kind != Party.Kind.ORGANISATION:
        raise InvalidInput(
            "A contact belongs to an organisation, not a person.", field="organisation"
        )


@atomic_service
def create_party(*, company, by=None, tags=(), **fields) -> Party:
    """A new organisation or person (duplicates are shown to the user, not refused)."""
    party = Party(company=company, created_by=by, updated_by=by, **fields)
    if party.owner_id is None and by is not None:
        party.owner = by
    _check(party)
    refresh_normal_forms(party)
    party.save()
    if tags:
        party.tags.set(tags)
    return party


@atomic_service
def update_party(
    party_id: int, *, by=None, version: int | None = None, tags=None, **changes
) -> Party:
    """Apply `changes`; refuses a stale edit when the caller says which version it read."""
    party = Party.objects.select_for_update().get(pk=party_id)
    if party.erased_at or party.merged_into_id:
        raise Conflict(
            f"Party #{party.pk} was erased or merged and can no longer be changed.",
            code="party_closed",
        )
    if version is not None and version != party.version:
        raise StaleRecord(
            f"{party} was changed by someone else since you opened it (version {party.version}, "
            f"yours {version}). Reload and apply your change again."
        )
    for field, value in changes.items():
        setattr(party, field, value)
    _check(party)
    refresh_normal_forms(party)
    party.version += 1
    party.updated_by = by
    party.save()
    if tags is not None:
        party.tags.set(tags)
    return party
