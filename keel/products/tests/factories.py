"""Factories for products records; higher domains reuse them.

Records are created through the services, so the guards and derived fields
(category paths, versions) are the real ones.
"""

from __future__ import annotations

from decimal import Decimal

import factory

from keel.core.tests.factories import CompanyFactory
from keel.products.models import (
    PriceGroup,
    PriceList,
    PriceListRule,
    Product,
    ProductCategory,
    Uom,
    UomCategory,
)
from keel.products.services import catalog, pricelists, uoms


class ServiceFactory(factory.django.DjangoModelFactory):
    """Creates through `service(instance, by=None)` instead of `objects.create`."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return SERVICES[model_class](model_class(*args, **kwargs), by=None)


class UomCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UomCategory
        django_get_or_create = ("name",)

    name = "Unit"


class UomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Uom
        django_get_or_create = ("category", "name")

    category = factory.SubFactory(UomCategoryFactory)
    name = "Unit"
    symbol = "pc"
    ratio = Decimal("1")
    rounding = Decimal("1")
    is_reference = True


class ProductCategoryFactory(ServiceFactory):
    class Meta:
        model = ProductCategory

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    parent = None


class ProductFactory(ServiceFactory):
    class Meta:
        model = Product

    company = factory.SubFactory(CompanyFactory)
    kind = Product.Kind.GOODS
    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    uom = factory.SubFactory(UomFactory)
    sale_price = Decimal("25.00")
    cost_price = Decimal("12.00")


class PriceGroupFactory(ServiceFactory):
    class Meta:
        model = PriceGroup

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class PriceListFactory(ServiceFactory):
    class Meta:
        model = PriceList

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Price list {n}")
    currency = factory.LazyAttribute(lambda pl: pl.company.currency)


class PriceListRuleFactory(ServiceFactory):
    class Meta:
        model = PriceListRule

    price_list = factory.SubFactory(PriceListFactory)
    company = factory.LazyAttribute(lambda rule: rule.price_list.company)
    name = factory.Sequence(lambda n: f"Rule {n}")
    price_type = PriceListRule.PriceType.DISCOUNT
    discount_percent = Decimal("10")
    min_quantity = Decimal("0")


SERVICES = {
    ProductCategory: catalog.save_category,
    Product: catalog.save_product,
    PriceGroup: pricelists.save_price_group,
    PriceList: pricelists.save_price_list,
    PriceListRule: pricelists.save_rule,
}


def units(category_name: str, *specs: tuple[str, str, str, str]) -> dict[str, Uom]:
    """Units of one category from (name, symbol, ratio, rounding); the first is the
    reference unit."""
    category = UomCategoryFactory(name=category_name)
    made = {}
    for index, (name, symbol, ratio, rounding) in enumerate(specs):
        made[symbol] = uoms.save_uom(
            Uom(
                category=category,
                name=name,
                symbol=symbol,
                ratio=Decimal(ratio),
                rounding=Decimal(rounding),
                is_reference=index == 0,
            ),
            by=None,
        )
    return made
