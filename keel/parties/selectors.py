"""Reads of parties: duplicates, scoped lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from keel.core.errors import InvalidInput

from .models import Address, Party
from .normalize import domain_of, normalize_name, normalize_phone


@dataclass(frozen=True)
class DuplicateMatch:
    party: Party
    reasons: tuple[str, ...]


def duplicates_of(
    company,
    *,
    name: str = "",
    email: str = "",
    phone: str = "",
    website: str = "",
    exclude_id: int | None = None,
) -> list[DuplicateMatch]:
    """Existing parties that look like the same one: the same e-mail, or the same
    normalised name together with the same domain or phone. Best matches first."""
    email = email.strip().lower()
    norm = normalize_name(name) if name else ""
    phone_n = normalize_phone(phone)
    domain = domain_of(email, website)
    conditions = Q()
    if email:
        conditions |= Q(email__iexact=email)
    if norm and domain:
        conditions |= Q(normalized_name=norm, domain=domain)
    if norm and phone_n:
        conditions |= Q(normalized_name=norm, normalized_phone=phone_n)
    if not conditions:
        return []
    candidates = Party.objects.filter(
        conditions, company=company, merged_into__isnull=True, erased_at__isnull=True
    )
    if exclude_id:
        candidates = candidates.exclude(pk=exclude_id)
    matches = []
    for party in candidates.order_by("id")[:20]:
        reasons = []
        if email and party.email.lower() == email:
            reasons.append("same e-mail")
        if norm and party.normalized_name == norm:
            if domain and party.domain == domain:
                reasons.append("same name and domain")
            if phone_n and party.normalized_phone == phone_n:
                reasons.append("same name and phone")
        matches.append(DuplicateMatch(party, tuple(reasons)))
    return sorted(matches, key=lambda m: (-len(m.reasons), m.party.pk))


def parties_visible_to(user) -> QuerySet[Party]:
    """Everyone with the view permission sees all parties except merged and erased ones;
    ownership limits what a Sales Rep may *edit* (see permissions)."""
    parties = Party.objects.filter(merged_into__isnull=True).select_related(
        "organisation", "region", "channel", "industry", "owner", "customer_group"
    )
    company_id = getattr(user, "company_id", None)
    if company_id and not user.is_superuser:
        parties = parties.filter(company_id=company_id)
    return parties


def parties_for_listing(user) -> QuerySet[Party]:
    """Visible parties with what a list or an export shows, in a fixed number of queries."""
    return parties_visible_to(user).prefetch_related(
        "tags",
        Prefetch("addresses", queryset=Address.objects.order_by("kind", "-is_default", "id")),
    )


def search_parties(user, term: str) -> QuerySet[Party]:
    """Visible parties whose name, e-mail, phone or domain contains `term`."""
    condition = (
        Q(name__icontains=term) | Q(email__icontains=term) | Q(domain__icontains=term.lower())
    )
    digits = normalize_phone(term).lstrip("+")
    if len(digits) >= 4:
        condition |= Q(normalized_phone__contains=digits)
    return parties_visible_to(user).filter(condition, erased_at__isnull=True)


def _value(party: Party, field) -> object:
    value = getattr(party, field.name)
    if field.is_relation:
        return None if value is None else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is not None and not isinstance(value, (str, int, bool, float)):
        return str(value)
    return value


def export_personal_data(person: Party) -> dict:
    """Everything Keel holds about a person (GDPR access request): their fields, addresses,
    tags, the history of changes and every record that points at them, summarised."""
    from .references import all_references

    if person.kind != Party.Kind.PERSON:
        raise InvalidInput(
            f"{person} is an organisation; personal data exports are for people.",
            code="not_a_person",
        )
    fields = {
        f.name: _value(person, f)
        for f in Party._meta.concrete_fields
        if f.name not in {"normalized_name", "normalized_phone"}
    }
    addresses = [
        {
            f: getattr(a, f)
            for f in (
                "kind",
                "street",
                "street2",
                "postal_code",
                "city",
                "state",
                "country",
                "is_default",
            )
        }
        for a in person.addresses.order_by("id")
    ]
    history = [
        {
            "date": h.history_date.isoformat(),
            "change": h.get_history_type_display(),
            "by": str(h.history_user) if h.history_user_id else None,
            "name": h.name,
            "email": h.email,
            "phone": h.phone,
        }
        for h in person.history.select_related("history_user").order_by("history_date")
    ]
    referenced_by = []
    for reference in all_references():
        if reference.model is Party and reference.field == "merged_into":
            continue
        for row in reference.rows_pointing_at([person.pk]).order_by("pk")[:500]:
            if reference.through_m2m:
                continue
            referenced_by.append(
                {
                    "record": reference.model._meta.label_lower,
                    "field": reference.field,
                    "id": row.pk,
                    "label": str(row),
                }
            )
    return {
        "party": fields,
        "addresses": addresses,
        "tags": sorted(person.tags.values_list("name", flat=True)),
        "history": history,
        "referenced_by": referenced_by,
    }
