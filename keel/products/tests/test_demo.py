"""The demo catalogue: units, a category tree, 40 products and two price lists that quote."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from faker import Faker

from keel.core.tests.factories import CompanyFactory
from keel.products import demo
from keel.products.models import PriceGroup, PriceList, Product, ProductCategory, Uom
from keel.products.pricing import price_for
from keel.products.selectors import convert

pytestmark = pytest.mark.django_db


def seeded() -> Faker:
    fake = Faker("en_US")
    fake.seed_instance(2026)
    return fake


def catalogue(company):
    return list(
        Product.objects.filter(company=company)
        .order_by("sku")
        .values_list(
            "sku",
            "name",
            "kind",
            "barcode",
            "category__full_name",
            "uom__symbol",
            "sale_price",
            "description",
        )
    )


def test_the_demo_catalogue_loads_deterministically_and_quotes():
    first, second = CompanyFactory(name="One"), CompanyFactory(name="Two")
    demo.load(first, seeded())
    demo.load(second, seeded())  # units are shared and reused

    assert Uom.objects.count() == 7
    assert Product.objects.filter(company=first).count() == 40
    assert ProductCategory.objects.filter(company=first).count() == 6
    kinds = set(Product.objects.filter(company=first).values_list("kind", flat=True))
    assert kinds == {"consumable", "goods", "service"}
    assert [row[:-1] for row in catalogue(first)] == [row[:-1] for row in catalogue(second)]
    assert [row[-1] for row in catalogue(first)] == [row[-1] for row in catalogue(second)]
    assert PriceList.objects.get(company=first, is_default=True).name == "Retail"

    today = timezone.localdate()
    laptop = Product.objects.get(company=first, sku="CMP-LAP-14")
    wholesale = PriceList.objects.get(company=first, name=f"Wholesale {today.year}")
    buyer = SimpleNamespace(price_list_id=wholesale.pk, price_group_id=None)
    # 30 laptops: Hardware 25+ (22 %) beats the generic 50+/10+ breaks: 1199.00 * 0.78
    assert price_for(laptop, buyer, 30, today).unit_price == Decimal("935.22")
    assert price_for(laptop, buyer, 12, today).unit_price == Decimal("1019.15")  # 15 % off
    assert price_for(laptop, None, 1, today).unit_price == Decimal("1199.00")
    group = PriceGroup.objects.get(company=first, name="Wholesale customers")
    monitor = Product.objects.get(company=first, sku="CMP-MON-24")
    member = SimpleNamespace(price_list_id=wholesale.pk, price_group_id=group.pk)
    assert price_for(monitor, member, 1, today).unit_price == Decimal("159.00")
    kg, g = Uom.objects.get(symbol="kg"), Uom.objects.get(symbol="g")
    assert convert("0.25", kg, g) == Decimal("250")
