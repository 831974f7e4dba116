"""Every list of a business module in the workspace can be searched and exported
(CSV/XLSX), as the users of a serious product expect; a new module's lists inherit
this check without editing it."""

import pytest
from django.contrib import admin
from import_export.admin import ExportMixin

from keel.core.export_formats import CSV, XLSX

PLATFORM_APPS = {
    "admin",
    "auth",
    "contenttypes",
    "sessions",
    "authtoken",
    "django_tasks_database",
    "core",
    "users",
}


def business_lists():
    for model, model_admin in admin.site._registry.items():
        app = model._meta.app_label
        if model.__module__.startswith("keel.") and app not in PLATFORM_APPS:
            yield pytest.param(model_admin, id=f"{app}.{model.__name__}")


@pytest.mark.parametrize("model_admin", list(business_lists()))
def test_every_business_list_is_searchable_and_exports_csv_and_xlsx(model_admin):
    assert model_admin.search_fields, "give the list search_fields"
    assert isinstance(model_admin, ExportMixin), "mix in import_export's ExportMixin"
    formats = set(model_admin.get_export_formats())
    assert {CSV, XLSX} <= formats, f"export formats are {formats}"


@pytest.mark.django_db
@pytest.mark.parametrize("model_admin", list(business_lists()))
def test_an_administrator_downloads_every_business_list_as_csv(model_admin, users):
    from django.test import Client
    from django.urls import reverse

    from keel.users.roles import Role

    opts = model_admin.model._meta
    client = Client()
    client.force_login(users[Role.ADMINISTRATOR])
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    assert client.get(url).status_code == 200
    formats = model_admin.get_export_formats()
    response = client.post(
        url,
        {"format": formats.index(CSV), "export_items": [], **_all_fields(model_admin, client, url)},
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert "id" in header.lower().split(",") or len(header.split(",")) > 1


def _all_fields(model_admin, client, url) -> dict:
    """The export form's field checkboxes, all ticked (as a user leaves them)."""
    form = client.get(url).context["form"]
    return {
        name: "on" for name in form.fields if name not in {"format", "resource", "export_items"}
    }
