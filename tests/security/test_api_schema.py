"""The API answers what its OpenAPI schema says, checked by schemathesis' validator on
real answers of the app: each case here is a mismatch the fuzzing found (and fixed in
the serializers and the schema), so it cannot come back unnoticed."""

from __future__ import annotations

import json

import pytest
from schemathesis.core.failures import Failure, FailureGroup

from keel.accounting.tests.factories import books as make_books
from keel.crm.tests.factories import LeadFactory
from keel.parties.services.parties import create_party
from keel.users.roles import Role

from .fuzzing import assert_conforms, load_schema, one_connection, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _served_in_the_test_transaction():
    with one_connection():
        yield


@pytest.fixture
def books(company):
    return make_books(company)


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    # Served by the app like any request (which opens the database connection).
    with django_db_blocker.unblock():
        return load_schema()


def _json(client, method, url, body=None):
    return client.open(
        url,
        method=method,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
    )


def test_a_person_without_an_organisation_answers_as_documented(schema, company, users):
    """organisation_name and owner_username are null for a person on their own (the
    schema said string)."""
    person = create_party(company=company, name="Jane Roe", kind="person")
    client = signed_in_client(users[Role.ADMINISTRATOR])

    response = client.get(f"/api/v1/parties/{person.pk}/")

    assert response.status_code == 200
    assert (response.json["organisation_name"], response.json["owner_username"]) == (None, None)
    assert_conforms(schema, "GET", "/api/v1/parties/{id}/", response)


def test_duplicate_check_answers_its_matches_as_documented(schema, company, users):
    """{"matches": [...]} (the schema described a paginated list)."""
    create_party(company=company, name="Acme Corp", email="info@acme.example")
    client = signed_in_client(users[Role.SALES_MANAGER])

    response = _json(
        client,
        "POST",
        "/api/v1/parties/check-duplicates/",
        {"name": "Acme Corp", "email": "info@acme.example"},
    )

    assert response.status_code == 200
    assert [m["name"] for m in response.json["matches"]] == ["Acme Corp"]
    assert_conforms(schema, "POST", "/api/v1/parties/check-duplicates/", response)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/replenishment-rules/needs/", "/api/v1/financial-reports/"],
)
def test_plain_lists_are_documented_as_plain_lists(schema, company, users, books, path):
    """Actions answering a list, not a page (the schema said a page or an object)."""
    response = signed_in_client(users[Role.ADMINISTRATOR]).get(path)
    assert response.status_code == 200
    assert isinstance(response.json, list)
    assert_conforms(schema, "GET", path, response)


def test_recording_an_engagement_answers_201_as_documented(schema, company, users):
    lead = LeadFactory(company=company, owner=users[Role.SALES_REP])
    client = signed_in_client(users[Role.SALES_REP])
    path = "/api/v1/leads/{id}/engagements/"
    body = {"kind": "email_opened"}

    response = _json(client, "POST", path.format(id=lead.pk), body)

    assert response.status_code == 201, response.json
    assert_conforms(schema, "POST", path, response)


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        (Role.ADMINISTRATOR, "GET", "/api/v1/parties/{id}/", 404),
        (Role.AUDITOR, "PATCH", "/api/v1/parties/{id}/", 403),
        (Role.AUDITOR, "PUT", "/api/v1/parties/{id}/", 403),
    ],
)
def test_refusals_answer_the_documented_error_shape(
    schema, company, users, role, method, path, status
):
    """Every operation documents its refusals with the API's one error body."""
    client = signed_in_client(users[role])
    response = client.open(path.format(id=987654321), method=method)
    assert response.status_code == status
    assert set(response.json) == {"code", "detail", "field"}
    assert_conforms(schema, method, path, response)


def test_the_validator_catches_an_answer_the_schema_does_not_describe(schema, company, users):
    """The check can fail: a party's answer is not what the report list documents."""
    person = create_party(company=company, name="Jane Roe", kind="person")
    response = signed_in_client(users[Role.ADMINISTRATOR]).get(f"/api/v1/parties/{person.pk}/")
    with pytest.raises((FailureGroup, Failure)):
        assert_conforms(schema, "GET", "/api/v1/financial-reports/", response)


@pytest.mark.parametrize(
    "url", ["/api/v1/reports/tax-report/not-a-number/lines/", "/api/v1/no-such-thing/"]
)
def test_an_unknown_api_url_is_a_json_404_not_a_redirect(company, users, url):
    """Found by the fuzzing's negative cases: a path id of the wrong form fell through to
    the workspace, which redirected to its sign-in page (302)."""
    response = signed_in_client(users[Role.ADMINISTRATOR]).get(url)
    assert response.status_code == 404
    assert response.json == {
        "code": "not_found",
        "detail": f"No API endpoint at {url}.",
        "field": None,
    }
