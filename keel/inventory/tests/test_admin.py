"""Workspace pages of stock: lists in a fixed number of queries, buttons only for the
steps a transfer allows next, steps through services, refusals for other roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from keel.users.roles import Role

from ..models import Location, StockLevel, Transfer, Warehouse
from .factories import delivery, receive
from .test_refusals import snapshot

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _step(name, pk):
    return reverse(f"admin:inventory_transfer_{name}", args=[pk])


def test_a_clerk_moves_a_delivery_on_with_the_buttons(
    users, wh, widget, django_assert_max_num_queries
):
    """Given 10 Widgets and a draft delivery of 4; When a clerk presses Confirm, Check
    availability and Validate; Then each page shows only the next steps, and 6 stay
    on hand."""
    receive(wh, widget, 10)
    out = delivery(wh, widget, 4)
    client = _client(users[Role.WAREHOUSE_CLERK])
    with django_assert_max_num_queries(25):
        listing = client.get(reverse("admin:inventory_transfer_changelist"))
    assert listing.status_code == 200 and b"WH/OUT/00001" in listing.content
    page = client.get(reverse("admin:inventory_transfer_change", args=[out.pk])).content
    assert b"/confirm/" in page and b"/validate/" not in page
    assert client.get(_step("confirm_transfer", out.pk)).status_code == 200  # the form
    assert client.post(_step("confirm_transfer", out.pk)).status_code == 302
    page = client.get(reverse("admin:inventory_transfer_change", args=[out.pk])).content
    assert b"/reserve/" in page and b"/confirm/" not in page
    assert client.post(_step("reserve_transfer", out.pk)).status_code == 302
    assert Transfer.objects.get(pk=out.pk).status == "ready"
    assert client.post(_step("validate_transfer", out.pk)).status_code == 302
    assert Transfer.objects.get(pk=out.pk).status == "done"
    level = StockLevel.objects.get(product=widget, location=wh.stock_location)
    assert (level.on_hand, level.reserved) == (6, 0)
    with django_assert_max_num_queries(25):
        levels = client.get(reverse("admin:inventory_stocklevel_changelist"))
    assert levels.status_code == 200 and b"WH/Stock" in levels.content


def test_a_refused_step_is_a_message_and_changes_nothing(users, wh, widget):
    """Given a confirmed delivery and no stock; When a clerk presses Check availability;
    Then the page says Insufficient stock and nothing changed."""
    out = delivery(wh, widget, 4)
    client = _client(users[Role.WAREHOUSE_CLERK])
    client.post(_step("confirm_transfer", out.pk))
    before = snapshot()
    response = client.post(_step("reserve_transfer", out.pk), follow=True)
    assert b"Insufficient stock" in response.content
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.SALES_MANAGER])
def test_sales_roles_see_transfers_but_press_no_button(users, wh, widget, role):
    """Sales roles list transfers and stock on hand, are refused (403) the steps and
    the warehouse set-up, and nothing changes."""
    receive(wh, widget, 10)
    out = delivery(wh, widget, 4)
    client = _client(users[role])
    assert client.get(reverse("admin:inventory_transfer_changelist")).status_code == 200
    assert client.get(reverse("admin:inventory_stocklevel_changelist")).status_code == 200
    before = snapshot()
    assert client.post(_step("confirm_transfer", out.pk)).status_code == 403
    assert client.post(_step("cancel", out.pk)).status_code == 403
    assert client.get(reverse("admin:inventory_warehouse_changelist")).status_code == 403
    assert snapshot() == before


def test_a_clerk_adds_a_warehouse_and_a_bin_through_the_services(users, company, wh):
    """When a clerk adds warehouse eu and bin A1 under EU/Stock in the workspace; Then
    the service made EU with EU/Stock, and EU/Stock/A1 belongs to EU."""
    client = _client(users[Role.WAREHOUSE_CLERK])
    added = client.post(
        reverse("admin:inventory_warehouse_add"), {"code": "eu", "name": "Europe", "active": "on"}
    )
    assert added.status_code == 302
    eu = Warehouse.objects.get(company=company, code="EU")
    assert eu.stock_location.full_name == "EU/Stock"
    added = client.post(
        reverse("admin:inventory_location_add"),
        {"name": "A1", "parent": eu.stock_location.pk, "usage": "internal", "active": "on"},
    )
    assert added.status_code == 302
    assert Location.objects.get(company=company, full_name="EU/Stock/A1").warehouse == eu
