"""The lead API: capture with duplicate warnings, the verbs, scores and engagements,
rules for managers, each refusal leaving the database unchanged, constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.core.models import OutboxEvent, StatusChange
from keel.crm.models import Lead, LeadEngagement, ScoringRule
from keel.crm.services import leads
from keel.crm.tests.factories import (
    IndustryFactory,
    LeadFactory,
    PartyFactory,
    PipelineFactory,
    RegionFactory,
    ScoringRuleFactory,
)
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


def state():
    return (
        list(
            Lead.objects.order_by("id").values_list(
                "id", "status", "owner_id", "version", "score", "disqualify_reason"
            )
        ),
        LeadEngagement.objects.count(),
        StatusChange.objects.count(),
        OutboxEvent.objects.count(),
        ScoringRule.objects.count(),
    )


def test_marketing_captures_a_lead_and_sees_possible_duplicates(company, users, api_as):
    PartyFactory(company=company, name="Globex Inc", website="https://globex.example")
    LeadFactory(company=company, email="hank@globex.example", first_name="Hank")

    response = api_as(users[Role.MARKETING]).post(
        "/api/v1/leads/",
        {"first_name": "Hank", "email": "Hank@Globex.example", "organisation_name": "Globex"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["source"], body["email"], body["status"]) == ("api", "hank@globex.example", "new")
    assert [(d["kind"], d["reasons"]) for d in body["possible_duplicates"]] == [
        ("lead", ["same e-mail"]),
        ("party", ["same name and domain"]),
    ]


def test_a_rep_owns_what_they_capture_and_cannot_give_it_away(company, users, api_as):
    rep, manager = users[Role.SALES_REP], users[Role.SALES_MANAGER]
    client = api_as(rep)

    created = client.post("/api/v1/leads/", {"email": "a@b.example"}, format="json").json()
    before = state()
    refused = client.patch(f"/api/v1/leads/{created['id']}/", {"owner": manager.pk}, format="json")

    assert created["owner"] == rep.pk
    assert refused.status_code == 403
    assert refused.json()["field"] == "owner"
    assert state() == before


def test_a_rep_sees_only_their_own_leads_and_gets_404_for_others(company, users, api_as):
    rep, other = users[Role.SALES_REP], users[Role.SALES_MANAGER]
    mine = LeadFactory(company=company, owner=rep)
    theirs = LeadFactory(company=company, owner=other)
    client = api_as(rep)
    before = state()

    listed = client.get("/api/v1/leads/").json()["results"]
    refusals = [
        client.get(f"/api/v1/leads/{theirs.pk}/"),
        client.patch(f"/api/v1/leads/{theirs.pk}/", {"first_name": "X"}, format="json"),
        client.post(f"/api/v1/leads/{theirs.pk}/qualify/", {}, format="json"),
        client.post(f"/api/v1/leads/{theirs.pk}/convert/", {}, format="json"),
    ]

    assert [lead["id"] for lead in listed] == [mine.pk]
    assert [r.status_code for r in refusals] == [404, 404, 404, 404]
    assert state() == before
    assert len(api_as(users[Role.MARKETING]).get("/api/v1/leads/").json()["results"]) == 2


@pytest.mark.parametrize(
    "role", [Role.SERVICE_AGENT, Role.ACCOUNTANT, Role.WAREHOUSE_CLERK, Role.EMPLOYEE]
)
def test_roles_outside_sales_and_marketing_have_no_lead_access(company, users, api_as, role):
    lead = LeadFactory(company=company)
    client = api_as(users[role])
    before = state()

    answers = [
        client.get("/api/v1/leads/").status_code,
        client.get(f"/api/v1/leads/{lead.pk}/").status_code,
        client.post("/api/v1/leads/", {"email": "x@y.example"}, format="json").status_code,
    ]

    assert answers == [403, 403, 403]
    assert state() == before


def test_the_auditor_reads_every_lead_and_changes_none(company, users, api_as):
    lead = LeadFactory(company=company, owner=users[Role.SALES_REP])
    client = api_as(users[Role.AUDITOR])
    before = state()

    assert client.get(f"/api/v1/leads/{lead.pk}/").status_code == 200
    assert client.post(f"/api/v1/leads/{lead.pk}/qualify/", {}, format="json").status_code == 403
    assert state() == before


def test_marketing_may_not_convert_and_nothing_changes(company, users, api_as):
    PipelineFactory(company=company)
    lead = LeadFactory(company=company)
    before = state()

    response = api_as(users[Role.MARKETING]).post(
        f"/api/v1/leads/{lead.pk}/convert/", {}, format="json"
    )

    assert response.status_code == 403
    assert state() == before


def test_qualify_disqualify_with_reason_and_reopen(company, users, api_as):
    rep = users[Role.SALES_REP]
    lead = LeadFactory(company=company, owner=rep)
    client = api_as(rep)

    qualified = client.post(f"/api/v1/leads/{lead.pk}/qualify/", {}, format="json")
    before = state()
    no_reason = client.post(f"/api/v1/leads/{lead.pk}/disqualify/", {"reason": " "}, format="json")
    assert state() == before
    disqualified = client.post(
        f"/api/v1/leads/{lead.pk}/disqualify/", {"reason": "No budget this year"}, format="json"
    )
    reopened = client.post(f"/api/v1/leads/{lead.pk}/reopen/", {}, format="json")

    assert qualified.json()["status"] == "qualified"
    assert no_reason.status_code == 400
    assert no_reason.json() == {
        "code": "invalid",
        "detail": "Say why the lead is disqualified.",
        "field": "reason",
    }
    assert (disqualified.json()["status"], disqualified.json()["disqualify_reason"]) == (
        "disqualified",
        "No budget this year",
    )
    assert (reopened.json()["status"], reopened.json()["disqualify_reason"]) == ("new", "")


def test_reopening_a_new_lead_is_a_409_and_changes_nothing(company, users, api_as):
    rep = users[Role.SALES_REP]
    lead = LeadFactory(company=company, owner=rep)
    before = state()

    response = api_as(rep).post(f"/api/v1/leads/{lead.pk}/reopen/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "A lead that is new cannot become new."
    assert state() == before


def test_converting_twice_is_a_409(company, users, api_as):
    PipelineFactory(company=company)
    rep = users[Role.SALES_REP]
    lead = LeadFactory(
        company=company, owner=rep, organisation_name="Twice Ltd", first_name="Tom", last_name="Two"
    )
    client = api_as(rep)

    first = client.post(f"/api/v1/leads/{lead.pk}/convert/", {"amount": "1200.00"}, format="json")
    before = state()
    second = client.post(f"/api/v1/leads/{lead.pk}/convert/", {}, format="json")

    assert first.status_code == 200
    assert first.json()["status"] == "converted"
    assert second.status_code == 409
    assert second.json() == {
        "code": "already_converted",
        "detail": "Lead Tom Two (Twice Ltd) is already converted.",
        "field": None,
    }
    assert state() == before


def test_engagements_rescore_and_the_score_endpoint_explains(company, users, api_as):
    rep = users[Role.SALES_REP]
    ScoringRuleFactory(
        company=company,
        name="Visited pricing",
        kind="behaviour",
        behaviour="visited_pricing",
        points=7,
    )
    ScoringRuleFactory(
        company=company,
        name="Software",
        field="industry",
        operator="equals",
        value="software",
        points=12,
    )
    lead = leads.capture_lead(
        company=company,
        source="manual",
        owner=rep,
        email="s@x.example",
        industry=IndustryFactory(company=company, name="Software"),
    ).lead
    client = api_as(rep)

    posted = client.post(
        f"/api/v1/leads/{lead.pk}/engagements/", {"kind": "visited_pricing"}, format="json"
    )
    score = client.get(f"/api/v1/leads/{lead.pk}/score/").json()

    assert posted.status_code == 201
    assert score["score"] == 19
    assert score["breakdown"] == [
        {"rule": "Visited pricing", "points": 7, "why": "1 × visited_pricing"},
        {"rule": "Software", "points": 12, "why": "industry is Software"},
    ]


def test_a_stale_edit_is_refused(company, users, api_as):
    rep = users[Role.SALES_REP]
    lead = LeadFactory(company=company, owner=rep)
    client = api_as(rep)
    client.patch(
        f"/api/v1/leads/{lead.pk}/", {"job_title": "CTO"}, format="json", HTTP_IF_MATCH='"1"'
    )
    before = state()

    stale = client.patch(
        f"/api/v1/leads/{lead.pk}/", {"job_title": "CEO"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert stale.status_code == 412
    assert state() == before


@pytest.mark.parametrize("if_match", ['"abc"', "W/", '"1.5"'])
def test_an_unreadable_if_match_is_refused_not_ignored(company, users, api_as, if_match):
    """Regression: an If-Match that names no version used to be dropped and the edit
    applied unchecked. Given a lead at version 1; When a client sends a change with an
    If-Match that is not a version; Then it is refused 400 and nothing changes."""
    rep = users[Role.SALES_REP]
    lead = LeadFactory(company=company, owner=rep)
    before = state()

    refused = api_as(rep).patch(
        f"/api/v1/leads/{lead.pk}/", {"job_title": "CEO"}, format="json", HTTP_IF_MATCH=if_match
    )

    assert refused.status_code == 400
    assert refused.json() == {
        "code": "invalid",
        "detail": 'If-Match must carry the version you read (its ETag), e.g. "3".',
        "field": "version",
    }
    assert state() == before


def test_managers_manage_rules_and_reps_cannot(company, users, api_as):
    region = RegionFactory(company=company)
    manager, rep = users[Role.SALES_MANAGER], users[Role.SALES_REP]
    before = state()

    refused = api_as(rep).post("/api/v1/scoring-rules/", {"name": "x", "points": 1}, format="json")
    assert refused.status_code == 403
    assert state() == before
    bad = api_as(manager).post(
        "/api/v1/scoring-rules/",
        {"name": "Size", "field": "employees", "operator": "gt", "value": "lots", "points": 5},
        format="json",
    )
    good = api_as(manager).post(
        "/api/v1/scoring-rules/",
        {"name": "Size", "field": "employees", "operator": "gt", "value": "200", "points": 5},
        format="json",
    )
    rule = api_as(manager).post(
        "/api/v1/assignment-rules/",
        {
            "name": "North",
            "region": region.pk,
            "members": [rep.pk],
            "method": "capacity",
            "capacity": 20,
        },
        format="json",
    )

    assert (bad.status_code, bad.json()["field"]) == (400, "value")
    assert good.status_code == 201
    assert rule.status_code == 201
    assert rule.json()["members"] == [rep.pk]
    assert api_as(users[Role.MARKETING]).get("/api/v1/assignment-rules/").status_code == 403
    assert api_as(users[Role.MARKETING]).get("/api/v1/scoring-rules/").status_code == 200


def test_the_lead_list_runs_a_constant_number_of_queries(company, users, api_as):
    client = api_as(users[Role.SALES_MANAGER])
    region, industry = RegionFactory(company=company), IndustryFactory(company=company)

    owners = [users[Role.SALES_REP], users[Role.SALES_MANAGER]]
    client.get("/api/v1/leads/")  # the user's permissions are read once, then cached

    def count_for(n):
        Lead.objects.all().delete()
        for i in range(n):
            LeadFactory(company=company, owner=owners[i % 2], region=region, industry=industry)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/leads/?page_size=100")
        assert len(response.json()["results"]) == n
        return len(queries)

    assert count_for(5) == count_for(50) <= 3
