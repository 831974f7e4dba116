"""Reads of parties: duplicates, scoped lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Party
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
    return Party.objects.filter(merged_into__isnull=True).select_related(
        "organisation", "region", "channel", "industry", "owner", "customer_group"
    )
