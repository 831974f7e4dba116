"""Report pages of stock: the valuation beside the stock account, stock on hand by
location and the move history; filters, CSV/XLSX downloads with exact figures, a
fixed number of queries, and 403 for roles without the right."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from keel.accounting.tests.factories import books
from keel.products.models import Product, ProductCategory
from keel.products.tests.factories import ProductCategoryFactory
from keel.users.roles import Role

from .factories import bin_in, deliver, product, receive, warehouse

pytestmark = pytest.mark.django_db
D = Decimal
MAY_4, MAY_6 = dt.date(2026, 5, 4), dt.date(2026, 5, 6)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response) -> list[str]:
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode().splitlines()


@pytest.fixture
def stock(company, wh):
    """Books; 10 gears at 11.50 into WH/Stock and 3 into EU/Stock (average cost, no
    category); 2 axles of the FIFO category Spares at 20.00 into WH/Stock/A1, lot
    L-7; then 1 gear delivered from WH on 6 May. Stock is worth 12 x 11.50 + 40.00 =
    178.00."""
    books(company)
    eu = warehouse(company, "EU", "Europe")
    spares = ProductCategoryFactory(
        company=company, name="Spares", costing_method=ProductCategory.CostingMethod.FIFO
    )
    gear = product(company, name="Gear", sku="GEAR")
    axle = product(company, name="Axle", sku="AXLE", category=spares, tracking=Product.Tracking.LOT)
    a1 = bin_in(wh, "A1")
    receive(wh, gear, 10, unit_cost="11.50")
    receive(eu, gear, 3, unit_cost="11.50")
    receive(wh, axle, 2, unit_cost="20.00", destination=a1, lots=[("L-7", "2", None)])
    deliver(wh, gear, 1, on_date=MAY_6)
    return {"eu": eu, "spares": spares, "gear": gear, "axle": axle, "a1": a1}


VALUATION = reverse("inventory:valuation")
ON_HAND = reverse("inventory:on-hand")
MOVES = reverse("inventory:moves")


def test_the_valuation_equals_the_stock_account_and_downloads_exactly(
    users, company, wh, stock, django_assert_max_num_queries
):
    """Given 12 gears at 11.50 and 2 axles at 20.00; When an accountant opens the
    stock valuation; Then AXLE 2 x 20.0000 = 40.00 and GEAR 12 x 11.5000 = 138.00,
    total 178.00 beside the stock account's 178.00 (difference 0), in a fixed number
    of queries; the CSV and XLSX carry the same figures."""
    client = _client(users[Role.ACCOUNTANT])
    with django_assert_max_num_queries(14):
        page = client.get(VALUATION)
    assert page.status_code == 200
    report = page.context["report"]
    assert [
        (r.sku, r.category, r.costing_method, r.quantity, r.unit_cost, r.value) for r in report.rows
    ] == [
        ("AXLE", "Spares", "fifo", D(2), D("20.0000"), D("40.00")),
        ("GEAR", "", "average", D(12), D("11.5000"), D("138.00")),
    ]
    assert (report.value, report.stock_account, report.difference) == (
        D("178.00"),
        D("178.00"),
        D(0),
    )
    assert b'data-testid="stock-account">178.00 USD' in page.content
    # More products cost no more queries
    for n in range(8):
        receive(wh, product(company, name=f"Part {n}", sku=f"P{n}"), 1, unit_cost="1.00")
    with django_assert_max_num_queries(14):
        assert len(client.get(VALUATION).context["report"].rows) == 10
    assert _csv(client.get(VALUATION + f"?category={stock['spares'].pk}&export=csv")) == [
        "SKU,Product,Category,Costing,Quantity,Unit cost,Value",
        "AXLE,Axle,Spares,fifo,2,20,40.00",
        ",Total,,,2,,40.00",
    ]
    xlsx = client.get(VALUATION + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert rows[2] == ("SKU", "Product", "Category", "Costing", "Quantity", "Unit cost", "Value")
    assert rows[3] == ("AXLE", "Axle", "Spares", "fifo", 2, 20, 40)
    assert rows[-1][1] == "Total" and D(str(rows[-1][6])) == D("186.00")


def test_the_valuation_filters_by_category_and_warehouse(users, stock):
    """Given the stock above; When the valuation is filtered by Spares, then by EU;
    Then Spares holds AXLE 40.00 and EU holds GEAR 3 x 11.50 = 34.50, each marked as
    a part of the stock account (178.00)."""
    client = _client(users[Role.WAREHOUSE_CLERK])
    spares = client.get(VALUATION + f"?category={stock['spares'].pk}").context["report"]
    assert ([r.sku for r in spares.rows], spares.value, spares.filtered) == (
        ["AXLE"],
        D("40.00"),
        True,
    )
    eu = client.get(VALUATION + f"?warehouse={stock['eu'].pk}").context["report"]
    assert [(r.sku, r.quantity, r.value) for r in eu.rows] == [("GEAR", D(3), D("34.50"))]
    assert (eu.value, eu.stock_account) == (D("34.50"), D("178.00"))


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.MARKETING])
def test_roles_without_the_valuation_are_refused(users, stock, role):
    """Sales reps and marketers may not see what stock is worth: 403, page and CSV."""
    client = _client(users[role])
    assert client.get(VALUATION).status_code == 403
    assert client.get(VALUATION + "?export=csv").status_code == 403


def test_stock_by_location_filters_and_downloads(
    users, company, wh, stock, django_assert_max_num_queries
):
    """Given 9 gears in WH/Stock, 3 in EU/Stock and 2 axles of lot L-7 in
    WH/Stock/A1; When a clerk filters by warehouse WH, by location A1, by product
    'gea' and by lot 'l-7'; Then each shows exactly those rows, by location, in a
    fixed number of queries, and the CSV of WH lists the two rows."""
    client = _client(users[Role.WAREHOUSE_CLERK])
    with django_assert_max_num_queries(14):
        page = client.get(ON_HAND)
    assert page.status_code == 200

    def shown(query: str):
        found = client.get(ON_HAND + query).context["page"]
        return [
            (lv.location.full_name, lv.product.sku, lv.lot.name if lv.lot else None, lv.on_hand)
            for lv in found
        ]

    assert shown("") == [
        ("EU/Stock", "GEAR", None, D(3)),
        ("WH/Stock", "GEAR", None, D(9)),
        ("WH/Stock/A1", "AXLE", "L-7", D(2)),
    ]
    assert shown(f"?warehouse={wh.pk}") == [
        ("WH/Stock", "GEAR", None, D(9)),
        ("WH/Stock/A1", "AXLE", "L-7", D(2)),
    ]
    assert shown(f"?location={stock['a1'].pk}") == [("WH/Stock/A1", "AXLE", "L-7", D(2))]
    assert shown("?product=gea") == [
        ("EU/Stock", "GEAR", None, D(3)),
        ("WH/Stock", "GEAR", None, D(9)),
    ]
    assert shown("?lot=l-7") == [("WH/Stock/A1", "AXLE", "L-7", D(2))]
    for n in range(8):
        receive(wh, product(company, name=f"Part {n}", sku=f"P{n}"), 1)
    with django_assert_max_num_queries(14):
        assert len(client.get(ON_HAND).context["page"]) == 11
    assert _csv(client.get(ON_HAND + f"?warehouse={stock['eu'].pk}&export=csv")) == [
        "Location,SKU,Product,Lot/serial,On hand,Reserved,Available",
        "EU/Stock,GEAR,Gear,,3,0,3",
    ]


def test_the_move_history_filters_by_product_lot_dates_and_transfer(
    users, company, wh, stock, django_assert_max_num_queries
):
    """Given the three receipts of 4 May and the delivery of 1 gear on 6 May; When a
    clerk filters the move history by product GEAR, lot L-7, 5-6 May and transfer
    WH/OUT/00001; Then each shows exactly those done moves, newest first, in a fixed
    number of queries, and the CSV of 6 May lists the delivery."""
    client = _client(users[Role.WAREHOUSE_CLERK])

    def shown(query: str):
        found = client.get(MOVES + query).context["page"]
        return [
            (
                str(line.move.date),
                line.move.transfer.number,
                line.product.sku,
                line.lot.name if line.lot else None,
                line.source.full_name,
                line.destination.full_name,
                line.quantity_done,
            )
            for line in found
        ]

    delivered = ("2026-05-06", "WH/OUT/00001", "GEAR", None, "WH/Stock", "Partners/Customers", D(1))
    assert shown("?product=GEAR") == [
        delivered,
        ("2026-05-04", "EU/IN/00001", "GEAR", None, "Partners/Suppliers", "EU/Stock", D(3)),
        ("2026-05-04", "WH/IN/00001", "GEAR", None, "Partners/Suppliers", "WH/Stock", D(10)),
    ]
    assert shown("?lot=L-7") == [
        ("2026-05-04", "WH/IN/00002", "AXLE", "L-7", "Partners/Suppliers", "WH/Stock/A1", D(2))
    ]
    assert shown("?date_from=2026-05-05&date_to=2026-05-06") == [delivered]
    assert shown("?transfer=WH/OUT/00001") == [delivered]
    for _ in range(8):
        receive(wh, stock["gear"], 1, unit_cost="11.50")
    with django_assert_max_num_queries(14):
        assert len(client.get(MOVES).context["page"]) == 12
    assert _csv(client.get(MOVES + "?date_from=2026-05-06&export=csv")) == [
        "Date,Transfer,SKU,Product,Lot/serial,From,To,Quantity",
        "2026-05-06,WH/OUT/00001,GEAR,Gear,,WH/Stock,Partners/Customers,1",
    ]


@pytest.mark.parametrize("role", [Role.MARKETING, Role.HR_OFFICER])
def test_roles_without_stock_may_not_see_stock_or_moves(users, stock, role):
    """Marketers and HR officers are refused (403) stock by location and the move
    history, pages and downloads."""
    client = _client(users[role])
    for url in (ON_HAND, ON_HAND + "?export=csv", MOVES, MOVES + "?export=csv"):
        assert client.get(url).status_code == 403, url
