"""Every role against the products endpoints and pages: allowed or refused exactly as
keel/products/permissions.py says, and a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from keel.products.models import PriceGroup, PriceList, Product, ProductCategory, UomCategory
from keel.products.tests.factories import PriceListFactory, ProductFactory, UomFactory
from keel.users.roles import Role

pytestmark = pytest.mark.django_db

R = Role
ALL = set(Role)
READERS = {
    R.ADMINISTRATOR,
    R.AUDITOR,
    R.SALES_REP,
    R.SALES_MANAGER,
    R.BUYER,
    R.WAREHOUSE_CLERK,
    R.PRODUCTION_PLANNER,
    R.ACCOUNTANT,
}
MAINTAINERS = {R.ADMINISTRATOR, R.BUYER, R.WAREHOUSE_CLERK, R.PRODUCTION_PLANNER}
PRICERS = {R.ADMINISTRATOR, R.SALES_MANAGER}


@pytest.fixture
def world(company):
    unit = UomFactory()
    product = ProductFactory(company=company, sku="P-1", uom=unit)
    price_list = PriceListFactory(company=company, name="Retail")
    return {"unit": unit, "product": product, "price_list": price_list}


def api_cases(world):
    p, unit = world["product"], world["unit"]
    return [
        ("get", "/api/v1/products/", None, READERS),
        ("get", f"/api/v1/products/{p.pk}/price/?quantity=2", None, READERS),
        ("get", "/api/v1/products/lookup/?code=P-1", None, READERS),
        (
            "post",
            "/api/v1/products/",
            {"name": "New", "sku": "NEW-1", "uom": unit.pk, "sale_price": "1"},
            MAINTAINERS,
        ),
        ("patch", f"/api/v1/products/{p.pk}/", {"name": "Renamed"}, MAINTAINERS),
        ("get", "/api/v1/product-categories/", None, READERS),
        ("post", "/api/v1/product-categories/", {"name": "New"}, {R.ADMINISTRATOR}),
        ("get", "/api/v1/uoms/", None, READERS),
        ("get", "/api/v1/uom-categories/", None, READERS),
        ("post", "/api/v1/uom-categories/", {"name": "Volume"}, {R.ADMINISTRATOR}),
        ("get", "/api/v1/price-lists/", None, READERS),
        ("post", "/api/v1/price-lists/", {"name": "New"}, PRICERS),
        ("get", "/api/v1/price-list-rules/", None, READERS),
        ("get", "/api/v1/price-groups/", None, READERS),
        ("post", "/api/v1/price-groups/", {"name": "VIP"}, PRICERS),
    ]


def snapshot():
    return (
        list(Product.objects.values_list("sku", "name", "version")),
        ProductCategory.objects.count(),
        list(PriceList.objects.values_list("name", flat=True)),
    )


@pytest.mark.parametrize("case", range(15))
def test_api_access_per_role(case, world, users, api_as):
    method, path, body, allowed = api_cases(world)[case]
    for role in Role:
        before = snapshot()
        response = getattr(api_as(users[role]), method)(path, body, format="json")
        if role in allowed:
            assert 200 <= response.status_code < 300, (role, path, response.content)
            # Undo the write, so the next role meets the same world.
            Product.objects.filter(sku="NEW-1").delete()
            Product.objects.filter(pk=world["product"].pk).update(name=world["product"].name)
            ProductCategory.objects.filter(name="New").delete()
            PriceList.objects.filter(name="New").delete()
            PriceGroup.objects.filter(name="VIP").delete()
            UomCategory.objects.filter(name="Volume").delete()
        else:
            assert response.status_code == 403, (role, path)
            assert response.json()["code"] == "permission_denied"
            assert snapshot() == before


UI_CASES = [
    ("/products/product/", READERS),
    ("/products/product/add/", MAINTAINERS),
    ("/products/pricelist/", READERS),
    ("/products/pricelist/add/", PRICERS),
    ("/products/productcategory/add/", {R.ADMINISTRATOR}),
    ("/products/uom/", READERS),
]


@pytest.mark.parametrize(("path", "allowed"), UI_CASES)
def test_workspace_access_per_role(path, allowed, world, users):
    for role in Role:
        client = Client()
        client.force_login(users[role])
        assert client.get(path).status_code == (200 if role in allowed else 403), (role, path)


def test_product_change_and_history_pages_load(world, users):
    client = Client()
    client.force_login(users[R.BUYER])
    pk = world["product"].pk
    assert client.get(f"/products/product/{pk}/change/").status_code == 200
    assert client.get(f"/products/product/{pk}/history/").status_code == 200
