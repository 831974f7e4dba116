"""vCard 3.0 / 4.0 (RFC 2426 / RFC 6350) written and read with the `vobject` library."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import vobject
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from .models import Address, Party

VERSIONS = ("3.0", "4.0")
# Address kinds <-> ADR TYPE parameters (vCard has no billing/shipping; x-names carry them).
ADR_TYPES = {
    Address.Kind.BILLING: "work",
    Address.Kind.SHIPPING: "x-shipping",
    Address.Kind.OTHER: "x-other",
}
KIND_OF_ADR_TYPE = {v: k for k, v in ADR_TYPES.items()} | {
    "postal": "shipping",
    "parcel": "shipping",
}
CARD = re.compile(r"BEGIN:VCARD.*?END:VCARD", re.IGNORECASE | re.DOTALL)
MAX_CARDS = 2000


def _split_name(name: str) -> tuple[str, str]:
    given, _, family = name.strip().rpartition(" ")
    return (given, family) if given else ("", family)


def party_card(party: Party, version: str = "3.0") -> vobject.base.Component:
    """One party as a vCard component (addresses and organisation read from prefetches)."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version must be one of {VERSIONS}")
    card = vobject.vCard()
    card.add("version").value = version
    card.add("fn").value = party.name
    card.add("uid").value = f"urn:keel:party:{party.pk}"
    if party.kind == Party.Kind.PERSON:
        given, family = _split_name(party.name)
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
        if party.organisation_id:
            card.add("org").value = [party.organisation.name]
    else:
        card.add("n").value = vobject.vcard.Name(family=party.name)
        card.add("org").value = [party.name]
        if version == "4.0":
            card.add("kind").value = "org"
        else:
            card.add("x-abshowas").value = "COMPANY"
    if party.job_title:
        card.add("title").value = party.job_title
    if party.email:
        email = card.add("email")
        email.value = party.email
        email.type_param = "INTERNET" if version == "3.0" else "work"
    if party.phone:
        tel = card.add("tel")
        tel.value = party.phone
        tel.type_param = "WORK" if version == "3.0" else "work"
    if party.website:
        card.add("url").value = party.website
    for address in party.addresses.all():
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(
            street=" ".join(p for p in [address.street, address.street2] if p),
            city=address.city,
            region=address.state,
            code=address.postal_code,
            country=address.country,
        )
        adr.type_param = ADR_TYPES.get(address.kind, "x-other")
    if party.updated_at:
        card.add("rev").value = party.updated_at.strftime("%Y%m%dT%H%M%SZ")
    return card


def to_vcards(parties: Iterable[Party], version: str = "3.0") -> str:
    """The parties as one .vcf text (prefetch `addresses` and `organisation` first)."""
    return "".join(party_card(party, version).serialize() for party in parties)


@dataclass
class ParsedCard:
    """What one card says, in Party terms, or why it cannot be read."""

    number: int
    name: str = ""
    kind: str = Party.Kind.PERSON
    fields: dict = field(default_factory=dict)
    organisation_name: str = ""
    addresses: list[dict] = field(default_factory=list)
    error: str = ""


def _first(card, name: str) -> str:
    values = card.contents.get(name.lower()) or []
    return str(values[0].value).strip() if values else ""


def _read(card, number: int) -> ParsedCard:
    parsed = ParsedCard(number)
    name = _first(card, "fn")
    n = card.contents.get("n")
    if not name and n:
        name = " ".join(p for p in [n[0].value.given, n[0].value.family] if p).strip()
    if not name:
        raise ValueError("it has no name (FN or N).")
    parsed.name = name[:200]
    org = card.contents.get("org")
    org_name = (org[0].value[0] if org and org[0].value else "").strip()
    kind = _first(card, "kind").lower() or _first(card, "x-abshowas").lower()
    if kind in {"org", "company"} or (org_name and org_name == name and not n):
        parsed.kind = Party.Kind.ORGANISATION
    elif org_name and org_name != name:
        parsed.organisation_name = org_name
    email = _first(card, "email")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ValueError(f"its e-mail “{email}” is not a valid address.") from None
    website = _first(card, "url")
    if website:
        try:
            URLValidator()(website)
        except ValidationError:
            raise ValueError(f"its website “{website}” is not a valid URL.") from None
    parsed.fields = {
        "email": email.lower(),
        "phone": _first(card, "tel")[:40],
        "website": website,
        "job_title": _first(card, "title")[:120],
    }
    for adr in card.contents.get("adr", []):
        value = adr.value
        types = [t.lower() for t in adr.params.get("TYPE", [])]
        kind_of = next((KIND_OF_ADR_TYPE[t] for t in types if t in KIND_OF_ADR_TYPE), "other")
        country = (value.country or "").strip()
        if len(country) > 2:
            raise ValueError(f"its address country “{country}” is not an ISO 3166 code.")
        parsed.addresses.append(
            {
                "kind": kind_of,
                "street": str(value.street or "")[:200],
                "postal_code": str(value.code or "")[:20],
                "city": str(value.city or "")[:120],
                "state": str(value.region or "")[:120],
                "country": country.upper(),
            }
        )
    return parsed


def parse_vcards(text: str) -> list[ParsedCard]:
    """Each card of a .vcf file parsed on its own, so one bad card does not hide the others."""
    blocks = CARD.findall(text)
    if not blocks:
        return [ParsedCard(1, error="The file holds no vCard (BEGIN:VCARD … END:VCARD).")]
    if len(blocks) > MAX_CARDS:
        return [ParsedCard(1, error=f"The file holds {len(blocks)} cards; at most {MAX_CARDS}.")]
    cards = []
    for number, block in enumerate(blocks, start=1):
        try:
            card = vobject.readOne(block, validate=True)
            cards.append(_read(card, number))
        except ValueError as error:
            cards.append(ParsedCard(number, error=f"Card {number} is not imported: {error}"))
        except Exception as error:  # vobject raises assorted parse errors for malformed text
            cards.append(ParsedCard(number, error=f"Card {number} is not valid vCard: {error}"))
    return cards
