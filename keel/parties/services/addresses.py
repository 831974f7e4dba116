"""Addresses of a party: one default per kind."""

from __future__ import annotations

from keel.core.errors import Conflict, InvalidInput
from keel.core.transactions import atomic_service

from ..models import Address


@atomic_service
def save_address(address: Address) -> Address:
    """Create or change an address; making it the default unsets the kind's other default."""
    party = address.party
    if party.erased_at or party.merged_into_id:
        raise Conflict(f"{party} was erased or merged; its addresses cannot change.")
    address.country = (address.country or "").strip().upper()
    if address.country and (len(address.country) != 2 or not address.country.isalpha()):
        raise InvalidInput(
            "The country is a two-letter ISO code such as US or DE.", field="country"
        )
    address.save()
    if address.is_default:
        Address.objects.filter(party=party, kind=address.kind, is_default=True).exclude(
            pk=address.pk
        ).update(is_default=False)
    return address


@atomic_service
def delete_address(address_id: int) -> None:
    Address.objects.filter(pk=address_id).delete()
