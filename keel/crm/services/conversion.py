"""Convert a lead: reuse the organisation we already know (or create it), add the
contact person, open an opportunity, and mark the lead converted."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from keel.core.errors import Conflict, InvalidInput, TransitionNotAllowed
from keel.core.events import publish
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.parties.models import Party
from keel.parties.selectors import duplicates_of
from keel.parties.services.parties import create_party

from ..events import LeadConverted
from ..models import Lead
from . import opportunities


def _existing_organisation(lead: Lead) -> Party | None:
    """The organisation the lead belongs to, if we know it: the same name and domain, or
    the same e-mail (on the organisation, or on one of its contacts)."""
    for match in duplicates_of(
        lead.company,
        name=lead.organisation_name,
        email=lead.email,
        website=lead.website,
        phone=lead.phone,
    ):
        party = match.party
        if party.kind == Party.Kind.ORGANISATION:
            return party
        if party.organisation_id:
            return party.organisation
    return None


def _existing_contact(organisation: Party, email: str) -> Party | None:
    if not email:
        return None
    return (
        organisation.contacts.filter(email__iexact=email, merged_into__isnull=True)
        .order_by("id")
        .first()
    )


def _person_name(lead: Lead) -> str:
    return f"{lead.first_name} {lead.last_name}".strip()


@atomic_service
def convert_lead(
    lead_id: int,
    *,
    by,
    create_opportunity: bool = True,
    opportunity_name: str = "",
    amount: Decimal = Decimal("0"),
    expected_close=None,
    pipeline=None,
    now=None,
) -> Lead:
    """New or qualified lead → converted, linked to its organisation and contact.

    Refuses a converted or disqualified lead, and leaves everything unchanged when
    any step is refused (no pipeline, for instance)."""
    now = now or timezone.now()
    lead = Lead.objects.select_for_update(of=("self",)).select_related("company").get(pk=lead_id)
    if lead.status == Lead.Status.CONVERTED:
        raise Conflict(f"Lead {lead} is already converted.", code="already_converted")
    if lead.status == Lead.Status.DISQUALIFIED:
        raise TransitionNotAllowed(
            f"Lead {lead} is disqualified ({lead.disqualify_reason}); reopen it before converting.",
            field="status",
        )
    company, person = lead.company, _person_name(lead)
    if not (person or lead.organisation_name):
        raise InvalidInput(
            f"Lead {lead} has neither a person's name nor an organisation; add one first.",
            field="organisation_name",
        )
    common = {"company": company, "by": by, "region": lead.region, "industry": lead.industry}
    organisation = _existing_organisation(lead)
    reused = organisation is not None
    if organisation is None and lead.organisation_name:
        organisation = create_party(
            kind=Party.Kind.ORGANISATION,
            name=lead.organisation_name,
            is_prospect=True,
            website=lead.website,
            phone="" if person else lead.phone,
            email="" if person else lead.email,
            owner=lead.owner or by,
            **common,
        )
    contact = None
    if person:
        contact = _existing_contact(organisation, lead.email) if organisation else None
        if contact is None:
            contact = create_party(
                kind=Party.Kind.PERSON,
                name=person,
                organisation=organisation,
                job_title=lead.job_title,
                email=lead.email,
                phone=lead.phone,
                is_prospect=organisation is None,
                owner=lead.owner or by,
                **common,
            )
    account = organisation or contact
    opportunity = None
    if create_opportunity:
        opportunity = opportunities.create_opportunity(
            company=company,
            name=opportunity_name or f"{account.name}: new business",
            party=account,
            contact=contact,
            lead=lead,
            owner=lead.owner or by,
            by=by,
            pipeline=pipeline,
            amount=amount,
            expected_close=expected_close,
        )
    lead.party, lead.contact, lead.converted_at = account, contact, now
    lead.save(update_fields=["party", "contact", "converted_at"])
    transition(lead, Lead.Status.CONVERTED, by=by, note=f"Converted onto {account}", at=now)
    publish(
        LeadConverted(
            lead_id=lead.pk,
            party_id=account.pk,
            contact_id=contact.pk if contact else None,
            opportunity_id=opportunity.pk if opportunity else None,
            reused_party=reused,
        ),
        company=company,
    )
    return lead
