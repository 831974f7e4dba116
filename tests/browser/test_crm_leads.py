"""A lead's score breakdown in a real browser: every rule that gave points, and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from keel.crm.models import LeadEngagement, ScoringRule
from keel.crm.services.scoring import score_lead
from keel.crm.tests.factories import LeadFactory, ScoringRuleFactory
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sees_why_a_lead_scored_what_it_scored(company, page, log_in, doc_screenshot):
    """Given rules 'big company' (+20 for more than 200 employees), 'has a website' (+5)
    and 'opened a mailing' (+10, 30-day half-life), and a lead of a 500-person company
    with a website who opened a mailing today and another 30 days ago; When the Sales
    Manager opens the lead; Then the page shows 40 points and the three reasons."""
    manager = user_with_role(Role.SALES_MANAGER, username="mona", company=company)
    ScoringRuleFactory(
        company=company,
        name="Big company",
        field="employees",
        operator=ScoringRule.Operator.GREATER_THAN,
        value="200",
        points=20,
    )
    ScoringRuleFactory(
        company=company,
        name="Has a website",
        field="website",
        operator=ScoringRule.Operator.IS_SET,
        points=5,
    )
    ScoringRuleFactory(
        company=company,
        name="Opened a mailing",
        kind=ScoringRule.Kind.BEHAVIOUR,
        behaviour="opened_mailing",
        half_life_days=30,
        points=10,
    )
    lead = LeadFactory(
        company=company,
        first_name="Ada",
        last_name="Byron",
        organisation_name="Engines Ltd",
        employees=500,
        website="https://engines.example",
        owner=manager,
    )
    now = timezone.now()
    for age in (0, 30):
        LeadEngagement.objects.create(
            lead=lead, kind="opened_mailing", occurred_at=now - timedelta(days=age)
        )
    score_lead(lead, now=now)

    log_in(manager, PASSWORD)
    page.goto(f"/crm/lead/{lead.pk}/change/")

    breakdown = page.get_by_test_id("score-breakdown")
    expect(breakdown).to_be_visible()
    rows = breakdown.locator("tr")
    texts = [" ".join(rows.nth(i).inner_text().split()) for i in range(rows.count())]
    # 10 today + 10 × 0.5 thirty days ago = 15 for the mailings.
    assert texts == [
        "Opened a mailing +15 2 × opened_mailing, decayed with a 30-day half-life",
        "Big company +20 employees 500 > 200",
        "Has a website +5 website is set",
    ]
    expect(page.get_by_text("40", exact=True).first).to_be_visible()
    doc_screenshot("lead-score-breakdown")
