"""No workspace list filter offers another company's records: every filter by a related
record that belongs to a company lists only the user's company's (Django's own lists
every company's warehouses, journals, users...)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.test import Client

from keel.core.admin_lists import CompanyChoices
from keel.core.tests.factories import CompanyFactory
from keel.inventory.tests.factories import warehouse
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role


def related_filters():
    """(admin, path, filter class) of every list filter by a company's related record."""
    for model, model_admin in admin.site._registry.items():
        for entry in model_admin.list_filter:
            if isinstance(entry, str):
                path, kind = entry, None
            elif isinstance(entry, list | tuple):
                path, kind = entry
            else:
                continue  # a SimpleListFilter: its own choices
            related = getattr(get_fields_from_path(model, path)[-1], "related_model", None)
            if related is not None and any(f.name == "company" for f in related._meta.fields):
                yield type(model_admin).__name__, path, kind


def test_every_filter_by_a_companys_record_offers_only_the_users_company():
    """Given every registered list; Then each filter by a related record of a company
    uses the company's choices (or Django's 'related only', which offers what the
    already company-scoped list holds)."""
    unscoped = [
        (name, path)
        for name, path, kind in related_filters()
        if not (
            isinstance(kind, type)
            and issubclass(kind, CompanyChoices | admin.RelatedOnlyFieldListFilter)
        )
    ]
    assert unscoped == []


@pytest.mark.django_db
def test_the_transfer_list_filters_by_the_clerks_own_warehouses_only(company):
    """Given two warehouses of the clerk's company and one of another company; When the
    clerk opens the transfers list; Then its warehouse filter offers only her two."""
    warehouse(company, code="MAIN", name="Main warehouse")
    warehouse(company, code="EAST", name="East depot")
    warehouse(CompanyFactory(name="Rival Ltd"), code="RIV", name="Rival depot")
    clerk = user_with_role(Role.WAREHOUSE_CLERK, "wanda", company=company)
    client = Client()
    client.force_login(clerk)

    response = client.get("/inventory/transfer/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Main warehouse" in page and "East depot" in page
    assert "Rival depot" not in page
