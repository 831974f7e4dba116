"""Factories of the pipeline work: parties to sell to, pipelines with stages,
opportunities, activities, targets. Higher domains reuse them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.contrib.contenttypes.models import ContentType

from keel.core.tests.factories import CompanyFactory
from keel.crm.models import Activity, Opportunity, Pipeline, SalesTarget, Stage
from keel.parties.models import Party
from keel.parties.normalize import normalize_name
from keel.users.tests.factories import UserFactory

DEFAULT_STAGES = [("Qualify", "10"), ("Propose", "40"), ("Negotiate", "70")]


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    company = factory.SubFactory(CompanyFactory)
    kind = Party.Kind.ORGANISATION
    name = factory.Sequence(lambda n: f"Customer {n:03d} Ltd")
    normalized_name = factory.LazyAttribute(lambda p: normalize_name(p.name))
    is_customer = True


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline
        django_get_or_create = ("company", "name")

    company = factory.SubFactory(CompanyFactory)
    name = "New business"


def pipeline_with_stages(company, name: str = "New business", stages=DEFAULT_STAGES) -> Pipeline:
    """A pipeline with stages at sequence 10, 20, 30… and the given probabilities."""
    pipeline = PipelineFactory(company=company, name=name)
    for position, (stage_name, probability) in enumerate(stages, start=1):
        Stage.objects.get_or_create(
            pipeline=pipeline,
            sequence=position * 10,
            defaults={"name": stage_name, "probability": Decimal(probability)},
        )
    return pipeline


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Deal {n:04d}")
    party = factory.SubFactory(CustomerFactory, company=factory.SelfAttribute("..company"))
    pipeline = factory.LazyAttribute(lambda o: pipeline_with_stages(o.company))
    stage = factory.LazyAttribute(lambda o: o.pipeline.stages.order_by("sequence").first())
    owner = factory.SubFactory(UserFactory, company=factory.SelfAttribute("..company"))
    amount = Decimal("1000.00")
    currency = "USD"
    expected_close = date(2026, 6, 30)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        exclude = ["about"]

    about = factory.SubFactory(OpportunityFactory)
    company = factory.LazyAttribute(lambda a: a.about.company)
    kind = Activity.Kind.CALL
    subject = factory.Sequence(lambda n: f"Call {n}")
    assignee = factory.LazyAttribute(lambda a: getattr(a.about, "owner", None))
    content_type = factory.LazyAttribute(lambda a: ContentType.objects.get_for_model(a.about))
    object_id = factory.LazyAttribute(lambda a: str(a.about.pk))


class SalesTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesTarget

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    period_start = date(2026, 1, 1)
    period_end = date(2026, 1, 31)
    amount = Decimal("10000.00")
    currency = "USD"
