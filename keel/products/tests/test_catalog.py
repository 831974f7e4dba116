"""The catalogue's guards: unique codes, a tree without cycles, stale edits, sound rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.core.errors import InvalidInput, StaleRecord
from keel.core.tests.factories import CompanyFactory
from keel.products.errors import DuplicateCode, InUse
from keel.products.models import PriceList, PriceListRule, Product, ProductCategory
from keel.products.services import catalog, pricelists
from keel.products.tests.factories import (
    PriceListFactory,
    PriceListRuleFactory,
    ProductCategoryFactory,
    ProductFactory,
    UomFactory,
    units,
)

pytestmark = pytest.mark.django_db


def test_sku_is_unique_per_company_but_may_repeat_across_companies(company):
    ProductFactory(company=company, name="Desk", sku="DSK-1", barcode="4006381333931")
    other = CompanyFactory(name="Other Co")
    ProductFactory(company=other, sku="DSK-1")  # another company: fine

    with pytest.raises(DuplicateCode) as refused:
        ProductFactory(company=company, sku="DSK-1")
    assert (refused.value.field, refused.value.detail) == (
        "sku",
        "SKU 'DSK-1' is already used by 'Desk'.",
    )
    with pytest.raises(DuplicateCode) as refused:
        ProductFactory(company=company, sku="DSK-2", barcode=" 4006381333931 ")
    assert refused.value.detail == "Barcode '4006381333931' is already used by [DSK-1] Desk."
    assert Product.objects.filter(company=company).count() == 1


def test_products_without_barcode_do_not_clash(company):
    ProductFactory(company=company, barcode="")
    ProductFactory(company=company, barcode="")
    assert Product.objects.filter(barcode="").count() == 2


def test_a_stale_edit_is_refused_and_changes_nothing(company):
    """Given two people opened version 1 of a product; When the first saves a new price
    and the second then saves theirs; Then the second is refused with 412."""
    product = ProductFactory(company=company, sale_price="10.00")
    mine, theirs = Product.objects.get(pk=product.pk), Product.objects.get(pk=product.pk)
    mine.sale_price = Decimal("11.00")
    catalog.save_product(mine, by=None, expected_version=1)

    theirs.sale_price = Decimal("12.00")
    with pytest.raises(StaleRecord):
        catalog.save_product(theirs, by=None, expected_version=1)
    assert Product.objects.values_list("sale_price", "version").get(pk=product.pk) == (
        Decimal("11.00"),
        2,
    )


def test_a_product_keeps_the_category_of_its_unit(company):
    weight = units("Weight", ("Kilogram", "kg", "1", "0.001"), ("Gram", "g", "0.001", "1"))
    flour = ProductFactory(company=company, uom=weight["kg"])
    flour.uom = weight["g"]
    catalog.save_product(flour, by=None)  # kg -> g: same category, fine
    flour.uom = UomFactory()
    with pytest.raises(InvalidInput) as refused:
        catalog.save_product(flour, by=None)
    assert refused.value.field == "uom"
    assert Product.objects.get(pk=flour.pk).uom == weight["g"]


def test_moving_a_category_renames_its_whole_subtree(company):
    """Given Hardware / Fasteners / Screws and a Tools root; When Fasteners moves under
    Tools; Then Screws' path and full name follow."""
    hardware = ProductCategoryFactory(company=company, name="Hardware")
    fasteners = ProductCategoryFactory(company=company, name="Fasteners", parent=hardware)
    screws = ProductCategoryFactory(company=company, name="Screws", parent=fasteners)
    tools = ProductCategoryFactory(company=company, name="Tools")

    fasteners.parent = tools
    catalog.save_category(fasteners, by=None)

    screws.refresh_from_db()
    assert screws.full_name == "Tools / Fasteners / Screws"
    assert screws.path == f"/{tools.pk}/{fasteners.pk}/{screws.pk}/"
    assert screws.ancestor_ids == [screws.pk, fasteners.pk, tools.pk]


def test_a_category_cannot_move_under_its_own_subtree(company):
    hardware = ProductCategoryFactory(company=company, name="Hardware")
    screws = ProductCategoryFactory(company=company, name="Screws", parent=hardware)
    hardware.parent = screws
    with pytest.raises(InvalidInput) as refused:
        catalog.save_category(hardware, by=None)
    assert refused.value.detail == (
        "'Hardware' cannot move under 'Hardware / Screws': that is inside its own subtree."
    )
    assert ProductCategory.objects.get(pk=hardware.pk).parent_id is None


def test_a_category_holding_products_cannot_be_deleted(company):
    tools = ProductCategoryFactory(company=company, name="Tools")
    ProductFactory(company=company, category=tools)
    with pytest.raises(InUse) as refused:
        catalog.delete_category(tools)
    assert refused.value.detail == "'Tools' holds 1 product(s); move them first."
    assert ProductCategory.objects.filter(pk=tools.pk).exists()


def test_a_rule_with_both_a_product_and_a_category_is_refused(company):
    tools = ProductCategoryFactory(company=company, name="Tools")
    product = ProductFactory(company=company, category=tools)
    with pytest.raises(InvalidInput) as refused:
        PriceListRuleFactory(price_list__company=company, product=product, category=tools)
    assert refused.value.field == "category"
    assert PriceListRule.objects.count() == 0


def test_a_discount_of_more_than_100_percent_is_refused(company):
    price_list = PriceListFactory(company=company)
    with pytest.raises(InvalidInput) as refused:
        PriceListRuleFactory(price_list=price_list, discount_percent="120")
    assert refused.value.detail == "A discount rule needs a discount between 0 and 100 %."
    assert PriceListRule.objects.count() == 0


def test_a_discount_on_a_foreign_currency_list_is_refused(company):
    euro = PriceListFactory(company=company, name="Export EUR", currency="eur")
    assert euro.currency == "EUR"
    with pytest.raises(InvalidInput) as refused:
        PriceListRuleFactory(price_list=euro, discount_percent="5")
    assert refused.value.field == "price_type"
    PriceListRuleFactory(price_list=euro, price_type="fixed", fixed_price="9.90")
    assert PriceListRule.objects.get().fixed_price == Decimal("9.90")


def test_making_a_list_default_takes_the_flag_from_the_previous_one(company):
    retail = PriceListFactory(company=company, name="Retail", is_default=True)
    promo = PriceListFactory(company=company, name="Promo")
    promo.is_default = True
    pricelists.save_price_list(promo, by=None)
    assert list(PriceList.objects.filter(is_default=True)) == [promo]
    retail.refresh_from_db()
    assert retail.is_default is False
