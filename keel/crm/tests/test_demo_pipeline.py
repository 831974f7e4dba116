"""The pipeline demo loads the promised volumes, deterministically."""

from __future__ import annotations

import pytest
from faker import Faker

from keel.crm import demo_pipeline
from keel.crm.models import Activity, Opportunity, Pipeline, SalesTarget
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_demo_loads_pipelines_deals_activities_and_targets(company):
    user_with_role(Role.SALES_REP, username="sales.rep", company=company)
    user_with_role(Role.SALES_MANAGER, username="sales.manager", company=company)

    demo_pipeline.load(company, Faker())

    assert sorted(Pipeline.objects.values_list("name", flat=True)) == ["New business", "Renewals"]
    assert Opportunity.objects.count() == 250
    statuses = set(Opportunity.objects.values_list("status", flat=True))
    assert statuses == {"open", "won", "lost"}
    assert Activity.objects.count() == 1500
    assert SalesTarget.objects.count() == 2 * 15
    first = list(Opportunity.objects.order_by("id").values_list("name", "amount", "status")[:5])

    # Deterministic: the same seed gives the same deals
    Activity.objects.all().delete()
    SalesTarget.objects.all().delete()
    from keel.core.models import StatusChange

    StatusChange.objects.all().delete()
    Opportunity.history.all().delete()
    Opportunity.objects.all().delete()
    Pipeline.objects.all().delete()
    demo_pipeline.load(company, Faker())
    assert (
        list(Opportunity.objects.order_by("id").values_list("name", "amount", "status")[:5])
        == first
    )
