"""The products API: role checks, service refusals as 4xx, quotes, lists without N+1."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from keel.core.tests.factories import CompanyFactory
from keel.products.models import PriceList, PriceListRule, Product, ProductCategory, Uom
from keel.products.tests.factories import (
    PriceGroupFactory,
    PriceListFactory,
    PriceListRuleFactory,
    ProductCategoryFactory,
    ProductFactory,
    UomFactory,
    units,
)
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(company):
    tools = ProductCategoryFactory(company=company, name="Tools")
    drills = ProductCategoryFactory(company=company, name="Drills", parent=tools)
    unit = UomFactory()
    drill = ProductFactory(
        company=company,
        name="Cordless drill",
        sku="DRL-18V",
        barcode="4006381333931",
        category=drills,
        uom=unit,
        sale_price="120.00",
    )
    return {"tools": tools, "drills": drills, "unit": unit, "drill": drill}


def product_body(catalogue, **changes):
    body = {
        "kind": "goods",
        "name": "Hammer",
        "sku": "HAM-1",
        "category": catalogue["tools"].pk,
        "uom": catalogue["unit"].pk,
        "sale_price": "19.90",
        "cost_price": "8.00",
    }
    return {**body, **changes}


def test_a_buyer_creates_a_product(catalogue, users, api_as):
    response = api_as(users[Role.BUYER]).post(
        "/api/v1/products/", product_body(catalogue), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sku"], body["sale_price"], body["currency"], body["version"]) == (
        "HAM-1",
        "19.9000",
        "USD",
        1,
    )
    assert Product.objects.get(sku="HAM-1").created_by == users[Role.BUYER]


def test_a_sales_rep_may_read_but_not_create_products(catalogue, users, api_as):
    client = api_as(users[Role.SALES_REP])
    assert client.get("/api/v1/products/").status_code == 200
    response = client.post("/api/v1/products/", product_body(catalogue), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Product.objects.filter(sku="HAM-1").exists()


def test_a_duplicate_sku_is_a_409_naming_the_field(catalogue, users, api_as):
    response = api_as(users[Role.BUYER]).post(
        "/api/v1/products/", product_body(catalogue, sku="DRL-18V"), format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "duplicate",
        "detail": "SKU 'DRL-18V' is already used by 'Cordless drill'.",
        "field": "sku",
    }
    assert Product.objects.count() == 1


def test_a_stale_edit_is_a_412_and_changes_nothing(catalogue, users, api_as):
    """Given a clerk read version 1 of the drill (ETag "1") and a buyer then changed it;
    When the clerk saves with If-Match "1"; Then 412 and the buyer's price stays."""
    drill = catalogue["drill"]
    clerk, buyer = api_as(users[Role.WAREHOUSE_CLERK]), api_as(users[Role.BUYER])
    assert clerk.get(f"/api/v1/products/{drill.pk}/")["ETag"] == '"1"'
    url = f"/api/v1/products/{drill.pk}/"
    ok = buyer.patch(url, {"sale_price": "125.00"}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["version"] == 2

    stale = clerk.patch(url, {"sale_price": "99.00"}, format="json", HTTP_IF_MATCH='"1"')

    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_record"
    assert Product.objects.values_list("sale_price", "version").get(pk=drill.pk) == (
        Decimal("125.00"),
        2,
    )


def test_products_cannot_be_deleted_through_the_api(catalogue, users, api_as):
    client = api_as(users[Role.ADMINISTRATOR])
    response = client.delete(f"/api/v1/products/{catalogue['drill'].pk}/")
    assert response.status_code == 405
    assert Product.objects.count() == 1


def test_another_companys_products_are_not_found(catalogue, users, api_as):
    other = ProductFactory(company=CompanyFactory(name="Other Co"), sku="X-1")
    client = api_as(users[Role.SALES_REP])
    assert client.get(f"/api/v1/products/{other.pk}/").status_code == 404
    assert [p["sku"] for p in client.get("/api/v1/products/").json()["results"]] == ["DRL-18V"]


def test_product_list_searches_filters_and_orders_in_a_fixed_number_of_queries(
    catalogue, company, users, api_as, django_assert_max_num_queries
):
    """Given 40 products in two categories; Then the list, a search by barcode, a filter
    by category subtree and an ordering each cost at most 5 queries."""
    for n in range(39):
        ProductFactory(
            company=company,
            name=f"Bit {n:02d}",
            sku=f"BIT-{n:02d}",
            kind="consumable" if n % 2 else "goods",
            category=catalogue["tools"] if n % 3 else catalogue["drills"],
            uom=catalogue["unit"],
            sale_price=str(n + 1),
        )
    client = api_as(users[Role.SALES_REP])
    with django_assert_max_num_queries(5):
        page = client.get("/api/v1/products/?page_size=100").json()
    assert page["count"] == 40
    with django_assert_max_num_queries(5):
        found = client.get("/api/v1/products/?search=4006381333931").json()
    assert [p["sku"] for p in found["results"]] == ["DRL-18V"]
    in_drills = client.get(f"/api/v1/products/?in_category={catalogue['drills'].pk}").json()
    assert in_drills["count"] == 14  # the drill + bits 0, 3, ... 36
    in_tools = client.get(f"/api/v1/products/?in_category={catalogue['tools'].pk}").json()
    assert in_tools["count"] == 40
    consumables = client.get("/api/v1/products/?kind=consumable&ordering=-sale_price").json()
    assert consumables["count"] == 19
    assert consumables["results"][0]["sku"] == "BIT-37"


def test_lookup_by_barcode_or_sku(catalogue, users, api_as):
    client = api_as(users[Role.WAREHOUSE_CLERK])
    assert client.get("/api/v1/products/lookup/?code=4006381333931").json()["sku"] == "DRL-18V"
    assert client.get("/api/v1/products/lookup/?code=DRL-18V").json()["name"] == "Cordless drill"
    missing = client.get("/api/v1/products/lookup/?code=nope")
    assert (missing.status_code, missing.json()["field"]) == (404, "code")


# --- price quotes ------------------------------------------------------------------


@pytest.fixture
def wholesale(catalogue, company):
    price_list = PriceListFactory(
        company=company,
        name="Wholesale 2026",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    PriceListRuleFactory(
        price_list=price_list,
        name="Wholesale 10+",
        category=catalogue["tools"],
        min_quantity=10,
        discount_percent=10,
    )
    return price_list


def test_the_price_endpoint_explains_the_quote(catalogue, wholesale, users, api_as):
    drill = catalogue["drill"]
    response = api_as(users[Role.SALES_REP]).get(
        f"/api/v1/products/{drill.pk}/price/",
        {"price_list": wholesale.pk, "quantity": "12", "date": "2026-05-04"},
    )
    assert response.status_code == 200, response.json()
    rule = PriceListRule.objects.get()
    assert response.json() == {
        "product": drill.pk,
        "quantity": "12.0000",
        "date": "2026-05-04",
        "unit_price": "108.00",
        "currency": "USD",
        "list_price": "120.00",
        "price_list": {"id": wholesale.pk, "name": "Wholesale 2026"},
        "rule": {"id": rule.pk, "name": "Wholesale 10+"},
        "explanation": "Rule 'Wholesale 10+' of price list 'Wholesale 2026': 10% off list "
        "price 120.00 for quantity >= 10, valid 2026-01-01..2026-12-31",
    }


def test_an_anonymous_quote_is_the_list_price(catalogue, users, api_as):
    body = (
        api_as(users[Role.ACCOUNTANT])
        .get(f"/api/v1/products/{catalogue['drill'].pk}/price/")
        .json()
    )
    assert (body["unit_price"], body["rule"], body["explanation"]) == (
        "120.00",
        None,
        "List price (no price-list rule applies)",
    )


def test_a_price_group_in_the_query_selects_group_rules(catalogue, wholesale, users, api_as):
    group = PriceGroupFactory(company=catalogue["drill"].company, name="Resellers")
    PriceListRuleFactory(
        price_list=wholesale, name="Resellers", price_group=group, discount_percent=30
    )
    body = (
        api_as(users[Role.SALES_MANAGER])
        .get(
            f"/api/v1/products/{catalogue['drill'].pk}/price/",
            {"price_list": wholesale.pk, "price_group": group.pk, "date": "2026-02-01"},
        )
        .json()
    )
    assert (body["unit_price"], body["rule"]["name"]) == ("84.00", "Resellers")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"quantity": "lots"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"date": "31/12/2026"}, "date"),
        ({"price_list": "999999"}, "price_list"),
    ],
)
def test_bad_quote_parameters_are_400_naming_the_field(catalogue, users, api_as, params, field):
    response = api_as(users[Role.SALES_REP]).get(
        f"/api/v1/products/{catalogue['drill'].pk}/price/", params
    )
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_pricing_for_an_unknown_party_is_400_naming_the_field(catalogue, users, api_as):
    response = api_as(users[Role.ADMINISTRATOR]).get(
        f"/api/v1/products/{catalogue['drill'].pk}/price/", {"party": "999999"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "No party with id 999999.",
        "field": "party",
    }


def test_a_service_agent_may_not_ask_for_prices(catalogue, users, api_as):
    response = api_as(users[Role.SERVICE_AGENT]).get(
        f"/api/v1/products/{catalogue['drill'].pk}/price/"
    )
    assert response.status_code == 403


# --- price lists, categories, units --------------------------------------------------


def test_a_sales_manager_creates_a_price_list_and_a_rule(catalogue, users, api_as):
    client = api_as(users[Role.SALES_MANAGER])
    created = client.post(
        "/api/v1/price-lists/", {"name": "Retail", "is_default": True}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["currency"] == "USD"
    rule = client.post(
        "/api/v1/price-list-rules/",
        {
            "price_list": created.json()["id"],
            "name": "Drill promo",
            "product": catalogue["drill"].pk,
            "price_type": "fixed",
            "fixed_price": "99.00",
        },
        format="json",
    )
    assert rule.status_code == 201, rule.json()
    listed = client.get(f"/api/v1/price-lists/{created.json()['id']}/").json()
    assert [r["name"] for r in listed["rules"]] == ["Drill promo"]


def test_a_buyer_may_not_create_price_lists_or_rules(wholesale, users, api_as):
    client = api_as(users[Role.BUYER])
    assert client.get("/api/v1/price-lists/").status_code == 200
    refused = client.post("/api/v1/price-lists/", {"name": "Mine"}, format="json")
    assert refused.status_code == 403
    rule = client.post(
        "/api/v1/price-list-rules/",
        {"price_list": wholesale.pk, "name": "Sneaky", "discount_percent": "50"},
        format="json",
    )
    assert rule.status_code == 403
    assert PriceList.objects.count() == 1 and PriceListRule.objects.count() == 1


def test_a_rule_on_another_companys_list_is_refused(catalogue, users, api_as):
    foreign = PriceListFactory(company=CompanyFactory(name="Other Co"), name="Theirs")
    response = api_as(users[Role.SALES_MANAGER]).post(
        "/api/v1/price-list-rules/",
        {"price_list": foreign.pk, "name": "X", "discount_percent": "5"},
        format="json",
    )
    assert (response.status_code, response.json()["field"]) == (400, "price_list")
    assert PriceListRule.objects.count() == 0


def test_price_list_list_has_no_n_plus_one(
    catalogue, company, users, api_as, django_assert_max_num_queries
):
    for n in range(10):
        price_list = PriceListFactory(company=company, name=f"List {n}")
        for m in range(5):
            PriceListRuleFactory(
                price_list=price_list,
                name=f"R{m}",
                product=catalogue["drill"] if m % 2 else None,
                min_quantity=m,
            )
    client = api_as(users[Role.ACCOUNTANT])
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/price-lists/?page_size=100").json()
    assert body["count"] == 10 and len(body["results"][0]["rules"]) == 5
    with django_assert_max_num_queries(5):
        rules = client.get("/api/v1/price-list-rules/?page_size=100").json()
    assert rules["count"] == 50


def test_categories_administrator_creates_sales_rep_refused(catalogue, users, api_as):
    made = api_as(users[Role.ADMINISTRATOR]).post(
        "/api/v1/product-categories/",
        {"name": "Saws", "parent": catalogue["tools"].pk},
        format="json",
    )
    assert (made.status_code, made.json()["full_name"]) == (201, "Tools / Saws")
    refused = api_as(users[Role.SALES_REP]).post(
        "/api/v1/product-categories/", {"name": "Mine"}, format="json"
    )
    assert refused.status_code == 403
    assert ProductCategory.objects.count() == 3


def test_a_category_is_costed_at_average_unless_fifo_is_chosen(catalogue, users, api_as):
    """Given an administrator; When they create one category without a costing method
    and one with FIFO, and then one with an unknown method; Then the first is average,
    the second FIFO, the third refused with 400 on costing_method, not created."""
    client = api_as(users[Role.ADMINISTRATOR])
    plain = client.post("/api/v1/product-categories/", {"name": "Paint"}, format="json")
    fifo = client.post(
        "/api/v1/product-categories/", {"name": "Food", "costing_method": "fifo"}, format="json"
    )
    assert (plain.json()["costing_method"], fifo.json()["costing_method"]) == ("average", "fifo")
    wrong = client.post(
        "/api/v1/product-categories/", {"name": "Odd", "costing_method": "lifo"}, format="json"
    )
    assert wrong.status_code == 400 and "costing_method" in str(wrong.json())
    assert not ProductCategory.objects.filter(name="Odd").exists()


def test_deleting_a_category_in_use_is_a_409(catalogue, users, api_as):
    response = api_as(users[Role.ADMINISTRATOR]).delete(
        f"/api/v1/product-categories/{catalogue['drills'].pk}/"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "'Tools / Drills' holds 1 product(s); move them first."
    assert ProductCategory.objects.count() == 2


def test_units_are_readable_by_the_warehouse_and_managed_by_administrators(
    users, api_as, django_assert_max_num_queries
):
    weight = units("Weight", ("Kilogram", "kg", "1", "0.001"), ("Gram", "g", "0.001", "1"))
    clerk = api_as(users[Role.WAREHOUSE_CLERK])
    with django_assert_max_num_queries(5):
        listed = clerk.get("/api/v1/uoms/").json()
    assert [u["symbol"] for u in listed["results"]] == ["kg", "g"]
    assert clerk.get("/api/v1/uom-categories/").status_code == 200
    body = {"category": weight["kg"].category_id, "name": "Tonne", "ratio": "1000"}
    assert clerk.post("/api/v1/uoms/", body, format="json").status_code == 403
    made = api_as(users[Role.ADMINISTRATOR]).post("/api/v1/uoms/", body, format="json")
    assert made.status_code == 201, made.json()
    assert Uom.objects.get(name="Tonne").ratio == Decimal("1000")
