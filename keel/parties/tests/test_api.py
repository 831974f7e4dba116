"""The parties API: roles, a rep's own records, stale edits, lists without N+1."""

from __future__ import annotations

import pytest

from keel.core.search import search
from keel.parties.models import Address, Party, Region
from keel.users.roles import Role

from .factories import AddressFactory, OrganisationFactory, PersonFactory, RegionFactory, TagFactory

pytestmark = pytest.mark.django_db
R = Role
EDITORS = {
    R.ADMINISTRATOR,
    R.SALES_REP,
    R.SALES_MANAGER,
    R.MARKETING,
    R.SERVICE_AGENT,
    R.ACCOUNTANT,
    R.BUYER,
}
VIEWERS = EDITORS | {R.WAREHOUSE_CLERK, R.PROJECT_MANAGER, R.AUDITOR}


def state():
    return (
        list(Party.objects.order_by("id").values()),
        list(Address.objects.order_by("id").values()),
        list(Party.tags.through.objects.order_by("id").values_list("party_id", "tag_id")),
    )


@pytest.mark.parametrize("role", list(Role))
def test_who_may_list_and_create_parties(role, users, api_as):
    client = api_as(users[role])

    listed = client.get("/api/v1/parties/")
    created = client.post(
        "/api/v1/parties/", {"kind": "organisation", "name": f"Firm of {role}"}, format="json"
    )

    assert listed.status_code == (200 if role in VIEWERS else 403)
    if role in EDITORS:
        assert created.status_code == 201, created.content
    else:
        assert created.status_code == 403
        assert created.json()["code"] == "permission_denied"
        assert not Party.objects.exists()


@pytest.fixture
def owned(company, users):
    """One organisation owned by the rep and one owned by the manager."""
    mine = OrganisationFactory(company=company, name="Rep's Customer", owner=users[R.SALES_REP])
    theirs = OrganisationFactory(
        company=company, name="Manager's Customer", owner=users[R.SALES_MANAGER]
    )
    return mine, theirs


def test_a_rep_changes_their_own_party_but_not_another_ones(owned, users, api_as):
    """Given a party of the rep and one of the manager; When the rep edits both; Then their
    own changes and the other is refused with 403, unchanged."""
    mine, theirs = owned
    client = api_as(users[R.SALES_REP])

    ok = client.patch(f"/api/v1/parties/{mine.pk}/", {"phone": "+1 555 0101"}, format="json")
    before = state()
    refused = client.patch(f"/api/v1/parties/{theirs.pk}/", {"phone": "+1 555 0"}, format="json")

    assert ok.status_code == 200
    assert (ok.json()["phone"], ok.json()["version"]) == ("+1 555 0101", 2)
    assert refused.status_code == 403
    assert state() == before
    address = client.post(
        "/api/v1/addresses/", {"party": theirs.pk, "city": "Oslo", "country": "NO"}, format="json"
    )
    assert address.status_code == 403
    assert state() == before
    manager = api_as(users[R.SALES_MANAGER])
    assert (
        manager.patch(
            f"/api/v1/parties/{mine.pk}/", {"notes": "Checked"}, format="json"
        ).status_code
        == 200
    )


def test_a_stale_edit_is_refused_with_412(owned, users, api_as):
    """Given two people who read version 1; When the first saves and the second saves with
    If-Match "1"; Then the second gets 412 stale_record and nothing of theirs is written."""
    mine, _ = owned
    client = api_as(users[R.SALES_MANAGER])
    read = client.get(f"/api/v1/parties/{mine.pk}/")
    assert read["ETag"] == '"1"'

    first = client.patch(
        f"/api/v1/parties/{mine.pk}/",
        {"notes": "First"},
        format="json",
        headers={"If-Match": read["ETag"]},
    )
    before = state()
    second = client.patch(
        f"/api/v1/parties/{mine.pk}/",
        {"notes": "Second"},
        format="json",
        headers={"If-Match": '"1"'},
    )
    by_field = client.patch(
        f"/api/v1/parties/{mine.pk}/", {"notes": "Third", "version": 1}, format="json"
    )

    assert (first.status_code, first["ETag"]) == (200, '"2"')
    assert second.status_code == 412
    assert second.json()["code"] == "stale_record"
    assert by_field.status_code == 412
    assert state() == before
    assert Party.objects.get(pk=mine.pk).notes == "First"


def test_merge_endpoint_for_a_manager_refused_for_a_rep(owned, users, api_as):
    mine, theirs = owned
    before = state()
    body = {"survivor": theirs.pk, "duplicates": [mine.pk]}

    refused = api_as(users[R.SALES_REP]).post("/api/v1/parties/merge/", body, format="json")

    assert refused.status_code == 403
    assert state() == before

    done = api_as(users[R.SALES_MANAGER]).post("/api/v1/parties/merge/", body, format="json")

    assert done.status_code == 200
    assert (done.json()["survivor"]["id"], done.json()["merged_ids"]) == (theirs.pk, [mine.pk])
    assert Party.objects.get(pk=mine.pk).merged_into_id == theirs.pk


