"""Leads: capture, edit, qualify, disqualify, reopen, record engagements, delete."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from keel.core.errors import Conflict, InvalidInput, StaleRecord
from keel.core.events import publish
from keel.core.transactions import atomic_service
from keel.core.workflow import transition

from ..events import LeadCaptured, LeadDisqualified, LeadQualified, LeadReopened
from ..models import Lead, LeadEngagement
from ..selectors_leads import possible_duplicates, regions_by_country, scoring_rules
from .assignment import assign_leads
from .scoring import apply_score, score_lead

# What a caller may set on a lead (the rest is derived or set by the verbs below).
EDITABLE_FIELDS = {
    "first_name",
    "last_name",
    "organisation_name",
    "job_title",
    "email",
    "phone",
    "website",
    "country",
    "region",
    "industry",
    "employees",
    "message",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "owner",
}


@dataclass
class Captured:
    lead: Lead
    possible_duplicates: list[dict] = field(default_factory=list)


def _clean(lead: Lead) -> None:
    lead.email = (lead.email or "").strip().lower()
    lead.country = (lead.country or "").strip().upper()
    if not (lead.email or lead.first_name or lead.last_name or lead.organisation_name):
        raise InvalidInput("Give at least an e-mail address or a name.", field="email")


def _validate(lead: Lead) -> None:
    """Field checks of the model (lengths, e-mail, URL) as an InvalidInput at the field."""
    try:
        lead.full_clean(
            exclude=["owner", "region", "industry", "party", "contact", "company"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        name, problems = next(iter(error.message_dict.items()))
        raise InvalidInput(problems[0], field=name) from None


def _unknown(fields: dict) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"A lead has no editable field {sorted(unknown)[0]}.", field=None)


@atomic_service
def capture_lead(*, company, source: str, by=None, now=None, **fields) -> Captured:
    """A new lead, assigned by the rules (unless an owner is given) and scored; possible
    duplicates among leads and parties come back as warnings, never as a refusal."""
    _unknown(fields)
    now = now or timezone.now()
    lead = Lead(company=company, source=source, created_by=by, updated_by=by, **fields)
    _clean(lead)
    _validate(lead)
    if lead.region_id is None and lead.country:
        lead.region_id = regions_by_country(company).get(lead.country)
    assign_leads(company, [lead])
    apply_score(lead, scoring_rules(company), now)
    lead.save()
    publish(
        LeadCaptured(lead_id=lead.pk, source=source, owner_id=lead.owner_id, score=lead.score),
        company=company,
    )
    duplicates = possible_duplicates(
        company,
        email=lead.email,
        organisation_name=lead.organisation_name,
        website=lead.website,
        phone=lead.phone,
        exclude_lead_id=lead.pk,
    )
    return Captured(lead, duplicates)


def _locked(lead_id: int) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead_id)


@atomic_service
def update_lead(lead_id: int, *, by=None, version: int | None = None, now=None, **changes) -> Lead:
    """Apply `changes` and re-score; refuses a converted lead and a stale edit."""
    _unknown(changes)
    lead = _locked(lead_id)
    if version is not None and version != lead.version:
        raise StaleRecord(
            f"Lead {lead} was changed by someone else since you opened it (version "
            f"{lead.version}, yours {version}). Reload and apply your change again."
        )
    if lead.status == Lead.Status.CONVERTED:
        raise Conflict(f"Lead {lead} is converted; change its account instead.", field="status")
    for name, value in changes.items():
        setattr(lead, name, value)
    _clean(lead)
    _validate(lead)
    lead.version += 1
    lead.updated_by = by
    lead.save()
    return score_lead(lead, now)


@atomic_service
def qualify_lead(lead_id: int, *, by=None, note: str = "") -> Lead:
    """New → qualified: worth a sales conversation."""
    lead = _locked(lead_id)
    transition(lead, Lead.Status.QUALIFIED, by=by, note=note)
    publish(LeadQualified(lead_id=lead.pk, by=str(by or "")), company=lead.company)
    return lead


@atomic_service
def disqualify_lead(lead_id: int, *, reason: str, by=None) -> Lead:
    """New or qualified → disqualified, with the reason kept on the lead."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the lead is disqualified.", field="reason")
    if len(reason) > 300:
        raise InvalidInput("Keep the reason under 300 characters.", field="reason")
    lead = _locked(lead_id)
    transition(lead, Lead.Status.DISQUALIFIED, by=by, note=reason)
    lead.disqualify_reason = reason
    lead.save(update_fields=["disqualify_reason"])
    publish(
        LeadDisqualified(lead_id=lead.pk, reason=reason, by=str(by or "")), company=lead.company
    )
    return lead


@atomic_service
def reopen_lead(lead_id: int, *, by=None) -> Lead:
    """Disqualified → new, forgetting the reason."""
    lead = _locked(lead_id)
    transition(lead, Lead.Status.NEW, by=by, note="Reopened")
    lead.disqualify_reason = ""
    lead.save(update_fields=["disqualify_reason"])
    publish(LeadReopened(lead_id=lead.pk, by=str(by or "")), company=lead.company)
    return lead


@atomic_service
def record_engagement(
    lead_id: int, *, kind: str, occurred_at=None, detail: str = "", now=None
) -> Lead:
    """Something the lead did (opened a mailing, visited pricing); the lead is re-scored."""
    kind = (kind or "").strip()
    if not kind:
        raise InvalidInput("Name what the lead did (e.g. opened_mailing).", field="kind")
    now = now or timezone.now()
    lead = _locked(lead_id)
    LeadEngagement.objects.create(
        lead=lead, kind=kind[:40], occurred_at=occurred_at or now, detail=detail[:200]
    )
    return score_lead(lead, now)


@atomic_service
def delete_lead(lead_id: int, *, by=None) -> None:
    """Remove a lead that never became business; a converted lead is kept for the record."""
    lead = _locked(lead_id)
    if lead.status == Lead.Status.CONVERTED or lead.opportunities.exists():
        raise Conflict(
            f"Lead {lead} became an opportunity; it is kept for the record.", field="status"
        )
    lead.engagements.all().delete()
    lead.delete()


def anonymise_leads_of(party_id: int) -> int:
    """Blank the personal fields of leads converted into (or matched to) the erased person;
    the leads stay, so the funnel counts do not change. Returns how many were erased."""
    from ..models import Lead

    leads = Lead.objects.filter(contact_id=party_id)
    erased = list(leads.values_list("pk", flat=True))
    leads.update(
        first_name="",
        last_name=f"Erased person #{party_id}",
        email="",
        phone="",
        job_title="",
        message="",
    )
    # django-simple-history keeps old values: erase them there too.
    Lead.history.filter(id__in=erased).update(
        first_name="", last_name=f"Erased person #{party_id}", email="", phone="", message=""
    )
    return len(erased)
