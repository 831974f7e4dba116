"""The stock forecast page: per warehouse figures, the chart's data, the dated moves;
a fixed number of queries; refused without the right to see stock."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from keel.users.roles import Role

from ..services import transfers
from .factories import delivery, receive, warehouse

pytestmark = pytest.mark.django_db
D = Decimal


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def today():
    """The page is looked at from 4 May 2026 (`?start=`), the factories' date."""
    return dt.date(2026, 5, 4)


def test_a_clerk_reads_the_forecast_of_a_product(
    users, company, wh, widget, today, django_assert_max_num_queries
):
    """Given 10 Widgets in WH, a delivery of 12 to Acme on day +3 and a second warehouse
    EU; When a clerk on 4 May opens the forecast of Widget over 30 days; Then WH shows 10 on hand
    and -2 at the end, EU 0, the chart has a line per warehouse (by code) of 31 days, and the
    delivery is listed; in at most 12 queries, with 2 or 12 moves."""
    receive(wh, widget, 10)
    warehouse(company, "EU", "Europe")
    transfers.confirm(delivery(wh, widget, 12, on_date=today + dt.timedelta(days=3)).pk)
    client = _client(users[Role.WAREHOUSE_CLERK])
    url = reverse("inventory:forecast") + f"?product={widget.pk}&days=30&start=2026-05-04"
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    rows = {r["warehouse"].code: r for r in page.context["rows"]}
    assert (rows["WH"]["on_hand"], rows["WH"]["available_end"]) == (D(10), D(-2))
    assert (rows["EU"]["on_hand"], rows["EU"]["on_hand_end"]) == (0, 0)
    chart = json.loads(page.context["chart"])
    assert [d["label"] for d in chart["datasets"]] == ["EU", "WH"]
    assert len(chart["labels"]) == 31 and chart["labels"][0] == "2026-05-04"
    assert chart["datasets"][1]["data"][2:5] == [10.0, -2.0, -2.0]
    assert b"WH/OUT/00001" in page.content
    for offset in range(10):
        transfers.confirm(delivery(wh, widget, 1, on_date=today + dt.timedelta(days=offset)).pk)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert len(page.context["moves"]) == 11


def test_the_page_without_a_product_offers_the_products(users, widget):
    page = _client(users[Role.SALES_REP]).get(reverse("inventory:forecast") + "?product=x")
    assert page.status_code == 200 and b"[WID] Widget" in page.content
    assert "rows" not in page.context


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.MARKETING])
def test_roles_without_stock_are_refused(users, widget, role):
    """An accountant or a marketer may not see stock: 403."""
    url = reverse("inventory:forecast") + f"?product={widget.pk}"
    assert _client(users[role]).get(url).status_code == 403
