"""Scenario: a web form lead is scored, assigned, converted onto an existing customer
without creating a duplicate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from keel.core.models import OutboxEvent
from keel.crm.models import AssignmentRule, Lead, Opportunity, ScoringRule
from keel.crm.services import conversion, leads
from keel.crm.tests.factories import (
    AssignmentRuleFactory,
    PartyFactory,
    PipelineFactory,
    RegionFactory,
    ScoringRuleFactory,
)
from keel.parties.models import Party
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    from django.core.cache import cache

    cache.clear()


def scoring_rules(company):
    """+20 over 200 employees, +10 with a website, +15 for a director, +10 per opened
    mailing halving every 30 days."""
    Op, Kind = ScoringRule.Operator, ScoringRule.Kind
    ScoringRuleFactory(
        company=company,
        name="Big company",
        field="employees",
        operator=Op.GREATER_THAN,
        value="200",
        points=20,
    )
    ScoringRuleFactory(
        company=company, name="Has a website", field="website", operator=Op.IS_SET, points=10
    )
    ScoringRuleFactory(
        company=company,
        name="Director",
        field="job_title",
        operator=Op.CONTAINS,
        value="director",
        points=15,
    )
    ScoringRuleFactory(
        company=company,
        name="Small company",
        field="employees",
        operator=Op.EQUALS,
        value="10",
        points=-5,
    )
    ScoringRuleFactory(
        company=company,
        name="Opened a mailing",
        kind=Kind.BEHAVIOUR,
        behaviour="opened_mailing",
        points=10,
        half_life_days=30,
    )


def test_web_form_lead_is_scored_assigned_and_converted_onto_the_existing_customer(company):
    """Given Acme, an existing customer with Jane Roe as its contact, a European territory
    served in turn by two reps (Ann served last), scoring rules and a sales pipeline;
    When Jane fills in the web form from a campaign link, opens two mailings, and the
    lead is converted;
    Then the lead came from the web form with its UTM tags, went to Bob (Ann's turn was
    last), scored 45 then 53 with the reasons listed, and was converted onto Acme and Jane
    with an opportunity — without a single new party."""
    # Given
    europe = RegionFactory(company=company, name="Europe", countries=["DE", "FR"])
    ann = user_with_role(Role.SALES_REP, "ann", company=company)
    bob = user_with_role(Role.SALES_REP, "bob", company=company)
    manager = user_with_role(Role.SALES_MANAGER, company=company)
    AssignmentRuleFactory(
        company=company,
        name="Europe in turn",
        region=europe,
        priority=1,
        members=[ann, bob],
        last_assigned=ann,
    )
    AssignmentRuleFactory(company=company, name="Everything else", priority=9, members=[manager])
    acme = PartyFactory(
        company=company, name="Acme Corporation", website="https://acme.example", is_customer=True
    )
    jane = PartyFactory(
        company=company,
        kind=Party.Kind.PERSON,
        name="Jane Roe",
        organisation=acme,
        email="jane.roe@acme.example",
    )
    scoring_rules(company)
    PipelineFactory(company=company)
    parties_before = Party.objects.count()

    # When: the web form is posted from a campaign link
    response = Client().post(
        "/w/crm/web-to-lead/?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
        {
            "first_name": "Jane",
            "last_name": "Roe",
            "email": "Jane.Roe@acme.example",
            "organisation_name": "ACME Corp.",
            "job_title": "Sales Director",
            "website": "https://www.acme.example",
            "employees": "350",
            "country": "de",
            "message": "We need 40 seats.",
        },
    )

    # Then: it thanks the visitor, and the lead is scored and assigned
    assert response.status_code == 302
    assert response["Location"] == "/w/crm/web-to-lead/thanks/"
    lead = Lead.objects.get()
    assert (lead.source, lead.utm_source, lead.utm_medium, lead.utm_campaign) == (
        "web_form",
        "newsletter",
        "email",
        "spring",
    )
    assert (lead.email, lead.country, lead.region, lead.owner) == (
        "jane.roe@acme.example",
        "DE",
        europe,
        bob,
    )
    assert AssignmentRule.objects.get(name="Europe in turn").last_assigned == bob
    assert lead.score == 45
    assert lead.score_breakdown == [
        {"rule": "Big company", "points": 20, "why": "employees 350 > 200"},
        {"rule": "Has a website", "points": 10, "why": "website is set"},
        {"rule": "Director", "points": 15, "why": "job_title 'Sales Director' contains 'director'"},
    ]

    # When: she opened mailings 30 and 60 days ago (10 * 0.5 + 10 * 0.25 = 7.5 -> 8)
    now = timezone.now()
    leads.record_engagement(
        lead.pk, kind="opened_mailing", occurred_at=now - timedelta(days=30), now=now
    )
    lead = leads.record_engagement(
        lead.pk, kind="opened_mailing", occurred_at=now - timedelta(days=60), now=now
    )

    # Then
    assert lead.score == 53
    assert lead.score_breakdown[0] == {
        "rule": "Opened a mailing",
        "points": 8,
        "why": "2 × opened_mailing, decayed with a 30-day half-life",
    }

    # When: Bob converts it
    converted = conversion.convert_lead(lead.pk, by=bob)

    # Then: it lands on Acme and Jane, with an opportunity, and no party was added
    assert (converted.status, converted.party, converted.contact) == ("converted", acme, jane)
    assert Party.objects.count() == parties_before
    opportunity = Opportunity.objects.get()
    assert (opportunity.party, opportunity.contact, opportunity.lead, opportunity.owner) == (
        acme,
        jane,
        converted,
        bob,
    )
    assert opportunity.stage.name == "Qualification"
    topics = list(OutboxEvent.objects.order_by("occurred_at").values_list("topic", flat=True))
    assert topics == ["crm.lead.captured", "crm.lead.converted"]


def test_converting_an_unknown_organisation_creates_it_and_its_contact(company, users):
    """Given a lead from an organisation we do not know; When it is converted without an
    opportunity; Then a prospect organisation and its contact are created."""
    rep = users[Role.SALES_REP]
    lead = leads.capture_lead(
        company=company,
        source="manual",
        by=rep,
        owner=rep,
        first_name="Li",
        last_name="Wei",
        email="li@newco.example",
        organisation_name="NewCo GmbH",
    ).lead

    converted = conversion.convert_lead(lead.pk, by=rep, create_opportunity=False)

    org, person = converted.party, converted.contact
    assert (org.name, org.kind, org.is_prospect, org.is_customer) == (
        "NewCo GmbH",
        "organisation",
        True,
        False,
    )
    assert (person.name, person.organisation, person.email) == ("Li Wei", org, "li@newco.example")
    assert Opportunity.objects.count() == 0


@pytest.mark.parametrize("status", ["converted", "disqualified"])
def test_converting_a_converted_or_disqualified_lead_is_refused_and_writes_nothing(
    company, users, status
):
    rep = users[Role.SALES_REP]
    PipelineFactory(company=company)
    lead = leads.capture_lead(
        company=company,
        source="manual",
        by=rep,
        owner=rep,
        first_name="Al",
        organisation_name="Once Ltd",
    ).lead
    if status == "converted":
        conversion.convert_lead(lead.pk, by=rep)
    else:
        leads.disqualify_lead(lead.pk, by=rep, reason="Student project")
    before = (Party.objects.count(), Opportunity.objects.count(), OutboxEvent.objects.count())

    with pytest.raises(Exception) as refusal:
        conversion.convert_lead(lead.pk, by=rep)

    expected = {
        "converted": "Lead Al (Once Ltd) is already converted.",
        "disqualified": "Lead Al (Once Ltd) is disqualified (Student project); reopen it "
        "before converting.",
    }[status]
    assert refusal.value.detail == expected
    assert (
        Party.objects.count(),
        Opportunity.objects.count(),
        OutboxEvent.objects.count(),
    ) == before


def test_a_conversion_without_a_pipeline_is_refused_and_creates_no_party(company, users):
    rep = users[Role.SALES_REP]
    lead = leads.capture_lead(
        company=company,
        source="manual",
        by=rep,
        owner=rep,
        first_name="Al",
        organisation_name="Nopipe Ltd",
    ).lead
    parties = Party.objects.count()

    with pytest.raises(Exception, match="Create a sales pipeline first."):
        conversion.convert_lead(lead.pk, by=rep)

    assert Party.objects.count() == parties
    assert Lead.objects.get(pk=lead.pk).status == "new"
