"""Import parties from a vCard file, card by card, with a report per card."""

from __future__ import annotations

from dataclasses import dataclass, field

from keel.core.errors import InvalidInput
from keel.core.transactions import atomic_service
from keel.core.uploads import check_upload

from ..models import Address, Party
from ..normalize import normalize_name
from ..selectors import DuplicateMatch, duplicates_of
from ..vcard import ParsedCard, parse_vcards
from .parties import create_party, update_party

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class CardOutcome:
    number: int
    name: str
    status: str  # "created", "duplicate" (not imported), "error"
    party: Party | None = None
    duplicates: list[DuplicateMatch] = field(default_factory=list)
    error: str = ""


@dataclass
class ImportReport:
    cards: list[CardOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for card in self.cards if card.status == status)

    @property
    def created(self) -> list[Party]:
        return [card.party for card in self.cards if card.status == "created"]


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    check_upload(data, "vcard", limit=MAX_BYTES)
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("The file is not text.", field="file")  # pragma: no cover


def _organisation(company, name: str, by, roles, known: dict, created_here: set) -> Party:
    """The organisation a contact card names: an existing one by normalised name, else new."""
    norm = normalize_name(name)
    if norm not in known:
        existing = (
            Party.objects.filter(
                company=company,
                kind=Party.Kind.ORGANISATION,
                normalized_name=norm,
                merged_into__isnull=True,
            )
            .order_by("id")
            .first()
        )
        if existing is None:
            existing = create_party(
                company=company, by=by, kind=Party.Kind.ORGANISATION, name=name, **roles
            )
            created_here.add(existing.pk)
        known[norm] = existing
    return known[norm]


@atomic_service
def import_vcards(
    company, data: bytes | str, *, by, import_duplicates: bool = False, **roles
) -> ImportReport:
    """Create a party per good card. A bad card is reported and skipped; a card that looks
    like an existing party is reported with its matches and skipped unless
    `import_duplicates`. `roles` (is_customer=True…) apply to every created party."""
    roles = {flag: bool(v) for flag, v in roles.items() if flag.startswith("is_")}
    report = ImportReport()
    context = {"known": {}, "created_here": set()}
    for card in parse_vcards(decode(data)):
        report.cards.append(_import_one(company, card, by, import_duplicates, roles, context))
    return report


def _import_one(company, card: ParsedCard, by, import_duplicates, roles, context):
    if card.error:
        return CardOutcome(card.number, card.name, "error", error=card.error)
    named = context["known"].get(normalize_name(card.name))
    if card.kind == Party.Kind.ORGANISATION and named and named.pk in context["created_here"]:
        # An earlier card of this file named it as its ORG: complete that one, once.
        context["created_here"].discard(named.pk)
        party = update_party(named.pk, by=by, **{k: v for k, v in card.fields.items() if v})
        _add_addresses(party, card)
        return CardOutcome(card.number, card.name, "created", party=party)
    matches = duplicates_of(
        company,
        name=card.name,
        email=card.fields["email"],
        phone=card.fields["phone"],
        website=card.fields["website"],
    )
    if matches and not import_duplicates:
        return CardOutcome(card.number, card.name, "duplicate", duplicates=matches)
    organisation = None
    if card.organisation_name:
        organisation = _organisation(
            company, card.organisation_name, by, roles, context["known"], context["created_here"]
        )
    party = create_party(
        company=company,
        by=by,
        kind=card.kind,
        name=card.name,
        organisation=organisation,
        **card.fields,
        **roles,
    )
    _add_addresses(party, card)
    return CardOutcome(card.number, card.name, "created", party=party, duplicates=matches)


def _add_addresses(party: Party, card: ParsedCard) -> None:
    addresses, defaults = [], set()
    for address in card.addresses:
        # The first address of each kind on the card becomes the default one.
        addresses.append(
            Address(party=party, is_default=address["kind"] not in defaults, **address)
        )
        defaults.add(address["kind"])
    Address.objects.bulk_create(addresses)
