"""Factories for leads and the few parties and pipelines their tests need."""

from __future__ import annotations

from decimal import Decimal

import factory

from keel.core.tests.factories import CompanyFactory
from keel.crm.models import (
    AssignmentRule,
    Lead,
    LeadEngagement,
    Pipeline,
    ScoringRule,
    Stage,
)
from keel.parties.models import Industry, Party, Region
from keel.parties.normalize import domain_of, normalize_name, normalize_phone


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("company", "name")

    company = factory.SubFactory(CompanyFactory)
    name = "North"


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("company", "name")

    company = factory.SubFactory(CompanyFactory)
    name = "Software"


class PartyFactory(factory.django.DjangoModelFactory):
    """An organisation with its normal forms filled in, as create_party would."""

    class Meta:
        model = Party

    company = factory.SubFactory(CompanyFactory)
    kind = Party.Kind.ORGANISATION
    name = factory.Sequence(lambda n: f"Organisation {n}")
    email = ""
    phone = ""
    website = ""
    normalized_name = factory.LazyAttribute(lambda p: normalize_name(p.name))
    normalized_phone = factory.LazyAttribute(lambda p: normalize_phone(p.phone))
    domain = factory.LazyAttribute(lambda p: domain_of(p.email, p.website))


class PipelineFactory(factory.django.DjangoModelFactory):
    """A pipeline with three stages (Qualification 10%, Proposal 50%, Negotiation 80%)."""

    class Meta:
        model = Pipeline
        django_get_or_create = ("company", "name")
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    name = "New business"

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if not create or self.stages.exists():
            return
        for sequence, (name, probability) in enumerate(
            [("Qualification", "10"), ("Proposal", "50"), ("Negotiation", "80")], start=1
        ):
            Stage.objects.create(
                pipeline=self, name=name, sequence=sequence, probability=Decimal(probability)
            )


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    company = factory.SubFactory(CompanyFactory)
    first_name = "Jane"
    last_name = factory.Sequence(lambda n: f"Doe{n}")
    organisation_name = factory.Sequence(lambda n: f"Prospect {n} Ltd")
    email = factory.Sequence(lambda n: f"jane{n}@prospect{n}.example")


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadEngagement

    lead = factory.SubFactory(LeadFactory)
    kind = "opened_mailing"


class ScoringRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringRule

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    points = 10


class AssignmentRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentRule
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Assignment {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)
