"""The demo leads load, assigned by territory and scored."""

import pytest
from faker import Faker

from keel.crm import demo_leads
from keel.crm.models import Lead, LeadEngagement
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


def test_demo_leads_load_assigned_and_scored(company, users):
    fake = Faker("en_US")
    fake.seed_instance(2026)

    demo_leads.load(company, fake)
    demo_leads.load(company, fake)  # a second run adds nothing

    assert Lead.objects.count() == 400
    assert LeadEngagement.objects.count() > 400
    assert not Lead.objects.filter(owner__isnull=True).exists()
    assert set(Lead.objects.values_list("owner__username", flat=True)) == {
        users[Role.SALES_REP].username,
        users[Role.SALES_MANAGER].username,
    }
    assert Lead.objects.filter(score__gt=0).count() > 350
