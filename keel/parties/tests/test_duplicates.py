"""Duplicate detection when creating a party: selector, API and the workspace form."""

from __future__ import annotations

import pytest
from django.test import Client

from keel.parties.models import Party
from keel.parties.selectors import duplicates_of
from keel.users.roles import Role

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(company):
    return OrganisationFactory(
        company=company,
        name="Acme Inc",
        email="sales@acme.example",
        phone="+1 (555) 010-0199",
        website="https://www.acme.example",
    )


@pytest.mark.parametrize(
    ("given", "reasons"),
    [
        ({"name": "Someone else", "email": "SALES@acme.example"}, ("same e-mail",)),
        ({"name": "ACME, Inc.", "website": "acme.example"}, ("same name and domain",)),
        ({"name": "acme", "email": "info@acme.example"}, ("same name and domain",)),
        ({"name": "Acme Ltd", "phone": "+1 555 010 0199"}, ("same name and phone",)),
    ],
)
def test_look_alikes_are_found_with_their_reasons(company, acme, given, reasons):
    matches = duplicates_of(company, **given)
    assert [(m.party.pk, m.reasons) for m in matches] == [(acme.pk, reasons)]


@pytest.mark.parametrize(
    "given",
    [
        {"name": "Acme Inc"},  # the same name alone is no proof
        {"name": "Acme Inc", "email": "acme@gmail.com"},  # free mail says nothing of the firm
        {"name": "Acme Inc", "phone": "+1 555 999 0000"},
        {"name": "Other Corp", "website": "https://acme.example"},
    ],
)
def test_no_false_positive_on_the_name_alone(company, acme, given):
    assert duplicates_of(company, **given) == []


def test_check_duplicates_endpoint_lists_matches_with_reasons(acme, users, api_as):
    response = api_as(users[Role.SALES_REP]).post(
        "/api/v1/parties/check-duplicates/",
        {"name": "ACME Inc.", "email": "sales@acme.example", "website": "acme.example"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["matches"] == [
        {
            "id": acme.pk,
            "name": "Acme Inc",
            "kind": "organisation",
            "email": "sales@acme.example",
            "phone": "+1 (555) 010-0199",
            "reasons": ["same e-mail", "same name and domain"],
        }
    ]


def test_creating_a_look_alike_is_a_409_until_confirmed(acme, users, api_as):
    """Given Acme; When a rep creates "ACME Inc." with Acme's e-mail; Then the API answers
    409 possible_duplicate with the match and creates nothing; with confirm_duplicate it
    creates the party."""
    client = api_as(users[Role.SALES_REP])
    body = {"kind": "organisation", "name": "ACME Inc.", "email": "sales@acme.example"}

    refused = client.post("/api/v1/parties/", body, format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "possible_duplicate"
    assert [(m["id"], m["reasons"]) for m in refused.json()["matches"]] == [
        (acme.pk, ["same e-mail", "same name and domain"])
    ]
    assert Party.objects.count() == 1

    created = client.post("/api/v1/parties/", {**body, "confirm_duplicate": True}, format="json")

    assert created.status_code == 201
    assert created.json()["owner_username"] == "sales.rep"
    assert created["ETag"] == '"1"'
    assert Party.objects.count() == 2


def test_the_add_form_warns_of_duplicates_and_creates_once_confirmed(acme, users):
    """Given Acme; When a rep submits the add form for "Acme, Inc" with the same phone;
    Then the form comes back listing Acme with its reason and a link, nothing is created;
    When they tick "create anyway"; Then the party is created."""
    client = Client()
    client.force_login(users[Role.SALES_REP])
    form = {
        "kind": "organisation",
        "name": "Acme, Inc",
        "phone": "+1 555 010 0199",
        "is_customer": "on",
        "active": "on",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
    }

    first = client.post("/parties/party/add/", form)

    assert first.status_code == 200
    page = first.content.decode()
    assert 'data-testid="possible-duplicates"' in page
    assert "same name and phone" in page
    assert f"/parties/party/{acme.pk}/change/" in page
    assert Party.objects.count() == 1

    second = client.post("/parties/party/add/", {**form, "confirm_duplicate": "on"})

    assert second.status_code == 302, second.content.decode()[:2000]
    created = Party.objects.exclude(pk=acme.pk).get()
    assert (created.name, created.normalized_phone, created.owner) == (
        "Acme, Inc",
        "+15550100199",
        users[Role.SALES_REP],
    )
