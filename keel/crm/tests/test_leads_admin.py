"""The lead workspace pages: scoped lists with a constant query count, the score
explained on the detail page, actions through the services, CSV export, rules."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.crm.models import Lead, ScoringRule
from keel.crm.services import leads
from keel.crm.tests.factories import (
    IndustryFactory,
    LeadFactory,
    PartyFactory,
    RegionFactory,
    ScoringRuleFactory,
)
from keel.users.roles import Role

pytestmark = pytest.mark.django_db
LIST = "/crm/lead/"


def test_the_lead_list_runs_a_constant_number_of_queries(company, users, client):
    client.force_login(users[Role.SALES_MANAGER])
    region, industry = RegionFactory(company=company), IndustryFactory(company=company)
    owners = [users[Role.SALES_REP], users[Role.SALES_MANAGER]]

    def count_for(n):
        Lead.objects.all().delete()
        for i in range(n):
            LeadFactory(company=company, owner=owners[i % 2], region=region, industry=industry)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST + "?o=-7")
        assert response.status_code == 200
        assert response.context["cl"].result_count == n
        return len(queries)

    assert count_for(5) == count_for(50)


def test_a_rep_lists_only_their_own_leads_and_cannot_open_others(company, users, client):
    rep = users[Role.SALES_REP]
    mine = LeadFactory(company=company, owner=rep, first_name="Mine")
    theirs = LeadFactory(company=company, owner=users[Role.SALES_MANAGER], first_name="Theirs")
    client.force_login(rep)

    listed = client.get(LIST)
    other = client.get(f"{LIST}{theirs.pk}/change/")

    assert [lead.pk for lead in listed.context["cl"].result_list] == [mine.pk]
    assert other.status_code == 302  # the admin sends you away from what you cannot see
    assert client.get(f"{LIST}{mine.pk}/change/").status_code == 200


def test_a_service_agent_cannot_open_the_lead_list(company, users, client):
    client.force_login(users[Role.SERVICE_AGENT])

    assert client.get(LIST).status_code == 403


def test_the_detail_page_explains_the_score(company, users, client):
    ScoringRuleFactory(
        company=company,
        name="Has a website",
        field="website",
        operator=ScoringRule.Operator.IS_SET,
        points=10,
    )
    lead = leads.capture_lead(
        company=company, source="manual", email="w@site.example", website="https://site.example"
    ).lead
    client.force_login(users[Role.SALES_MANAGER])

    page = client.get(f"{LIST}{lead.pk}/change/")

    assert b'data-testid="score-breakdown"' in page.content
    assert (
        b'<td class="pr-4">Has a website</td><td class="pr-4 text-right">+10</td>'
        b"<td>website is set</td>" in page.content
    )


def test_disqualify_action_needs_a_reason_and_uses_the_service(company, users, client):
    lead = LeadFactory(company=company, owner=users[Role.SALES_REP])
    client.force_login(users[Role.SALES_MANAGER])
    data = {"action": "disqualify_selected", "_selected_action": [lead.pk]}

    client.post(LIST, {**data, "reason": ""}, follow=True)
    assert Lead.objects.get(pk=lead.pk).status == "new"
    response = client.post(LIST, {**data, "reason": "Competitor"}, follow=True)

    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "Competitor")
    assert "Disqualified: 1 done." in [str(m) for m in response.context["messages"]]


def test_adding_a_lead_warns_about_a_possible_duplicate(company, users, client):
    PartyFactory(company=company, name="Initech", email="bill@initech.example")
    client.force_login(users[Role.MARKETING])

    response = client.post(
        f"{LIST}add/",
        {"first_name": "Bill", "email": "bill@initech.example", "message": ""},
        follow=True,
    )

    lead = Lead.objects.get()
    assert (lead.source, lead.email) == ("manual", "bill@initech.example")
    assert "Possible duplicate: party Initech (same e-mail)." in [
        str(m) for m in response.context["messages"]
    ]


def test_export_to_csv_contains_the_visible_leads(company, users, client):
    LeadFactory(company=company, email="one@x.example", region=RegionFactory(company=company))
    client.force_login(users[Role.SALES_MANAGER])

    response = client.post(f"{LIST}export/", {"format": "0", "resource": "0"})

    assert response.status_code == 200
    text = response.content.decode()
    assert text.splitlines()[0].startswith("id,status,first_name,last_name,organisation_name")
    assert "one@x.example" in text and ",North," in text


def test_rules_and_imports_pages_open_for_a_manager(company, users, client):
    client.force_login(users[Role.SALES_MANAGER])

    for url in [
        "/crm/scoringrule/",
        "/crm/assignmentrule/",
        "/crm/leadimport/",
        "/crm/scoringrule/add/",
        "/crm/assignmentrule/add/",
        "/w/crm/leads/import/",
    ]:
        assert client.get(url).status_code == 200, url


def test_a_scoring_rule_that_cannot_be_evaluated_is_refused_at_the_field(company, users, client):
    client.force_login(users[Role.SALES_MANAGER])

    response = client.post(
        "/crm/scoringrule/add/",
        {
            "name": "Huge",
            "kind": "field",
            "field": "employees",
            "operator": "gt",
            "value": "lots",
            "points": "5",
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "value": ["'greater than' compares numbers; give a number."]
    }
    assert ScoringRule.objects.count() == 0


def test_a_stale_lead_form_is_refused_at_the_form_with_the_input_kept(company, users, client):
    """Given a manager who opened a lead at version 1; When a colleague saves its phone
    (version 2) and the manager then saves a new job title; Then the form comes back
    saying the lead changed since, with their job title still in it, and the
    colleague's phone stays."""
    manager = users[Role.SALES_MANAGER]
    lead = LeadFactory(
        company=company, first_name="Ada", last_name="Byron", organisation_name="Engines"
    )
    client.force_login(manager)
    assert (
        'name="seen_version" value="1"' in client.get(f"{LIST}{lead.pk}/change/").content.decode()
    )
    leads.update_lead(lead.pk, by=users[Role.ADMINISTRATOR], version=1, phone="+1 555 0142")
    before = list(Lead.objects.order_by("id").values())

    # When
    response = client.post(
        f"{LIST}{lead.pk}/change/",
        {
            "first_name": "Ada",
            "last_name": "Byron",
            "organisation_name": "Engines",
            "job_title": "Chief Analyst",
            "email": lead.email,
            "owner": manager.pk,
            "seen_version": 1,
        },
    )

    # Then
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Ada Byron (Engines) was changed by someone else since you opened it (version 2, "
        "yours 1). Reload the page and apply your change again." in html
    )
    assert 'name="job_title" value="Chief Analyst"' in html
    assert list(Lead.objects.order_by("id").values()) == before
