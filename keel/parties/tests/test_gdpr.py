"""GDPR: a person's data exported on request, and erased without breaking the books."""

from __future__ import annotations

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone

from keel.core.errors import Conflict, InvalidInput, PermissionRefused
from keel.core.models import OutboxEvent, StatusChange
from keel.parties.models import Address, Party, PersonalDataErasure
from keel.parties.selectors import export_personal_data
from keel.parties.services.gdpr import erase_person
from keel.parties.services.parties import update_party
from keel.users.roles import Role

from .factories import AddressFactory, OrganisationFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

EMAIL = "eve.martin@privacy.example"


@pytest.fixture
def eve(company, users):
    firm = OrganisationFactory(company=company, name="Privacy Works")
    person = PersonFactory(
        company=company,
        name="Eve Martin",
        organisation=firm,
        email=EMAIL,
        phone="+33 1 23 45 67 89",
        job_title="Buyer",
        notes="Prefers calls after 4pm",
        tags=[TagFactory(company=company, name="VIP")],
    )
    AddressFactory(
        party=person, street="5 Rue de la Paix", city="Paris", postal_code="75002", country="FR"
    )
    # A second version in the history: an older e-mail.
    update_party(person.pk, by=users[Role.SALES_REP], email="eve@old.example")
    update_party(person.pk, by=users[Role.SALES_REP], email=EMAIL)
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(Party),
        object_id=str(person.pk),
        from_status="lead",
        to_status="contact",
        changed_at=timezone.now(),
    )
    return Party.objects.get(pk=person.pk)


def test_the_export_holds_fields_addresses_history_and_references(eve):
    data = export_personal_data(eve)

    assert data["party"]["name"] == "Eve Martin"
    assert data["party"]["email"] == EMAIL
    assert data["party"]["organisation"] == "Privacy Works"
    assert data["addresses"][0]["street"] == "5 Rue de la Paix"
    assert data["tags"] == ["VIP"]
    assert [h["email"] for h in data["history"]] == [EMAIL, "eve@old.example", EMAIL]
    assert {(r["record"], r["field"]) for r in data["referenced_by"]} == {
        ("parties.address", "party"),
        ("core.statuschange", "object_id"),
    }
    json.dumps(data)  # plain JSON all the way down


def test_personal_data_endpoint_downloads_json_for_a_manager_only(eve, users, api_as):
    allowed = api_as(users[Role.SALES_MANAGER]).get(f"/api/v1/parties/{eve.pk}/personal-data/")
    refused = api_as(users[Role.SALES_REP]).get(f"/api/v1/parties/{eve.pk}/personal-data/")

    assert allowed.status_code == 200
    assert allowed.json()["party"]["email"] == EMAIL
    assert "attachment" in allowed["Content-Disposition"]
    assert refused.status_code == 403


def all_text_of(*tables) -> str:
    """Every value of every row of the tables, as one string to search."""
    with connection.cursor() as cursor:
        chunks = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (table names are ours)
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_erasure_leaves_nothing_of_the_person_and_keeps_the_links(eve, users):
    """Given Eve with an address, tags, notes and three versions in the history; When a
    manager erases her for a request; Then no table of parties holds her name, e-mails,
    phone or street any more, her record and its links remain, and the erasure is audited."""
    manager = users[Role.SALES_MANAGER]
    tables = [Party._meta.db_table, Address._meta.db_table, Party.history.model._meta.db_table]
    assert EMAIL in all_text_of(*tables)

    erase_person(eve.pk, by=manager, reason="Erasure request #2026-17")

    text = all_text_of(*tables)
    for secret in [
        "Eve Martin",
        "eve martin",
        EMAIL,
        "eve@old.example",
        "+33 1 23 45 67 89",
        "+33123456789",
        "5 Rue de la Paix",
        "75002",
        "Prefers calls",
    ]:
        assert secret not in text, secret
    eve.refresh_from_db()
    assert eve.name == f"Erased person #{eve.pk}"
    assert (eve.organisation.name, eve.active, eve.erased_at is not None) == (
        "Privacy Works",
        False,
        True,
    )
    assert eve.tags.count() == 0
    assert list(eve.addresses.values_list("city", "country")) == [("", "FR")]
    assert StatusChange.objects.get().object_id == str(eve.pk)  # the books stay whole
    audit = PersonalDataErasure.objects.get()
    assert (audit.party_id, audit.erased_by, audit.reason) == (
        eve.pk,
        manager,
        "Erasure request #2026-17",
    )
    event = OutboxEvent.objects.get(topic="parties.person.erased")
    assert event.payload == {"party_id": eve.pk, "erased_by": "sales.manager"}
    assert Party.history.filter(id=eve.pk).count() == 4  # the trail of edits stays


def snapshot():
    return (
        list(Party.objects.order_by("id").values()),
        list(Address.objects.order_by("id").values()),
        Party.history.count(),
        PersonalDataErasure.objects.count(),
        OutboxEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("case", "error", "code"),
    [
        ("organisation", InvalidInput, "not_a_person"),
        ("no reason", InvalidInput, "invalid"),
        ("twice", Conflict, "already_erased"),
        ("rep", PermissionRefused, "permission_denied"),
    ],
)
def test_refused_erasures_change_nothing(eve, users, case, error, code):
    manager, target, reason = users[Role.SALES_MANAGER], eve.pk, "Request"
    if case == "organisation":
        target = eve.organisation_id
    elif case == "no reason":
        reason = "  "
    elif case == "twice":
        erase_person(eve.pk, by=manager, reason="Request")
    elif case == "rep":
        manager = users[Role.SALES_REP]
    before = snapshot()

    with pytest.raises(error) as refusal:
        erase_person(target, by=manager, reason=reason)

    assert refusal.value.code == code
    assert snapshot() == before


def test_erase_endpoint_for_a_manager_and_refused_for_a_rep(eve, users, api_as):
    before = snapshot()
    refused = api_as(users[Role.SALES_REP]).post(
        f"/api/v1/parties/{eve.pk}/erase/", {"reason": "Request"}, format="json"
    )
    assert refused.status_code == 403
    assert snapshot() == before

    done = api_as(users[Role.SALES_MANAGER]).post(
        f"/api/v1/parties/{eve.pk}/erase/", {"reason": "Request"}, format="json"
    )

    assert done.status_code == 200
    assert (done.json()["name"], done.json()["email"]) == (f"Erased person #{eve.pk}", "")


def test_the_workspace_erases_after_asking_why(eve, users):
    client = Client()
    client.force_login(users[Role.SALES_MANAGER])
    url = f"/parties/party/{eve.pk}/erase/"
    assert 'data-testid="erase-form"' in client.get(url).content.decode()

    response = client.post(url, {"reason": "Request 9"})

    assert response.status_code == 302
    eve.refresh_from_db()
    assert eve.erased_at is not None
    download = client.get(f"/parties/party/{eve.pk}/personal-data/")
    assert json.loads(download.content)["party"]["name"] == f"Erased person #{eve.pk}"


def test_a_rep_cannot_open_the_erase_page(eve, users):
    client = Client()
    client.force_login(users[Role.SALES_REP])
    assert client.post(f"/parties/party/{eve.pk}/erase/", {"reason": "x"}).status_code == 403
    eve.refresh_from_db()
    assert eve.erased_at is None
