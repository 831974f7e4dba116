"""Workspace pages: lists with search and filters in a fixed number of queries,
barcode lookup, service guards as form errors, CSV/XLSX export, role checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from keel.products.models import PriceList, PriceListRule, Product
from keel.products.services import catalog
from keel.products.tests.factories import (
    PriceListFactory,
    ProductCategoryFactory,
    ProductFactory,
    UomFactory,
)
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shelf(company):
    tools = ProductCategoryFactory(company=company, name="Tools")
    unit = UomFactory()
    for n in range(30):
        ProductFactory(
            company=company,
            name=f"Chisel {n:02d}",
            sku=f"CH-{n:02d}",
            barcode=f"50000000000{n:02d}",
            kind="consumable" if n % 3 == 0 else "goods",
            category=tools if n % 2 else None,
            uom=unit,
        )
    return {"tools": tools, "unit": unit}


def test_product_list_searches_and_filters_in_a_fixed_number_of_queries(
    shelf, users, django_assert_max_num_queries
):
    client = signed_in(users[Role.SALES_REP])
    with django_assert_max_num_queries(14):
        page = client.get("/products/product/")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 30
    with django_assert_max_num_queries(14):
        found = client.get("/products/product/?q=CH-1")
    assert found.context["cl"].result_count == 10  # CH-10 .. CH-19
    with django_assert_max_num_queries(16):
        filtered = client.get(
            f"/products/product/?kind__exact=consumable&category__id__exact={shelf['tools'].pk}"
        )
    assert filtered.context["cl"].result_count == 5  # n = 3, 9, 15, 21, 27
    ordered = client.get("/products/product/?o=-1")
    assert ordered.context["cl"].result_list[0].sku == "CH-29"


def test_a_scanned_barcode_opens_the_product(shelf, users):
    product = Product.objects.get(sku="CH-07")
    response = signed_in(users[Role.WAREHOUSE_CLERK]).get("/products/product/?q=5000000000007")
    assert response.status_code == 302
    assert response.url == f"/products/product/{product.pk}/change/"


def test_products_export_as_csv_and_xlsx(shelf, users):
    client = signed_in(users[Role.ADMINISTRATOR])
    assert client.get("/products/product/export/").status_code == 200
    csv = client.post(
        "/products/product/export/", {"format": "0", "resource": "0", "export_items": []}
    )
    assert csv.status_code == 200, csv.content[:500]
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("id,sku,name,kind,barcode,category,unit,sale_price")
    assert len(lines) == 31
    assert ",CH-01,Chisel 01,Stocked goods,5000000000001,Tools,Unit,25.0000," in lines[2]
    xlsx = client.post("/products/product/export/", {"format": "1", "resource": "0"})
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"  # a zip: the XLSX container


def test_a_duplicate_sku_in_the_form_is_shown_next_to_the_field(shelf, users):
    client = signed_in(users[Role.BUYER])
    response = client.post(
        "/products/product/add/",
        {
            "kind": "goods",
            "name": "Another chisel",
            "sku": "CH-01",
            "barcode": "",
            "uom": shelf["unit"].pk,
            "sale_price": "10",
            "cost_price": "5",
            "active": "on",
            "tracking": "none",
            "supply_route": "stock",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "sku": ["SKU 'CH-01' is already used by 'Chisel 01'."]
    }
    assert Product.objects.count() == 30


def test_a_buyer_adds_a_product_through_the_form(shelf, users):
    response = signed_in(users[Role.BUYER]).post(
        "/products/product/add/",
        {
            "kind": "service",
            "name": "Sharpening",
            "sku": "SRV-SHARP",
            "barcode": "",
            "category": shelf["tools"].pk,
            "uom": shelf["unit"].pk,
            "sale_price": "15.00",
            "cost_price": "0",
            "active": "on",
            "tracking": "none",
            "supply_route": "stock",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    made = Product.objects.get(sku="SRV-SHARP")
    assert (made.kind, made.sale_price, made.created_by) == (
        "service",
        Decimal("15.00"),
        users[Role.BUYER],
    )


def test_a_sales_rep_may_not_add_products_or_price_lists(users):
    client = signed_in(users[Role.SALES_REP])
    assert client.get("/products/product/add/").status_code == 403
    assert client.get("/products/pricelist/add/").status_code == 403
    assert client.get("/products/pricelist/").status_code == 200


def test_a_sales_manager_creates_a_price_list_with_rules_inline(company, users):
    data = {
        "name": "Wholesale",
        "currency": "USD",
        "active": "on",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-0-name": "10+",
        "rules-0-min_quantity": "10",
        "rules-0-price_type": "discount",
        "rules-0-discount_percent": "10",
        "rules-1-name": "Broken",
        "rules-1-min_quantity": "0",
        "rules-1-price_type": "discount",
        "rules-1-discount_percent": "150",
    }
    client = signed_in(users[Role.SALES_MANAGER])
    refused = client.post("/products/pricelist/add/", data)
    assert refused.status_code == 200
    errors = refused.context["inline_admin_formsets"][0].formset.errors
    assert errors[1] == {
        "discount_percent": ["A discount rule needs a discount between 0 and 100 %."]
    }
    assert PriceList.objects.count() == 0

    data["rules-1-discount_percent"] = "15"
    assert client.post("/products/pricelist/add/", data).status_code == 302
    assert sorted(PriceListRule.objects.values_list("name", "discount_percent")) == [
        ("10+", Decimal("10")),
        ("Broken", Decimal("15")),
    ]


def test_price_list_and_category_pages_load_for_an_accountant(company, users):
    PriceListFactory(company=company, name="Retail", is_default=True)
    client = signed_in(users[Role.ACCOUNTANT])
    for path in (
        "/products/pricelist/",
        "/products/productcategory/",
        "/products/uom/",
        "/products/uomcategory/",
        "/products/pricegroup/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/products/uom/add/").status_code == 403


def test_global_search_finds_products_by_sku_for_those_who_may_see_them(shelf, users):
    from keel.core.search import search

    hits = search(users[Role.SALES_REP], "CH-05")
    assert [hit.title for hit in hits if hit.icon == "inventory_2"] == ["[CH-05] Chisel 05"]
    assert search(users[Role.SERVICE_AGENT], "CH-05") == []


def test_form_choices_and_filters_show_only_the_users_company(shelf, users):
    from keel.core.tests.factories import CompanyFactory

    ProductCategoryFactory(company=CompanyFactory(name="Other Co"), name="Their secrets")
    client = signed_in(users[Role.BUYER])
    form = client.get("/products/product/add/").context["adminform"].form
    assert [str(c) for c in form.fields["category"].queryset] == ["Tools"]
    page = client.get("/products/product/")
    assert b"Their secrets" not in page.content


def test_a_stale_product_form_is_refused_at_the_form_with_the_input_kept(shelf, users):
    """Given a buyer who opened Chisel 01 at version 1; When a colleague saves it at
    12.00 (version 2) and the buyer then saves it at 11.00; Then the form comes back
    saying it changed since, with 11.00 still in it, and the colleague's price stays.
    Saved again from the current version, it goes through."""
    chisel = Product.objects.get(sku="CH-01")
    client = signed_in(users[Role.BUYER])
    assert (
        'name="seen_version" value="1"'
        in client.get(f"/products/product/{chisel.pk}/change/").content.decode()
    )
    theirs = Product.objects.get(pk=chisel.pk)
    theirs.sale_price = Decimal("12.00")
    catalog.save_product(theirs, by=users[Role.ADMINISTRATOR], expected_version=1)
    before = list(Product.objects.order_by("id").values())
    form = {
        "kind": "goods",
        "name": "Chisel 01",
        "sku": "CH-01",
        "barcode": chisel.barcode,
        "uom": shelf["unit"].pk,
        "sale_price": "11.00",
        "cost_price": "5",
        "active": "on",
        "tracking": "none",
        "supply_route": "stock",
    }

    # When: the buyer saves the page they opened at version 1
    stale = client.post(f"/products/product/{chisel.pk}/change/", {**form, "seen_version": 1})

    # Then
    assert stale.status_code == 200
    html = stale.content.decode()
    assert (
        "[CH-01] Chisel 01 was changed by someone else since you opened it (version 2, "
        "yours 1). Reload the page and apply your change again." in html
    )
    assert 'name="sale_price" value="11.00"' in html
    assert list(Product.objects.order_by("id").values()) == before

    # When: saved from the current version
    saved = client.post(f"/products/product/{chisel.pk}/change/", {**form, "seen_version": 2})

    # Then
    assert saved.status_code == 302
    assert Product.objects.values_list("sale_price", "version").get(pk=chisel.pk) == (
        Decimal("11.00"),
        3,
    )
