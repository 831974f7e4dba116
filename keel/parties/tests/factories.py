"""Parties for tests of every domain: created through the service, normal forms included."""

from __future__ import annotations

import factory

from keel.core.tests.factories import CompanyFactory
from keel.parties.models import Address, CustomerGroup, Industry, Party, Region, SalesChannel, Tag
from keel.parties.services.parties import create_party


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    company = factory.SubFactory(CompanyFactory)
    kind = Party.Kind.ORGANISATION
    name = factory.Sequence(lambda n: f"Organisation {n}")
    is_customer = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        tags = kwargs.pop("tags", ())
        return create_party(tags=tags, **kwargs)


class PersonFactory(OrganisationFactory):
    kind = Party.Kind.PERSON
    name = factory.Sequence(lambda n: f"Person {n}")
    is_customer = False


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    party = factory.SubFactory(OrganisationFactory)
    kind = Address.Kind.BILLING
    street = "1 Harbour Street"
    postal_code = "10001"
    city = "New York"
    country = "US"
    is_default = True


class NamedFactory(factory.django.DjangoModelFactory):
    company = factory.SubFactory(CompanyFactory)

    class Meta:
        abstract = True
        django_get_or_create = ("company", "name")


class RegionFactory(NamedFactory):
    class Meta:
        model = Region

    name = "Europe"


class SalesChannelFactory(NamedFactory):
    class Meta:
        model = SalesChannel

    name = "Direct"


class IndustryFactory(NamedFactory):
    class Meta:
        model = Industry

    name = "Software"


class TagFactory(NamedFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")


class CustomerGroupFactory(NamedFactory):
    class Meta:
        model = CustomerGroup

    name = "Wholesale"
