"""The parties workspace pages: who sees and changes what, merge, export, lists without N+1."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from keel.parties.models import Address, Party
from keel.parties.services.parties import update_party
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


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state():
    return (
        list(Party.objects.order_by("id").values()),
        list(Address.objects.order_by("id").values()),
    )


@pytest.mark.parametrize("role", list(Role))
def test_who_sees_the_party_pages(role, users):
    client = signed_in(users[role])
    assert client.get("/parties/party/").status_code == (200 if role in VIEWERS else 403)
    assert client.get("/parties/party/add/").status_code == (200 if role in EDITORS else 403)
    assert client.get("/parties/region/").status_code == (200 if role in VIEWERS else 403)


@pytest.mark.parametrize("rows", [5, 50])
def test_the_party_list_costs_the_same_queries_for_5_or_50_rows(
    rows, company, users, django_assert_max_num_queries
):
    tags = [TagFactory(company=company, name=n) for n in ("A", "B")]
    region = RegionFactory(company=company)
    firm = OrganisationFactory(
        company=company, name="Firm", region=region, tags=tags, owner=users[R.SALES_MANAGER]
    )
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
    client = signed_in(users[R.SALES_REP])
    client.get("/parties/party/")

    with django_assert_max_num_queries(18):
        response = client.get("/parties/party/?o=1")

    assert response.status_code == 200
    assert response.content.decode().count('name="_selected_action"') == rows


def test_search_by_phone_and_domain_and_filter_by_kind(company, users):
    OrganisationFactory(
        company=company,
        name="Harbour Logistics",
        phone="+1 555 777 1234",
        website="https://harbour.example",
    )
    PersonFactory(company=company, name="Ivy Chen")
    client = signed_in(users[R.SALES_REP])

    by_domain = client.get("/parties/party/?q=harbour.example").content.decode()
    by_kind = client.get("/parties/party/?kind__exact=person").content.decode()

    assert "Harbour Logistics" in by_domain and "Ivy Chen" not in by_domain
    assert "Ivy Chen" in by_kind and "Harbour Logistics" not in by_kind


def test_a_rep_edits_their_own_party_and_only_reads_another(company, users):
    """Given a party of the rep and one of the manager; When the rep posts the change form of
    each; Then their own is saved through the service (new version) and the other's is
    refused with 403 and left unchanged."""
    rep = users[R.SALES_REP]
    mine = OrganisationFactory(company=company, name="Mine", owner=rep)
    theirs = OrganisationFactory(company=company, name="Theirs", owner=users[R.SALES_MANAGER])
    client = signed_in(rep)
    form = {
        "kind": "organisation",
        "phone": "+1 555 0100",
        "active": "on",
        "is_customer": "on",
        "owner": rep.pk,
        "addresses-TOTAL_FORMS": "1",
        "addresses-INITIAL_FORMS": "0",
        "addresses-0-kind": "billing",
        "addresses-0-city": "Boston",
        "addresses-0-country": "us",
        "addresses-0-is_default": "on",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }

    saved = client.post(
        f"/parties/party/{mine.pk}/change/", {**form, "name": "Mine Renamed", "seen_version": 1}
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    mine.refresh_from_db()
    assert (mine.name, mine.normalized_phone, mine.version) == ("Mine Renamed", "+15550100", 2)
    assert list(mine.addresses.values_list("city", "country")) == [("Boston", "US")]

    before = state()
    refused = client.post(f"/parties/party/{theirs.pk}/change/", {**form, "name": "Hijacked"})
    assert refused.status_code == 403
    assert state() == before
    assert 'name="name"' not in client.get(f"/parties/party/{theirs.pk}/change/").content.decode()


def _customer_form(party, owner, **changes) -> dict:
    return {
        "kind": "organisation",
        "name": party.name,
        "is_customer": "on",
        "active": "on",
        "owner": owner.pk,
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        **changes,
    }


def test_a_stale_customer_form_is_refused_at_the_form_with_the_input_kept(company, users):
    """Given a manager who opened customer Acme at version 1; When a colleague saves it
    (version 2) and the manager then saves the changes they typed; Then the form comes
    back (200) saying Acme changed since, their typed values still in the inputs, and
    the database holds the colleague's values."""
    manager, colleague = users[R.SALES_MANAGER], users[R.ADMINISTRATOR]
    party = OrganisationFactory(company=company, name="Acme", owner=manager, is_customer=True)
    client = signed_in(manager)
    page = client.get(f"/parties/party/{party.pk}/change/").content.decode()
    assert 'name="seen_version" value="1"' in page
    update_party(party.pk, by=colleague, version=1, notes="Colleague's note", phone="+1 555 0199")
    theirs = state()

    # When: the manager saves what they typed on the page opened at version 1
    response = client.post(
        f"/parties/party/{party.pk}/change/",
        _customer_form(
            party,
            manager,
            name="Acme Renamed",
            notes="Manager's note",
            email="buy@acme.test",
            seen_version=1,
        ),
    )

    # Then
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Acme was changed by someone else since you opened it (version 2, yours 1). "
        "Reload the page and apply your change again." in html
    )
    assert re.search(r'<input type="text" name="name" value="Acme Renamed"', html)
    assert re.search(r'<input type="email" name="email" value="buy@acme.test"', html)
    assert "Manager&#x27;s note</textarea>" in html
    assert state() == theirs
    assert Party.objects.values_list("name", "notes", "phone", "version").get(pk=party.pk) == (
        "Acme",
        "Colleague's note",
        "+1 555 0199",
        2,
    )


