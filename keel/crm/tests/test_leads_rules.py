"""Assignment (territory, round-robin, capacity) and set-based scoring."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from keel.crm.models import AssignmentRule, Lead
from keel.crm.services import leads
from keel.crm.services.scoring import score_lead, score_leads
from keel.crm.tests.factories import (
    AssignmentRuleFactory,
    EngagementFactory,
    LeadFactory,
    RegionFactory,
    ScoringRuleFactory,
)
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reps(company):
    return [user_with_role(Role.SALES_REP, f"rep{n}", company=company) for n in range(3)]


def capture(company, **fields):
    return leads.capture_lead(company=company, source="api", email="x@y.example", **fields).lead


def test_round_robin_continues_after_the_last_assignee(company, reps):
    AssignmentRuleFactory(company=company, members=reps, last_assigned=reps[1])

    owners = [capture(company).owner for _ in range(4)]

    assert owners == [reps[2], reps[0], reps[1], reps[2]]


def test_members_at_capacity_are_skipped_and_capacity_picks_the_least_loaded(company, reps):
    for _ in range(2):
        LeadFactory(company=company, owner=reps[0])
    LeadFactory(company=company, owner=reps[1])
    LeadFactory(company=company, owner=reps[1], status="converted")  # not open: not counted
    AssignmentRuleFactory(company=company, members=reps, method="capacity", capacity=2)

    owners = [capture(company).owner for _ in range(4)]

    assert owners == [reps[2], reps[1], reps[2], None]  # then everyone holds 2 open leads


def test_the_first_matching_rule_by_priority_wins_and_no_match_leaves_it_unassigned(company, reps):
    north, south = RegionFactory(company=company), RegionFactory(company=company, name="South")
    AssignmentRuleFactory(company=company, region=north, priority=5, members=[reps[0]])
    AssignmentRuleFactory(company=company, region=north, priority=1, members=[reps[1]])

    assert capture(company, region=north).owner == reps[1]
    assert capture(company, region=south).owner is None
    assert AssignmentRule.objects.get(priority=1).last_assigned == reps[1]


def test_set_based_scoring_matches_scoring_one_by_one(company):
    now = timezone.now()
    ScoringRuleFactory(
        company=company,
        name="Opened",
        kind="behaviour",
        behaviour="opened_mailing",
        points=9,
        half_life_days=10,
    )
    ScoringRuleFactory(
        company=company,
        name="Org",
        field="organisation_name",
        operator="contains",
        value="prospect",
        points=3,
    )
    ScoringRuleFactory(
        company=company, name="Inactive", field="email", operator="is_set", points=100, active=False
    )
    people = [LeadFactory(company=company) for _ in range(7)]
    for n, lead in enumerate(people):
        for days in range(n):
            EngagementFactory(lead=lead, occurred_at=now - timedelta(days=days * 10))

    changed = score_leads(Lead.objects.all(), now, batch_size=3)

    set_based = list(Lead.objects.order_by("id").values_list("score", "score_breakdown"))
    one_by_one = [(score_lead(lead, now).score, lead.score_breakdown) for lead in people]
    assert changed == 7
    assert set_based == one_by_one
    # 9 * (1 + .5 + .25 + .125 + .0625 + .03125) = 17.72 -> 18, plus 3
    assert set_based[-1] == (
        21,
        [
            {
                "rule": "Opened",
                "points": 18,
                "why": "6 × opened_mailing, decayed with a 10-day half-life",
            },
            {
                "rule": "Org",
                "points": 3,
                "why": f"organisation_name '{people[-1].organisation_name}' contains 'prospect'",
            },
        ],
    )
    assert score_leads(Lead.objects.all(), now) == 0  # nothing changed the second time


def test_the_nightly_task_rescores_open_leads(company):
    from keel.crm.tasks import rescore_leads

    ScoringRuleFactory(company=company, name="E-mail", field="email", operator="is_set", points=4)
    open_lead, converted = (
        LeadFactory(company=company),
        LeadFactory(company=company, status="converted"),
    )

    rescore_leads.enqueue()

    assert Lead.objects.get(pk=open_lead.pk).score == 4
    assert Lead.objects.get(pk=converted.pk).score == 0
