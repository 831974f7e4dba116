"""The CRM's acceptance stories that span its parts and the parties beneath it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from keel.core.models import StatusChange
from keel.crm.models import Activity, Lead, Opportunity
from keel.crm.services.opportunities import change_stage, win
from keel.crm.tests.factories import LeadFactory
from keel.crm.tests.factories_pipeline import (
    ActivityFactory,
    CustomerFactory,
    OpportunityFactory,
    pipeline_with_stages,
)
from keel.parties.models import Party
from keel.parties.services.merge import merge_parties
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


def test_an_opportunity_moves_through_every_stage_and_is_won(company, users):
    """Given a deal of 48,000.00 in the first stage of Qualify → Propose → Negotiate;
    When its rep moves it stage by stage and wins it; Then it is won, closed, at the last
    stage, and the log tells the whole way."""
    rep = users[Role.SALES_REP]
    pipeline = pipeline_with_stages(company)
    qualify, propose, negotiate = pipeline.stages.order_by("sequence")
    deal = OpportunityFactory(
        company=company, pipeline=pipeline, stage=qualify, owner=rep, amount=Decimal("48000.00")
    )

    change_stage(deal.pk, propose.pk, by=rep)
    change_stage(deal.pk, negotiate.pk, by=rep)
    win(deal.pk, by=rep)

    deal.refresh_from_db()
    assert (deal.status, deal.stage, deal.amount) == ("won", negotiate, Decimal("48000.00"))
    assert deal.closed_at is not None
    stages = [h.stage_id for h in deal.history.order_by("history_date", "history_id")]
    assert [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]] == [
        qualify.pk,
        propose.pk,
        negotiate.pk,
    ]
    assert list(
        StatusChange.objects.filter(object_id=str(deal.pk)).values_list("from_status", "to_status")
    ) == [("open", "won")]


def test_merging_two_parties_moves_all_their_leads_opportunities_and_activities(company, users):
    """Given 'Acme Inc' and its duplicate 'ACME, Inc.', each with a lead, an opportunity
    and an activity about the party itself; When the duplicate is merged into Acme Inc;
    Then every lead, opportunity and activity points at Acme Inc and nothing at the
    duplicate, which remains only as a merged stub."""
    survivor = CustomerFactory(company=company, name="Acme Inc")
    duplicate = CustomerFactory(company=company, name="ACME, Inc.")
    party_type = ContentType.objects.get_for_model(Party)
    for party in (survivor, duplicate):
        LeadFactory(company=company, party=party, status=Lead.Status.CONVERTED)
        deal = OpportunityFactory(company=company, party=party, owner=users[Role.SALES_REP])
        ActivityFactory(about=deal)
        Activity.objects.create(
            company=company,
            subject=f"Visit {party.name}",
            assignee=users[Role.SALES_REP],
            content_type=party_type,
            object_id=str(party.pk),
        )

    merge_parties(survivor.pk, [duplicate.pk], by=users[Role.SALES_MANAGER])

    assert Lead.objects.filter(party=survivor).count() == 2
    assert Opportunity.objects.filter(party=survivor).count() == 2
    about_parties = Activity.objects.filter(content_type=party_type)
    assert sorted(about_parties.values_list("object_id", flat=True)) == [str(survivor.pk)] * 2
    assert not Lead.objects.filter(party=duplicate).exists()
    assert not Opportunity.objects.filter(party=duplicate).exists()
    duplicate.refresh_from_db()
    assert (duplicate.merged_into, duplicate.active) == (survivor, False)