def test_merge_action_asks_for_the_survivor_then_merges(company, users):
    """Given two entries of one firm; When a manager picks "Merge selected into the oldest",
    Then a page asks which one stays (the oldest preselected); When they confirm the newer
    one; Then the older is merged into it."""
    older = OrganisationFactory(company=company, name="Acme")
    newer = OrganisationFactory(company=company, name="Acme Inc")
    client = signed_in(users[R.SALES_MANAGER])
    selection = {"action": "merge_into_oldest", "_selected_action": [older.pk, newer.pk]}

    page = client.post("/parties/party/", selection)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="merge-form"' in html
    assert f'value="{older.pk}" checked' in html

    done = client.post("/parties/party/", {**selection, "survivor": newer.pk})

    assert done.status_code == 302
    assert Party.objects.get(pk=older.pk).merged_into_id == newer.pk


def test_a_rep_cannot_run_the_merge_action(company, users):
    first = OrganisationFactory(company=company, name="Acme")
    second = OrganisationFactory(company=company, name="Acme Inc")
    before = state()
    response = signed_in(users[R.SALES_REP]).post(
        "/parties/party/",
        {
            "action": "merge_into_oldest",
            "_selected_action": [first.pk, second.pk],
            "survivor": first.pk,
        },
    )
    assert response.status_code == 302  # the action is not offered to the role
    assert state() == before


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [
        ("0", "text/csv"),
        ("1", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_the_list_exports_to_csv_and_xlsx(company, users, file_format, content_type):
    vip = TagFactory(company=company, name="VIP")
    OrganisationFactory(company=company, name="Export Me", email="x@export.example", tags=[vip])
    client = signed_in(users[R.SALES_MANAGER])
    page = client.get("/parties/party/export/")
    assert page.status_code == 200

    response = client.post(
        "/parties/party/export/",
        {"format": file_format, "resource": "0", "export_items": []},
    )

    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"].startswith(content_type)
    if file_format == "0":
        text = response.content.decode()
        assert text.splitlines()[0].startswith("id,kind,name,organisation")
        assert "Export Me" in text and "VIP" in text


def test_the_pages_offer_the_actions_the_role_may_use(company, users):
    person = PersonFactory(company=company, name="Ivy Chen", owner=users[R.SALES_REP])
    manager, rep = signed_in(users[R.SALES_MANAGER]), signed_in(users[R.SALES_REP])

    manager_list = manager.get("/parties/party/").content.decode()
    manager_form = manager.get(f"/parties/party/{person.pk}/change/").content.decode()
    rep_form = rep.get(f"/parties/party/{person.pk}/change/").content.decode()

    assert "/parties/party/import-vcard/" in manager_list
    assert "Merge selected into the oldest" in manager_list
    assert "Export vCards" in manager_list
    assert f"/parties/party/{person.pk}/personal-data/" in manager_form
    assert f"/parties/party/{person.pk}/erase/" in manager_form
    assert f"/parties/party/{person.pk}/erase/" not in rep_form
    assert "Merge selected into the oldest" not in rep.get("/parties/party/").content.decode()
