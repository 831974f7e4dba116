"""Factories for the core records; higher domains reuse them."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from keel.core.models import ApprovalRule, Company, WebhookSubscription


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("name",)

    name = "Acme Test Co"
    currency = "USD"
    country = "US"


class ApprovalRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalRule

    company = factory.SubFactory(CompanyFactory)
    name = "Large deals need a Sales Manager"
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Company))
    action = "confirm"
    min_amount = Decimal("10000.00")
    approver_role = factory.LazyFunction(lambda: Group.objects.get(name="Sales Manager"))


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    company = factory.SubFactory(CompanyFactory)
    name = "ERP bridge"
    target_url = "http://127.0.0.1:9/hook"
    event_types = factory.LazyFunction(lambda: ["*"])
    secret = "s3cret-for-tests"
