"""GDPR erasure of a person: personal values go, the records and their links stay."""

from __future__ import annotations

from django.utils import timezone

from keel.core.errors import Conflict, InvalidInput, NotFound, PermissionRefused
from keel.core.events import publish
from keel.core.transactions import atomic_service

from ..events import PersonErased
from ..models import Address, Party, PersonalDataErasure

# Personal values blanked on the party and in every historical copy of it.
PERSONAL_FIELDS = {
    "email": "",
    "phone": "",
    "normalized_phone": "",
    "website": "",
    "domain": "",
    "job_title": "",
    "tax_id": "",
    "notes": "",
}
ADDRESS_FIELDS = ("street", "street2", "postal_code", "city", "state")


def erased_name(party_id: int) -> str:
    return f"Erased person #{party_id}"


@atomic_service
def erase_person(person_id: int, *, by, reason: str) -> Party:
    """Anonymise a person (name, contact details, addresses, notes, history) and record
    who erased them and why. Foreign keys stay, so invoices and deals keep their party."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Say why the person is erased (e.g. the request's reference).", field="reason"
        )
    if by is not None and not by.has_perm("parties.erase_person"):
        raise PermissionRefused("Your role cannot erase personal data.")
    person = Party.objects.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"No party with id {person_id}.")
    if person.kind != Party.Kind.PERSON:
        raise InvalidInput(
            f"{person} is an organisation; only a person's data is erased.", code="not_a_person"
        )
    if person.erased_at:
        raise Conflict(f"Party #{person.pk} was already erased.", code="already_erased")

    now = timezone.now()
    name = erased_name(person.pk)
    anonymous = {"name": name, "normalized_name": name.lower(), **PERSONAL_FIELDS}
    # The past copies first: django-simple-history keeps every earlier version.
    person.history.model.objects.filter(id=person.pk).update(**anonymous)
    Address.objects.filter(party=person).update(**dict.fromkeys(ADDRESS_FIELDS, ""))
    for field, value in anonymous.items():
        setattr(person, field, value)
    person.tags.clear()
    person.active = False
    person.erased_at = now
    person.version += 1
    person.updated_by = by
    person._change_reason = "Personal data erased"
    person.save()
    PersonalDataErasure.objects.create(party=person, erased_by=by, erased_at=now, reason=reason)
    publish(
        PersonErased(party_id=person.pk, erased_by=getattr(by, "username", "")),
        company=person.company,
    )
    return person
