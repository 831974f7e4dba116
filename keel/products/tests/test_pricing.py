"""price_for: which rule prices a product for a customer, and the words that say why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from keel.core.errors import InvalidInput
from keel.products.models import PriceListRule, Product
from keel.products.pricing import NO_RULE, price_for
from keel.products.tests.factories import (
    PriceGroupFactory,
    PriceListFactory,
    PriceListRuleFactory,
    ProductCategoryFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 15)
FIXED = PriceListRule.PriceType.FIXED


@pytest.fixture
def tree(company):
    hardware = ProductCategoryFactory(company=company, name="Hardware")
    fasteners = ProductCategoryFactory(company=company, name="Fasteners", parent=hardware)
    screws = ProductCategoryFactory(company=company, name="Screws", parent=fasteners)
    return SimpleNamespace(hardware=hardware, fasteners=fasteners, screws=screws)


@pytest.fixture
def screw(company, tree):
    return ProductFactory(
        company=company, name="Wood screw 4x40", sku="SCR-440", category=tree.screws
    )


@pytest.fixture
def wholesale(company):
    return PriceListFactory(
        company=company,
        name="Wholesale 2026",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )


def party(price_list=None, price_group=None):
    return SimpleNamespace(
        price_list_id=price_list.pk if price_list else None,
        price_group_id=price_group.pk if price_group else None,
    )


def test_without_any_price_list_the_list_price_applies(screw):
    quote = price_for(screw, None, 5, DAY)
    assert (quote.unit_price, quote.currency, quote.rule, quote.price_list) == (
        Decimal("25.00"),
        "USD",
        None,
        None,
    )
    assert quote.explanation == "List price (no price-list rule applies)" == NO_RULE


def test_the_wholesale_story_from_the_brief(screw, wholesale):
    """Given the 'Wholesale 2026' list with rule 'Wholesale 10+' (10 % off from 10 units)
    and a customer on that list; When they buy 10 screws listed at 25.00 on 15 March 2026;
    Then each costs 22.50 and the quote says exactly why."""
    rule = PriceListRuleFactory(
        price_list=wholesale, name="Wholesale 10+", min_quantity=10, discount_percent=10
    )

    quote = price_for(screw, party(wholesale), 10, DAY)

    assert quote.unit_price == Decimal("22.50")
    assert (quote.price_list, quote.rule) == (wholesale, rule)
    assert quote.explanation == (
        "Rule 'Wholesale 10+' of price list 'Wholesale 2026': 10% off list price 25.00 "
        "for quantity >= 10, valid 2026-01-01..2026-12-31"
    )
    # Below the break there is no rule: the list price, said so.
    below = price_for(screw, party(wholesale), 9, DAY)
    assert (below.unit_price, below.explanation) == (Decimal("25.00"), NO_RULE)


def test_quantity_breaks_take_the_highest_minimum_reached(screw, wholesale):
    """Given breaks at 1 (10 %), 10 (15 %) and 50 (fixed 19.00); Then 1, 10, 49 and 50
    units cost 22.50, 21.25, 21.25 and 19.00."""
    PriceListRuleFactory(price_list=wholesale, name="1+", min_quantity=1, discount_percent=10)
    PriceListRuleFactory(price_list=wholesale, name="10+", min_quantity=10, discount_percent=15)
    PriceListRuleFactory(
        price_list=wholesale, name="50+", min_quantity=50, price_type=FIXED, fixed_price="19"
    )
    prices = [price_for(screw, party(wholesale), qty, DAY).unit_price for qty in (1, 10, 49, 50)]
    assert prices == [Decimal("22.50"), Decimal("21.25"), Decimal("21.25"), Decimal("19.00")]
    fifty = price_for(screw, party(wholesale), 50, DAY)
    assert fifty.explanation == (
        "Rule '50+' of price list 'Wholesale 2026': fixed price 19.00 for quantity >= 50, "
        "valid 2026-01-01..2026-12-31"
    )
    # A fractional quantity just under a break stays below it.
    assert price_for(screw, party(wholesale), "9.999", DAY).unit_price == Decimal("22.50")


def test_product_beats_category_beats_all_products(screw, wholesale, tree):
    """Given rules for all products (5 %), for Hardware (10 %), for Screws (20 %) and for
    this screw (fixed 18.00 from 100 units); Then 10 screws take the Screws rule (the
    nearest category), 100 take the product's own rule, and a hammer in Hardware takes
    the Hardware rule."""
    PriceListRuleFactory(price_list=wholesale, name="All", discount_percent=5)
    PriceListRuleFactory(
        price_list=wholesale, name="Hardware", category=tree.hardware, discount_percent=10
    )
    PriceListRuleFactory(
        price_list=wholesale, name="Screws", category=tree.screws, discount_percent=20
    )
    PriceListRuleFactory(
        price_list=wholesale,
        name="This screw 100+",
        product=screw,
        min_quantity=100,
        price_type=FIXED,
        fixed_price="18",
    )
    hammer = ProductFactory(
        company=screw.company, name="Hammer", sale_price="40.00", category=tree.hardware
    )
    loose = ProductFactory(company=screw.company, name="Loose item", sale_price="10.00")

    ten = price_for(screw, party(wholesale), 10, DAY)
    hundred = price_for(screw, party(wholesale), 100, DAY)

    assert (ten.rule.name, ten.unit_price) == ("Screws", Decimal("20.00"))
    assert (hundred.rule.name, hundred.unit_price) == ("This screw 100+", Decimal("18.00"))
    assert price_for(hammer, party(wholesale), 1, DAY).rule.name == "Hardware"
    assert price_for(hammer, party(wholesale), 1, DAY).unit_price == Decimal("36.00")
    assert price_for(loose, party(wholesale), 1, DAY).unit_price == Decimal("9.50")


def test_a_price_group_rule_wins_over_the_generic_one_for_members_only(screw, wholesale):
    """Given a generic 10 % rule and a 'Resellers' 25 % rule on the same list; Then a
    reseller pays 18.75, anyone else on the list 22.50."""
    resellers = PriceGroupFactory(company=screw.company, name="Resellers")
    PriceListRuleFactory(price_list=wholesale, name="Everyone", discount_percent=10)
    PriceListRuleFactory(
        price_list=wholesale, name="Resellers", price_group=resellers, discount_percent=25
    )

    member = price_for(screw, party(wholesale, resellers), 1, DAY)
    other = price_for(screw, party(wholesale), 1, DAY)

    assert (member.unit_price, other.unit_price) == (Decimal("18.75"), Decimal("22.50"))
    assert member.explanation == (
        "Rule 'Resellers' of price list 'Wholesale 2026': 25% off list price 25.00 for "
        "price group 'Resellers' and any quantity, valid 2026-01-01..2026-12-31"
    )


def test_customers_without_a_list_get_the_default_list(screw, wholesale):
    retail = PriceListFactory(company=screw.company, name="Retail", is_default=True)
    PriceListRuleFactory(price_list=retail, name="Spring 5%", discount_percent=5)
    PriceListRuleFactory(price_list=wholesale, name="Wholesale", discount_percent=10)

    anonymous = price_for(screw, None, 1, DAY)
    listed = price_for(screw, party(wholesale), 1, DAY)

    assert (anonymous.price_list, anonymous.unit_price) == (retail, Decimal("23.75"))
    assert anonymous.explanation == (
        "Rule 'Spring 5%' of price list 'Retail': 5% off list price 25.00 for any quantity"
    )
    assert (listed.price_list, listed.unit_price) == (wholesale, Decimal("22.50"))


def test_an_expired_or_inactive_party_list_falls_back_to_the_default(screw, wholesale):
    """Given the customer's list ends 2026-12-31; When they buy on 2027-01-01; Then the
    default list prices them."""
    retail = PriceListFactory(company=screw.company, name="Retail", is_default=True)
    PriceListRuleFactory(price_list=retail, name="Retail 5%", discount_percent=5)
    PriceListRuleFactory(price_list=wholesale, name="Wholesale", discount_percent=10)

    assert price_for(screw, party(wholesale), 1, date(2026, 12, 31)).unit_price == Decimal("22.50")
    assert price_for(screw, party(wholesale), 1, date(2027, 1, 1)).price_list == retail
    wholesale.active = False
    wholesale.save()
    assert price_for(screw, party(wholesale), 1, DAY).price_list == retail


def test_a_rule_applies_only_inside_its_validity_window(screw, wholesale):
    PriceListRuleFactory(
        price_list=wholesale,
        name="March promo",
        discount_percent=20,
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 3, 31),
    )
    on = {
        day: price_for(screw, party(wholesale), 1, day).unit_price
        for day in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1))
    }
    assert list(on.values()) == [
        Decimal("25.00"),
        Decimal("20.00"),
        Decimal("20.00"),
        Decimal("25.00"),
    ]
    # The explanation shows the window in which both the rule and the list hold.
    assert price_for(screw, party(wholesale), 1, date(2026, 3, 2)).explanation.endswith(
        "valid 2026-03-01..2026-03-31"
    )


def test_equal_rules_are_broken_by_age_deterministically(screw, wholesale):
    first = PriceListRuleFactory(price_list=wholesale, name="First", discount_percent=10)
    PriceListRuleFactory(price_list=wholesale, name="Second", discount_percent=30)
    assert price_for(screw, party(wholesale), 1, DAY).rule == first


def test_prices_round_half_up_to_the_currency(company, wholesale):
    """12.5 % off 19.99 is 17.49125, quoted 17.49; 0.5 % off 0.10 is 0.0995, quoted 0.10."""
    item = ProductFactory(company=company, sale_price="19.99")
    cheap = ProductFactory(company=company, sale_price="0.10")
    PriceListRuleFactory(price_list=wholesale, name="Odd", product=item, discount_percent="12.5")
    PriceListRuleFactory(price_list=wholesale, name="Tiny", product=cheap, discount_percent="0.5")
    assert price_for(item, party(wholesale), 1, DAY).unit_price == Decimal("17.49")
    assert price_for(cheap, party(wholesale), 1, DAY).unit_price == Decimal("0.10")
    assert "12.5% off list price 19.99" in price_for(item, party(wholesale), 1, DAY).explanation


def test_a_quote_costs_a_constant_number_of_queries(
    screw, wholesale, tree, django_assert_num_queries
):
    """Given a list with 30 rules over the tree; Then a quote on a freshly read product
    costs 4 queries (company, category, lists, rules), 2 with them loaded."""
    for n in range(30):
        PriceListRuleFactory(
            price_list=wholesale,
            name=f"R{n}",
            category=[tree.hardware, tree.fasteners, tree.screws][n % 3],
            min_quantity=n,
            discount_percent=n % 20,
        )
    fresh = Product.objects.get(pk=screw.pk)
    with django_assert_num_queries(4):
        price_for(fresh, party(wholesale), 25, DAY)
    loaded = Product.objects.select_related("company", "category").get(pk=screw.pk)
    with django_assert_num_queries(2):
        quote = price_for(loaded, party(wholesale), 25, DAY)
    # Screws is nearest; of its rules (n = 2, 5, ... 29) the highest break <= 25 is n = 23.
    assert (quote.rule.name, quote.unit_price) == ("R23", Decimal("25.00") * 97 / 100)


def test_a_quantity_of_zero_is_refused(screw):
    with pytest.raises(InvalidInput) as refused:
        price_for(screw, None, 0, DAY)
    assert (refused.value.field, refused.value.detail) == (
        "quantity",
        "Quantity must be greater than zero.",
    )