def test_a_refused_merge_through_the_api_is_a_clear_4xx(owned, users, api_as):
    mine, _ = owned
    before = state()
    response = api_as(users[R.SALES_MANAGER]).post(
        "/api/v1/parties/merge/", {"survivor": mine.pk, "duplicates": [mine.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "A party cannot be merged into itself."
    assert state() == before


def test_filters_search_and_ordering(company, users, api_as):
    europe = RegionFactory(company=company, name="Europe")
    vip = TagFactory(company=company, name="VIP")
    OrganisationFactory(
        company=company,
        name="Zeta GmbH",
        region=europe,
        tags=[vip],
        website="https://zeta.example",
        owner=users[R.SALES_REP],
    )
    OrganisationFactory(company=company, name="Alpha Ltd", is_customer=False, is_supplier=True)
    PersonFactory(company=company, name="Mia Zeta", phone="+49 30 1234 5678")
    client = api_as(users[R.SALES_REP])

    def names(query):
        response = client.get(f"/api/v1/parties/?{query}")
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names("ordering=name") == ["Alpha Ltd", "Mia Zeta", "Zeta GmbH"]
    assert names("kind=person") == ["Mia Zeta"]
    assert names("is_supplier=true") == ["Alpha Ltd"]
    assert names(f"region={europe.pk}") == ["Zeta GmbH"]
    assert names(f"tags={vip.pk}") == ["Zeta GmbH"]
    assert names("search=zeta.example") == ["Zeta GmbH"]
    assert names("search=zeta&ordering=-name") == ["Zeta GmbH", "Mia Zeta"]
    assert names(f"owner={users[R.SALES_REP].pk}") == ["Zeta GmbH"]


@pytest.mark.parametrize("rows", [5, 50])
def test_the_party_list_costs_the_same_queries_for_5_or_50_rows(
    rows, company, users, api_as, django_assert_max_num_queries
):
    tags = [TagFactory(company=company, name=n) for n in ("A", "B")]
    region = RegionFactory(company=company)
    firm = OrganisationFactory(company=company, name="Firm", region=region, tags=tags)
    for i in range(rows - 1):
        person = PersonFactory(
            company=company,
            name=f"P{i}",
            organisation=firm,
            region=region,
            tags=tags,
            owner=users[R.SALES_REP],
        )
        AddressFactory(party=person)
    client = api_as(users[R.SALES_REP])
    client.get("/api/v1/parties/")  # warm the session and permission caches

    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/parties/?page_size=100")

    assert response.json()["count"] == rows


def test_reference_lists_are_managed_by_a_manager(users, api_as):
    manager, rep = api_as(users[R.SALES_MANAGER]), api_as(users[R.SALES_REP])

    created = manager.post("/api/v1/regions/", {"name": "Nordics", "code": "NO"}, format="json")
    twice = manager.post("/api/v1/regions/", {"name": "nordics"}, format="json")
    refused = rep.post("/api/v1/regions/", {"name": "LATAM"}, format="json")

    assert created.status_code == 201
    assert (twice.status_code, twice.json()["code"]) == (409, "duplicate_name")
    assert refused.status_code == 403
    assert list(Region.objects.values_list("name", flat=True)) == ["Nordics"]
    assert rep.get("/api/v1/regions/").json()["results"][0]["name"] == "Nordics"
    for path in ("sales-channels", "industries", "tags", "customer-groups"):
        assert manager.post(f"/api/v1/{path}/", {"name": "X"}, format="json").status_code == 201
        assert rep.get(f"/api/v1/{path}/").status_code == 200


def test_a_used_region_cannot_be_deleted(company, users, api_as):
    region = RegionFactory(company=company)
    OrganisationFactory(company=company, region=region)
    response = api_as(users[R.ADMINISTRATOR]).delete(f"/api/v1/regions/{region.pk}/")
    assert (response.status_code, response.json()["code"]) == (409, "in_use")
    assert Region.objects.filter(pk=region.pk).exists()


def test_global_search_finds_parties_by_name_email_and_phone(company, users):
    OrganisationFactory(
        company=company,
        name="Harbour Logistics",
        email="ops@harbour.example",
        phone="+1 (555) 777-1234",
    )
    rep, nobody = users[R.SALES_REP], users[R.EMPLOYEE]
    for term in ("harbour log", "ops@harbour", "777-1234", "5557771234"):
        assert [hit.title for hit in search(rep, term)] == ["Harbour Logistics"], term
    assert search(nobody, "harbour") == []


def test_a_merge_naming_an_id_beyond_64_bits_is_refused_with_400(owned, users, api_as):
    """Found by the API fuzzing: an id no database column holds overflowed the driver (500).
    When a manager merges into party 2**63 (or merges it); then 400 at that field, and
    nothing changes."""
    mine, _ = owned
    before = state()
    client = api_as(users[R.SALES_MANAGER])
    survivor = client.post(
        "/api/v1/parties/merge/", {"survivor": 2**63, "duplicates": [mine.pk]}, format="json"
    )
    duplicate = client.post(
        "/api/v1/parties/merge/", {"survivor": mine.pk, "duplicates": [2**64]}, format="json"
    )
    assert (survivor.status_code, survivor.json()["field"]) == (400, "survivor")
    assert (duplicate.status_code, duplicate.json()["field"]) == (400, "duplicates")
    assert state() == before


@pytest.mark.parametrize("query", ["owner=99999999999999999999", "tags=99999999999999999999"])
def test_a_list_filtered_by_an_id_beyond_64_bits_is_a_400(users, api_as, query):
    """Found by the API fuzzing (negative cases): a relation filter with an id no column
    holds overflowed the database driver (500). Now it is refused like any unknown id."""
    response = api_as(users[R.SALES_MANAGER]).get(f"/api/v1/parties/?{query}")
    assert response.status_code == 400
    assert response.json()["field"] == query.split("=")[0]
