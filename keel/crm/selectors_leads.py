"""Reads of leads: scoped lists, possible duplicates, import progress. Never writes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from keel.parties.models import Party, Region
from keel.parties.normalize import domain_of, normalize_name
from keel.parties.selectors import duplicates_of

from .lead_permissions import can_see_all_leads
from .models import AssignmentRule, Lead, LeadImport, ScoringRule

OPEN_STATUSES = (Lead.Status.NEW, Lead.Status.QUALIFIED)


def leads_visible_to(user) -> QuerySet[Lead]:
    """Every lead for managers, marketing, auditors and administrators; a rep's own
    leads (owned, or captured by them while unassigned) for everyone else."""
    qs = Lead.objects.select_related("owner", "region", "industry", "party", "contact")
    if can_see_all_leads(user):
        return qs
    return qs.filter(Q(owner=user) | Q(owner__isnull=True, created_by=user))


def lead_imports_visible_to(user) -> QuerySet[LeadImport]:
    qs = LeadImport.objects.select_related("created_by").defer("content")
    if can_see_all_leads(user):
        return qs
    return qs.filter(created_by=user)


def scoring_rules(company) -> list[ScoringRule]:
    return list(ScoringRule.objects.filter(company=company, active=True).order_by("kind", "id"))


def assignment_rules(company) -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.filter(company=company, active=True).order_by("priority", "id")


def regions_by_country(company) -> dict[str, int]:
    """{ISO country code: region id} from each territory's list of countries."""
    found: dict[str, int] = {}
    for region_id, countries in (
        Region.objects.filter(company=company).order_by("id").values_list("id", "countries")
    ):
        for code in countries or []:
            found.setdefault(str(code).upper(), region_id)
    return found


def possible_duplicates(
    company,
    *,
    email: str = "",
    organisation_name: str = "",
    website: str = "",
    phone: str = "",
    exclude_lead_id: int | None = None,
) -> list[dict]:
    """Leads with the same e-mail and parties that look the same (parties.duplicates_of),
    as warnings: [{kind, id, label, reasons}]."""
    found: list[dict] = []
    email = (email or "").strip()
    if email:
        leads = Lead.objects.filter(company=company, email__iexact=email)
        if exclude_lead_id:
            leads = leads.exclude(pk=exclude_lead_id)
        for lead in leads.order_by("id")[:10]:
            found.append(
                {"kind": "lead", "id": lead.pk, "label": str(lead), "reasons": ["same e-mail"]}
            )
    for match in duplicates_of(
        company, name=organisation_name, email=email, phone=phone, website=website
    ):
        found.append(
            {
                "kind": "party",
                "id": match.party.pk,
                "label": str(match.party),
                "reasons": list(match.reasons),
            }
        )
    return found


def duplicate_index(company, emails: Iterable[str], names: Iterable[str]) -> dict:
    """What a batch of imported rows may duplicate, in three queries whatever its size:
    {"lead_emails": set, "party_emails": {email: name}, "party_names": {(name, domain): name}}."""
    emails = sorted({e.lower() for e in emails if e})
    names = sorted({n for n in (normalize_name(x) for x in names if x) if n})
    index: dict = {"lead_emails": set(), "party_emails": {}, "party_names": {}}
    # PostgreSQL takes the whole batch as one array parameter (a 5,000-value IN list
    # costs more to build than to run); SQLite as many values as it allows per query.
    arrays = connection.vendor == "postgresql"
    size = len(emails) + len(names) + 1 if arrays else connection.features.max_query_params - 10
    for chunk in _chunks(emails, size):
        index["lead_emails"].update(
            e.lower()
            for e in Lead.objects.filter(_one_of("email", chunk), company=company).values_list(
                "email", flat=True
            )
        )
        for email, name in Party.objects.filter(
            _one_of("email", chunk), company=company, merged_into__isnull=True
        ).values_list("email", "name"):
            index["party_emails"][email.lower()] = name
    for chunk in _chunks(names, size):
        for norm, domain, name in Party.objects.filter(
            _one_of("normalized_name", chunk), company=company, merged_into__isnull=True
        ).values_list("normalized_name", "domain", "name"):
            if domain:
                index["party_names"][(norm, domain)] = name
    return index


def _one_of(field: str, values: list[str]) -> Q:
    """`field IN values`, as one array parameter on PostgreSQL."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::text[])", [values])})
    return Q(**{f"{field}__in": values})


def duplicate_reasons(index: dict, email: str, organisation_name: str, website: str) -> list[str]:
    """Why one imported row may be a duplicate, given the batch's duplicate_index."""
    reasons = []
    email = email.lower()
    if email and email in index["lead_emails"]:
        reasons.append("a lead with the same e-mail exists")
    if email and email in index["party_emails"]:
        reasons.append(f"party {index['party_emails'][email]} has the same e-mail")
    if organisation_name:
        key = (normalize_name(organisation_name), domain_of(email, website))
        if key[1] and key in index["party_names"]:
            reasons.append(f"party {index['party_names'][key]} has the same name and domain")
    return reasons


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
