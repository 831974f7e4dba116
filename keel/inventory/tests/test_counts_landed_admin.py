"""Counts and landed costs in the workspace: a clerk starts a count sheet, fills in the
counted column and posts it; an accountant lands freight on a done receipt; refusals
are messages (or 403) and change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from keel.accounting.tests.factories import books
from keel.users.roles import Role

from ..models import InventoryCount, LandedCost, StockLevel, Transfer
from ..selectors import check_valuation
from ..services import transfers
from .factories import MAY_4, product, receive
from .test_counts_landed_api import books_snapshot

pytestmark = pytest.mark.django_db
D = Decimal


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def gears(company, wh):
    """Books, and 10 gears in WH/Stock at 11.50 on WH/IN/00001."""
    books(company)
    gear = product(company, name="Gear", sku="GEAR")
    receive(wh, gear, 10, unit_cost="11.50")
    return gear


def _sheet_post(count: InventoryCount, counted: str) -> dict:
    """The change form of a sheet with one line, its counted column filled in."""
    line = count.lines.get()
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": str(line.pk),
        "lines-0-count": str(count.pk),
        "lines-0-counted": counted,
    }


def test_a_clerk_counts_and_posts_a_sheet_in_the_workspace(users, company, wh, gears):
    """Given 10 gears at 11.50; When a clerk adds a count of WH/Stock, enters 8 in the
    counted column, saves and presses Post count; Then the sheet expected 10, the
    adjustment WH/INT/00001 moved 2 to inventory loss, 8 are on hand, and the stock
    account (92.00) equals the valuation; the button is gone once posted."""
    client = _client(users[Role.WAREHOUSE_CLERK])
    added = client.post(
        reverse("admin:inventory_inventorycount_add"),
        {"location": wh.stock_location.pk, "date": "2026-05-09"},
    )
    count = InventoryCount.objects.get()
    assert added.status_code == 302
    assert added["Location"] == reverse("admin:inventory_inventorycount_change", args=[count.pk])
    assert list(count.lines.values_list("product__sku", "expected", "counted")) == [
        ("GEAR", D(10), None)
    ]
    saved = client.post(
        reverse("admin:inventory_inventorycount_change", args=[count.pk]), _sheet_post(count, "8")
    )
    assert saved.status_code == 302
    assert count.lines.get().counted == D(8)
    page = client.get(reverse("admin:inventory_inventorycount_change", args=[count.pk]))
    assert b"/post/" in page.content
    post = reverse("admin:inventory_inventorycount_post_count", args=[count.pk])
    assert client.post(post).status_code == 302
    count.refresh_from_db()
    assert (count.status, count.adjustment.number) == ("done", "WH/INT/00001")
    level = StockLevel.objects.get(product=gears, location=wh.stock_location, lot_key=0)
    assert level.on_hand == D(8)
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account, check.sound) == (D("92.00"), D("92.00"), True)
    page = client.get(reverse("admin:inventory_inventorycount_change", args=[count.pk]))
    assert b"/post/" not in page.content


def test_posting_a_done_count_again_in_the_workspace_is_refused(users, wh, gears):
    """Given a count posted; When the clerk posts it again; Then 403 and nothing
    changed."""
    client = _client(users[Role.WAREHOUSE_CLERK])
    client.post(
        reverse("admin:inventory_inventorycount_add"),
        {"location": wh.stock_location.pk, "date": "2026-05-09"},
    )
    count = InventoryCount.objects.get()
    post = reverse("admin:inventory_inventorycount_post_count", args=[count.pk])
    client.post(post)
    before = books_snapshot()
    assert client.post(post).status_code == 403
    assert books_snapshot() == before


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.ACCOUNTANT])
def test_roles_that_do_not_run_the_warehouse_may_not_count_in_the_workspace(users, wh, gears, role):
    """Sales reps and accountants are refused (403) the count sheets, starting one and
    posting one; nothing changes."""
    clerk = _client(users[Role.WAREHOUSE_CLERK])
    clerk.post(
        reverse("admin:inventory_inventorycount_add"),
        {"location": wh.stock_location.pk, "date": "2026-05-09"},
    )
    count = InventoryCount.objects.get()
    client = _client(users[role])
    before = books_snapshot()
    assert client.get(reverse("admin:inventory_inventorycount_changelist")).status_code == 403
    added = client.post(
        reverse("admin:inventory_inventorycount_add"),
        {"location": wh.stock_location.pk, "date": "2026-05-09"},
    )
    assert added.status_code == 403
    post = reverse("admin:inventory_inventorycount_post_count", args=[count.pk])
    assert client.post(post).status_code == 403
    assert books_snapshot() == before


def test_an_accountant_lands_freight_in_the_workspace(users, company, wh, gears):
    """Given WH/IN/00001 done (10 gears at 11.50); When an accountant adds a landed
    cost of 20.00 by quantity on it; Then its one line carries 20.00, and the stock
    account (135.00) equals the valuation."""
    client = _client(users[Role.ACCOUNTANT])
    done = Transfer.objects.get(number="WH/IN/00001")
    added = client.post(
        reverse("admin:inventory_landedcost_add"),
        {"receipt": done.pk, "amount": "20.00", "split_by": "quantity", "date": "2026-05-08"},
    )
    assert added.status_code == 302
    cost = LandedCost.objects.get()
    assert list(cost.lines.values_list("amount", flat=True)) == [D("20.00")]
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account, check.sound) == (D("135.00"), D("135.00"), True)
    page = client.get(reverse("admin:inventory_landedcost_change", args=[cost.pk]))
    assert page.status_code == 200 and b"WH/IN/00001" in page.content


def test_a_landed_cost_on_a_receipt_not_done_is_not_offered_and_nothing_changes(
    users, company, wh, gears
):
    """Given a confirmed receipt WH/IN/00002 not yet done; When an accountant posts a
    landed cost on it; Then the form refuses the choice and nothing changed."""
    waiting = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=MAY_4,
        lines=[{"product": gears, "quantity": D(1)}],
    )
    transfers.confirm(waiting.pk)
    client = _client(users[Role.ACCOUNTANT])
    before = books_snapshot()
    refused = client.post(
        reverse("admin:inventory_landedcost_add"),
        {"receipt": waiting.pk, "amount": "20.00", "split_by": "quantity", "date": "2026-05-08"},
    )
    assert refused.status_code == 200
    assert b"Select a valid choice" in refused.content
    assert books_snapshot() == before


def test_a_clerk_may_see_but_not_add_landed_costs(users, wh, gears):
    """A warehouse clerk lists landed costs but is refused (403) adding one; nothing
    changes."""
    client = _client(users[Role.WAREHOUSE_CLERK])
    assert client.get(reverse("admin:inventory_landedcost_changelist")).status_code == 200
    before = books_snapshot()
    done = Transfer.objects.get(number="WH/IN/00001")
    refused = client.post(
        reverse("admin:inventory_landedcost_add"),
        {"receipt": done.pk, "amount": "20.00", "split_by": "quantity", "date": "2026-05-08"},
    )
    assert refused.status_code == 403
    assert books_snapshot() == before
