"""The API of pipelines, opportunities, activities, targets and timelines: success,
refusal (nothing changed), scoping of reps to their own records, query counts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from keel.crm.models import Activity, Opportunity, Pipeline, SalesTarget
from keel.users.roles import Role

from .factories_pipeline import ActivityFactory, CustomerFactory, OpportunityFactory
from .fixtures_pipeline import *  # noqa: F403

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture
def deals(company, pipeline, rep, other_rep):
    mine = OpportunityFactory.create_batch(3, company=company, pipeline=pipeline, owner=rep)
    theirs = OpportunityFactory(company=company, pipeline=pipeline, owner=other_rep, name="Theirs")
    return mine, theirs


def test_a_rep_lists_only_their_own_opportunities(
    deals, rep, api_as, django_assert_max_num_queries
):
    mine, theirs = deals
    client = api_as(rep)
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/opportunities/").json()
    assert sorted(row["id"] for row in body["results"]) == sorted(d.pk for d in mine)
    assert client.get(f"/api/v1/opportunities/{theirs.pk}/").status_code == 404


def test_a_manager_lists_all_with_constant_queries(
    deals, company, pipeline, manager, api_as, django_assert_max_num_queries
):
    OpportunityFactory.create_batch(20, company=company, pipeline=pipeline, owner=manager)
    with django_assert_max_num_queries(6):
        body = api_as(manager).get("/api/v1/opportunities/?page_size=100").json()
    assert body["count"] == 24


def test_create_then_move_win_through_the_api(company, pipeline, rep, api_as):
    """Rita opens a deal, moves it with its version, and wins it."""
    client = api_as(rep)
    party = CustomerFactory(company=company, name="Initech")
    created = client.post(
        "/api/v1/opportunities/",
        {"name": "Initech CRM", "party": party.pk, "amount": "4999.99", "pipeline": pipeline.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["owner"], data["amount"], data["stage_name"], data["version"]) == (
        rep.pk,
        "4999.99",
        "Qualify",
        1,
    )
    pk = data["id"]
    propose = pipeline.stages.get(name="Propose")
    moved = client.post(
        f"/api/v1/opportunities/{pk}/change-stage/",
        {"stage": propose.pk},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert (moved.status_code, moved.json()["stage_name"], moved.json()["version"]) == (
        200,
        "Propose",
        2,
    )
    won = client.post(f"/api/v1/opportunities/{pk}/win/", {"version": 2}, format="json")
    assert (won.status_code, won.json()["status"]) == (200, "won")
    timeline = client.get(f"/api/v1/opportunities/{pk}/timeline/").json()
    assert [entry["kind"] for entry in timeline] == ["won", "stage", "created"]


def test_a_stale_version_is_a_412_and_changes_nothing(deals, pipeline, rep, api_as):
    deal = deals[0][0]
    response = api_as(rep).post(
        f"/api/v1/opportunities/{deal.pk}/change-stage/",
        {"stage": pipeline.stages.get(name="Propose").pk, "version": 5},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (412, "stale_record")
    assert Opportunity.objects.get(pk=deal.pk).stage.name == "Qualify"


def test_lose_needs_a_reason_and_reopen_brings_it_back(deals, rep, api_as):
    deal = deals[0][0]
    client = api_as(rep)
    refused = client.post(f"/api/v1/opportunities/{deal.pk}/lose/", {"reason": ""}, format="json")
    assert (refused.status_code, refused.json()["field"]) == (400, "lost_reason")
    assert Opportunity.objects.get(pk=deal.pk).status == "open"
    lost = client.post(f"/api/v1/opportunities/{deal.pk}/lose/", {"reason": "Price"}, format="json")
    assert lost.json()["lost_reason"] == "Price"
    reopened = client.post(f"/api/v1/opportunities/{deal.pk}/reopen/", format="json")
    assert reopened.json()["status"] == "open"


def test_a_rep_cannot_touch_a_colleagues_deal(deals, pipeline, rep, api_as):
    theirs = deals[1]
    client = api_as(rep)
    for path, body in [
        (f"/api/v1/opportunities/{theirs.pk}/win/", {}),
        (f"/api/v1/opportunities/{theirs.pk}/change-stage/", {"stage": 1}),
    ]:
        assert client.post(path, body, format="json").status_code == 404
    assert (
        client.patch(
            f"/api/v1/opportunities/{theirs.pk}/", {"name": "Mine"}, format="json"
        ).status_code
        == 404
    )
    assert Opportunity.objects.get(pk=theirs.pk).name == "Theirs"


def test_a_rep_cannot_open_a_deal_for_a_colleague(company, pipeline, rep, other_rep, api_as):
    party = CustomerFactory(company=company)
    response = api_as(rep).post(
        "/api/v1/opportunities/",
        {"name": "Gift", "party": party.pk, "owner": other_rep.pk},
        format="json",
    )
    assert (response.status_code, response.json()["field"]) == (403, "owner")
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        (Role.MARKETING, "get", "/api/v1/opportunities/", 200),
        (Role.MARKETING, "post", "/api/v1/opportunities/", 403),
        (Role.SERVICE_AGENT, "get", "/api/v1/opportunities/", 403),
        (Role.SERVICE_AGENT, "get", "/api/v1/activities/", 200),
        (Role.AUDITOR, "get", "/api/v1/opportunities/", 200),
        (Role.AUDITOR, "post", "/api/v1/pipelines/", 403),
        (Role.SALES_REP, "post", "/api/v1/pipelines/", 403),
        (Role.SALES_MANAGER, "post", "/api/v1/pipelines/", 201),
        (Role.SALES_REP, "post", "/api/v1/sales-targets/", 403),
        (Role.ACCOUNTANT, "get", "/api/v1/activities/", 403),
    ],
)
def test_role_matrix(users, api_as, deals, role, method, path, status):
    before = (Opportunity.objects.count(), Pipeline.objects.count(), SalesTarget.objects.count())
    body = {"name": "Renewals"} if "pipelines" in path else {"name": "X"}
    response = getattr(api_as(users[role]), method)(path, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert response.json()["code"] == "permission_denied"
        after = (Opportunity.objects.count(), Pipeline.objects.count(), SalesTarget.objects.count())
        assert after == before


def test_pipelines_list_with_their_stages(pipeline, rep, api_as, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        body = api_as(rep).get("/api/v1/pipelines/").json()
    assert [(s["name"], s["probability"]) for s in body["results"][0]["stages"]] == [
        ("Qualify", "10.00"),
        ("Propose", "40.00"),
        ("Negotiate", "70.00"),
    ]


def test_activities_api_plans_completes_and_scopes(
    deals, rep, other_rep, api_as, django_assert_max_num_queries
):
    deal = deals[0][0]
    client = api_as(rep)
    created = client.post(
        "/api/v1/activities/",
        {
            "kind": "call",
            "subject": "Intro",
            "about_type": "opportunity",
            "about_id": str(deal.pk),
            "due_at": NOON.isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["assignee"] == rep.pk
    done = client.post(
        f"/api/v1/activities/{pk}/complete/", {"outcome": "Interested"}, format="json"
    )
    assert (done.status_code, done.json()["outcome"]) == (200, "Interested")
    # Oscar neither sees it nor may plan on Rita's deal
    oscar = api_as(other_rep)
    assert oscar.get(f"/api/v1/activities/{pk}/").status_code == 404
    refused = oscar.post(
        "/api/v1/activities/",
        {"kind": "call", "subject": "Sneak", "about_type": "opportunity", "about_id": str(deal.pk)},
        format="json",
    )
    assert refused.status_code == 404
    assert Activity.objects.count() == 1
    ActivityFactory.create_batch(10, about=deal)
    with django_assert_max_num_queries(6):
        listed = client.get("/api/v1/activities/").json()
    assert listed["count"] == 11


def test_timeline_of_a_party_and_refusal_for_a_colleagues_deal(deals, company, rep, api_as):
    deal = deals[0][0]
    ActivityFactory(about=deal.party, assignee=rep, subject="Visit", done_at=NOON)
    body = api_as(rep).get(f"/api/v1/timeline/?type=party&id={deal.party_id}").json()
    titles = [e["title"] for e in body]
    assert sorted(titles) == sorted(["Call (done): Visit", f"Opportunity “{deal.name}” opened"])
    theirs = deals[1]
    response = api_as(rep).get(f"/api/v1/timeline/?type=opportunity&id={theirs.pk}")
    assert response.status_code == 404


def test_sales_targets_for_managers(company, manager, rep, api_as):
    created = api_as(manager).post(
        "/api/v1/sales-targets/",
        {
            "user": rep.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "amount": "10000",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert api_as(rep).get("/api/v1/sales-targets/").json()["count"] == 1
    bad = api_as(manager).post(
        "/api/v1/sales-targets/",
        {"user": rep.pk, "period_start": "2026-02-01", "period_end": "2026-01-01", "amount": "1"},
        format="json",
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "period_end")
    assert SalesTarget.objects.count() == 1
    assert Decimal(SalesTarget.objects.get().amount) == Decimal("10000.00")
