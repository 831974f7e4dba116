"""Workspace lists and pages of opportunities, pipelines, activities and targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from keel.crm.models import Opportunity
from keel.users.roles import Role

from .factories_pipeline import ActivityFactory, OpportunityFactory, SalesTargetFactory
from .fixtures_pipeline import *  # noqa: F403

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def deals(company, pipeline, rep, other_rep):
    mine = [
        OpportunityFactory(
            company=company,
            pipeline=pipeline,
            owner=rep,
            name=f"Mine {i}",
            amount=Decimal("100.00") * (i + 1),
            expected_close=date(2026, 1 + i, 1),
        )
        for i in range(3)
    ]
    theirs = OpportunityFactory(company=company, pipeline=pipeline, owner=other_rep, name="Theirs")
    return mine, theirs


def test_the_list_is_scoped_searchable_and_filterable(deals, rep, django_assert_max_num_queries):
    client = client_for(rep)
    with django_assert_max_num_queries(20):
        html = client.get("/crm/opportunity/").content.decode()
    assert "Mine 0" in html and "Mine 2" in html and "Theirs" not in html
    assert "Mine 1" in client.get("/crm/opportunity/?q=Mine+1").content.decode()
    filtered = client.get(
        "/crm/opportunity/?expected_close_from=2026-02-01&expected_close_to=2026-02-28"
    ).content.decode()
    assert "Mine 1" in filtered and "Mine 0" not in filtered


def test_list_query_count_does_not_grow_with_rows(
    deals, company, pipeline, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get("/crm/opportunity/")
    OpportunityFactory.create_batch(30, company=company, pipeline=pipeline, owner=manager)
    with django_assert_max_num_queries(20):
        assert client.get("/crm/opportunity/").status_code == 200


def test_opening_a_colleagues_deal_is_refused(deals, rep):
    theirs = deals[1]
    assert client_for(rep).get(f"/crm/opportunity/{theirs.pk}/change/").status_code == 403


def test_the_change_page_shows_the_timeline(deals, rep):
    deal = deals[0][0]
    ActivityFactory(about=deal, subject="Discovery call")
    html = client_for(rep).get(f"/crm/opportunity/{deal.pk}/change/").content.decode()
    assert 'data-testid="timeline"' in html
    assert "Call (planned): Discovery call" in html and "Opportunity opened" in html


def test_export_to_csv(deals, rep):
    response = client_for(rep).post("/crm/opportunity/export/", {"format": "0", "resource": "0"})
    assert response.status_code == 200, response.content[:500]
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("id,name,party,pipeline,stage,status,amount")
    assert len(lines) == 4  # header + Rita's three, not Oscar's


def test_win_and_lose_actions_go_through_the_services(deals, rep):
    mine = deals[0]
    client = client_for(rep)
    client.post("/crm/opportunity/", {"action": "win_selected", "_selected_action": [mine[0].pk]})
    assert Opportunity.objects.get(pk=mine[0].pk).status == "won"
    ask = client.post(
        "/crm/opportunity/", {"action": "lose_selected", "_selected_action": [mine[1].pk]}
    )
    assert 'data-testid="lose-form"' in ask.content.decode()
    assert Opportunity.objects.get(pk=mine[1].pk).status == "open"
    client.post(
        "/crm/opportunity/",
        {
            "action": "lose_selected",
            "_selected_action": [mine[1].pk],
            "apply": "1",
            "reason": "No budget",
        },
    )
    lost = Opportunity.objects.get(pk=mine[1].pk)
    assert (lost.status, lost.lost_reason) == ("lost", "No budget")


def test_editing_goes_through_the_service_and_refuses_a_stale_form(deals, pipeline, rep):
    """Given a deal the rep opened at version 1; When they save it renamed and moved to
    Propose; Then the services applied both (version 3). When they then save the form
    they still hold (version 1) once more; Then the form says the deal changed since,
    their input is still in it, and nothing is written."""
    deal = deals[0][0]
    client = client_for(rep)
    form = {
        "name": "Renamed",
        "party": deal.party_id,
        "pipeline": pipeline.pk,
        "stage": pipeline.stages.get(name="Propose").pk,
        "amount": "250.00",
        "currency": "USD",
        "expected_close": "2026-05-01",
        "owner": rep.pk,
        "seen_version": 1,
        "next_step": "",
        "competitors": "",
    }
    # When: the first save
    response = client.post(f"/crm/opportunity/{deal.pk}/change/", form)
    # Then
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.name, deal.stage.name, deal.amount, deal.version) == (
        "Renamed",
        "Propose",
        Decimal("250.00"),
        3,
    )
    before = list(Opportunity.objects.order_by("id").values())

    # When: the stale form is saved
    stale = client.post(
        f"/crm/opportunity/{deal.pk}/change/", {**form, "name": "Stale", "amount": "999.00"}
    )

    # Then
    assert stale.status_code == 200
    html = stale.content.decode()
    assert f"{deal} was changed by someone else since you opened it (version 3, yours 1)." in html
    assert 'name="name" value="Stale"' in html
    assert 'name="amount" value="999.00"' in html
    assert list(Opportunity.objects.order_by("id").values()) == before


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.SALES_REP, "/crm/pipeline/", 200),
        (Role.SALES_REP, "/crm/pipeline/add/", 403),
        (Role.SALES_MANAGER, "/crm/pipeline/add/", 200),
        (Role.MARKETING, "/crm/opportunity/", 200),
        (Role.MARKETING, "/crm/opportunity/add/", 403),
        (Role.SERVICE_AGENT, "/crm/opportunity/", 403),
        (Role.SERVICE_AGENT, "/crm/activity/", 200),
        (Role.SALES_MANAGER, "/crm/salestarget/", 200),
        (Role.ACCOUNTANT, "/crm/salestarget/", 403),
        (Role.AUDITOR, "/crm/opportunity/", 200),
        (Role.SALES_REP, "/w/crm/activities/", 200),
        (Role.ACCOUNTANT, "/w/crm/activities/", 403),
    ],
)
def test_workspace_role_matrix(users, pipeline, role, path, status):
    assert client_for(users[role]).get(path).status_code == status


def test_a_rep_sees_only_their_own_targets_and_activities(company, deals, rep, other_rep):
    # Amounts with cents: a bare "222" also matched a user id (2229) in the filter on
    # PostgreSQL, whose ids keep growing across tests.
    SalesTargetFactory(company=company, user=rep, amount=Decimal("111.37"))
    SalesTargetFactory(company=company, user=other_rep, amount=Decimal("222.59"))
    ActivityFactory(about=deals[1], subject="Oscar's own call")
    client = client_for(rep)
    targets = client.get("/crm/salestarget/").content.decode()
    assert "111.37" in targets and "222.59" not in targets
    activities = client.get("/crm/activity/").content.decode()
    assert "own call" not in activities


def test_export_to_xlsx(deals, rep):
    """The export offers XLSX too; the file opens with the three deals of Rita."""
    from io import BytesIO

    from import_export.admin import ExportMixin
    from openpyxl import load_workbook

    from keel.crm.admin.opportunities import OpportunityAdmin

    formats = [f().get_title() for f in OpportunityAdmin.get_export_formats(ExportMixin())]
    response = client_for(rep).post(
        "/crm/opportunity/export/", {"format": str(formats.index("xlsx")), "resource": "0"}
    )
    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["id", "name", "party"]
    assert sheet.max_row == 4


@pytest.mark.parametrize("suffix", ["history/", "delete/"])
def test_a_colleagues_deal_is_refused_on_every_page(deals, rep, suffix):
    theirs = deals[1]
    response = client_for(rep).get(f"/crm/opportunity/{theirs.pk}/{suffix}")
    assert response.status_code in (403, 404)
    assert b"Theirs" not in response.content
