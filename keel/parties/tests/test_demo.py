"""The demo parties: the promised numbers, owners spread over the sales team, deterministic."""

from __future__ import annotations

import pytest
from faker import Faker

from keel.parties import demo
from keel.parties.models import Address, Party, Region, SalesChannel
from keel.parties.selectors import duplicates_of
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


def load(company) -> None:
    fake = Faker("en_US")
    fake.seed_instance(2026)
    demo.load(company, fake)


def test_demo_parties_fill_every_list_with_owners_from_the_sales_team(company, users):
    load(company)

    organisations = Party.objects.filter(kind="organisation")
    people = Party.objects.filter(kind="person")
    assert (organisations.count(), people.count()) == (300, 500)
    assert list(Region.objects.order_by("id").values_list("name", flat=True)) == [
        "North America",
        "Europe",
        "Asia-Pacific",
    ]
    assert SalesChannel.objects.count() == 4
    assert (
        organisations.filter(is_customer=True).count(),
        organisations.filter(is_prospect=True).count(),
        organisations.filter(is_supplier=True).count(),
    ) == (150, 75, 75)
    assert Address.objects.filter(kind="billing").count() == 300
    assert Address.objects.filter(kind="shipping").count() == 300
    assert set(Party.objects.values_list("owner__username", flat=True)) == {
        "sales.rep",
        "sales.manager",
    }
    assert not people.filter(organisation__isnull=True).exists()
    assert Party.history.count() == 800
    sample = people.order_by("id").first()
    assert sample.normalized_name and sample.domain == sample.organisation.domain
    assert duplicates_of(company, email=sample.email)[0].party == sample
    assert users[Role.SALES_REP].owned_parties.count() > 0


def test_demo_parties_are_the_same_on_every_machine(company, users):
    """Faker's fixed seed: the same first organisation and contact every time."""
    load(company)
    first_org = Party.objects.filter(kind="organisation").order_by("id").first()
    first_person = Party.objects.filter(kind="person").order_by("id").first()
    assert (first_org.name, first_person.name) == ("Flores PLC", "Laura Hampton")
