"""vCard exchange: export read back by vobject, import with a report per card."""

from __future__ import annotations

import pytest
import vobject
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keel.parties.models import Address, Party
from keel.parties.services.vcards import import_vcards
from keel.parties.vcard import to_vcards
from keel.users.roles import Role

from .factories import AddressFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = """BEGIN:VCARD
VERSION:3.0
FN:Grace Hopper
N:Hopper;Grace;;;
ORG:Navy Labs
TITLE:Rear Admiral
EMAIL;TYPE=INTERNET:grace@navylabs.example
TEL;TYPE=WORK:+1 555 0142
ADR;TYPE=work:;;12 Dock Street;Arlington;VA;22201;US
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Broken Card
EMAIL;TYPE=INTERNET:not-an-address
END:VCARD
BEGIN:VCARD
VERSION:4.0
KIND:org
FN:Navy Labs
ORG:Navy Labs
URL:https://navylabs.example
END:VCARD
"""


@pytest.fixture
def ada(company):
    firm = OrganisationFactory(company=company, name="Analytical Engines Ltd")
    person = PersonFactory(
        company=company,
        name="Ada Lovelace",
        organisation=firm,
        job_title="Analyst",
        email="ada@engines.example",
        phone="+44 20 7946 0001",
    )
    AddressFactory(
        party=person,
        street="12 St James's Square",
        city="London",
        postal_code="SW1Y 4JH",
        country="GB",
    )
    return person


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_an_exported_card_reads_back_with_vobject(ada, version):
    """Given Ada with an organisation and an address; When exported as vCard; Then vobject
    parses it and every field is where vCard says it is."""
    text = to_vcards(Party.objects.filter(pk=ada.pk).prefetch_related("addresses"), version)

    card = vobject.readOne(text)

    assert card.version.value == version
    assert card.fn.value == "Ada Lovelace"
    assert (card.n.value.given, card.n.value.family) == ("Ada", "Lovelace")
    assert card.org.value == ["Analytical Engines Ltd"]
    assert card.title.value == "Analyst"
    assert card.email.value == "ada@engines.example"
    assert card.tel.value == "+44 20 7946 0001"
    assert card.uid.value == f"urn:keel:party:{ada.pk}"
    adr = card.adr.value
    assert (adr.street, adr.city, adr.code, adr.country) == (
        "12 St James's Square",
        "London",
        "SW1Y 4JH",
        "GB",
    )
    assert card.adr.params["TYPE"] == ["work"]


def test_an_exported_organisation_says_it_is_one_and_imports_back_as_one(company, users):
    firm = OrganisationFactory(company=company, name="Babbage & Co", website="https://bab.example")
    text = to_vcards(Party.objects.filter(pk=firm.pk).prefetch_related("addresses"), "4.0")
    assert vobject.readOne(text).kind.value == "org"
    Party.objects.filter(pk=firm.pk).update(
        name="Renamed", normalized_name="renamed", website="", domain=""
    )

    report = import_vcards(company, text, by=users[Role.SALES_REP])

    assert [(c.status, c.party.kind, c.party.website) for c in report.cards] == [
        ("created", "organisation", "https://bab.example")
    ]


def test_import_creates_the_good_cards_and_reports_the_bad_one(company, users):
    """Given a file with two good cards and one with an invalid e-mail; When imported; Then
    the two good ones are created (Grace linked to Navy Labs, with her address) and the bad
    one is reported by number with the reason and not imported."""
    report = import_vcards(company, GOOD_AND_BAD.encode(), by=users[Role.SALES_REP])

    assert [(c.number, c.status) for c in report.cards] == [
        (1, "created"),
        (2, "error"),
        (3, "created"),
    ]
    assert report.cards[1].error == (
        "Card 2 is not imported: its e-mail “not-an-address” is not a valid address."
    )
    assert not Party.objects.filter(name="Broken Card").exists()
    grace = Party.objects.get(name="Grace Hopper")
    assert (grace.kind, grace.organisation.name, grace.job_title, grace.normalized_phone) == (
        "person",
        "Navy Labs",
        "Rear Admiral",
        "+15550142",
    )
    # Card 3 is the organisation card 1 named: completed, not entered twice.
    assert report.cards[2].party.pk == grace.organisation_id
    assert Party.objects.get(name="Navy Labs").domain == "navylabs.example"
    assert list(grace.addresses.values_list("kind", "street", "city", "country", "is_default")) == [
        ("billing", "12 Dock Street", "Arlington", "US", True)
    ]


def test_a_card_like_an_existing_party_is_shown_not_imported(company, users, ada):
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada King\r\nEMAIL:ADA@engines.example\r\nEND:VCARD\r\n"
    report = import_vcards(company, text, by=users[Role.SALES_REP])

    assert [(c.status, [(m.party.pk, m.reasons) for m in c.duplicates]) for c in report.cards] == [
        ("duplicate", [(ada.pk, ("same e-mail",))])
    ]
    assert Party.objects.filter(name="Ada King").count() == 0

    again = import_vcards(company, text, by=users[Role.SALES_REP], import_duplicates=True)

    assert again.cards[0].status == "created"


def test_import_vcard_endpoint_reports_per_card(users, api_as):
    upload = SimpleUploadedFile("contacts.vcf", GOOD_AND_BAD.encode(), content_type="text/vcard")

    response = api_as(users[Role.SALES_REP]).post(
        "/api/v1/parties/import-vcard/", {"file": upload, "is_customer": True}, format="multipart"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["errors"], body["duplicates"]) == (2, 1, 0)
    assert body["cards"][1]["status"] == "error"
    assert "not-an-address" in body["cards"][1]["error"]
    assert Party.objects.get(name="Grace Hopper").is_customer is True


def test_a_warehouse_clerk_cannot_import(users, api_as):
    upload = SimpleUploadedFile("contacts.vcf", GOOD_AND_BAD.encode())
    response = api_as(users[Role.WAREHOUSE_CLERK]).post(
        "/api/v1/parties/import-vcard/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 403
    assert Party.objects.count() == 0


def test_vcard_endpoints_export_one_party_and_a_filtered_list(ada, users, api_as):
    client = api_as(users[Role.WAREHOUSE_CLERK])

    one = client.get(f"/api/v1/parties/{ada.pk}/vcard/?version=4.0")
    many = client.get("/api/v1/parties/vcards/?kind=person")

    assert one.status_code == 200 and one["Content-Type"].startswith("text/vcard")
    assert vobject.readOne(one.content.decode()).version.value == "4.0"
    assert [c.fn.value for c in vobject.readComponents(many.content.decode())] == ["Ada Lovelace"]


def test_the_workspace_imports_a_file_and_shows_the_report(users):
    client = Client()
    client.force_login(users[Role.SALES_REP])
    page = client.get("/parties/party/import-vcard/")
    assert page.status_code == 200

    response = client.post(
        "/parties/party/import-vcard/",
        {"file": SimpleUploadedFile("c.vcf", GOOD_AND_BAD.encode())},
    )

    html = response.content.decode()
    assert 'data-testid="vcard-import-report"' in html
    assert "Card 2 is not imported" in html
    assert Party.objects.filter(name="Grace Hopper").exists()
    assert Address.objects.count() == 1


def test_the_export_vcards_action_downloads_the_selection(ada, users):
    client = Client()
    client.force_login(users[Role.SALES_MANAGER])
    response = client.post(
        "/parties/party/", {"action": "export_vcards", "_selected_action": [ada.pk]}
    )
    assert response["Content-Type"].startswith("text/vcard")
    assert vobject.readOne(response.content.decode()).fn.value == "Ada Lovelace"
