"""What a product costs a customer: `price_for` picks one price-list rule and says why.

Precedence (see docs/products.md):
1. the price list: the party's own list when it is active and valid on the date,
   else the company's default list when it is;
2. of that list's rules valid on the date with min_quantity <= quantity: the most
   specific target first (product, then category nearest the product's own
   first, then all products); price-group rules before generic ones; then the
   highest min_quantity; ties go to the oldest rule (lowest id);
3. no rule: the product's sale price (the list price).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from keel.core.errors import InvalidInput
from keel.core.money import decimals_for, round_money, to_decimal

from .models import PriceList, PriceListRule, Product

ALL_PRODUCTS_RANK = 10_000
NO_RULE = "List price (no price-list rule applies)"


@dataclass(frozen=True)
class PriceQuote:
    """A unit price with where it came from, in words a salesperson can repeat."""

    product: Product
    quantity: object
    on_date: date
    unit_price: object
    currency: str
    list_price: object
    price_list: PriceList | None
    rule: PriceListRule | None
    explanation: str


def plain(number) -> str:
    """10.0000 -> '10', 12.5000 -> '12.5' (no exponent notation)."""
    text = format(to_decimal(number).normalize(), "f")
    return text


def money_text(amount, currency: str) -> str:
    places = decimals_for(currency)
    return f"{round_money(amount, currency):,.{places}f}"


def _validity(rule: PriceListRule, price_list: PriceList) -> str:
    """The window in which both the rule and its list hold, as text ('' when open)."""
    starts = [d for d in (rule.valid_from, price_list.valid_from) if d]
    ends = [d for d in (rule.valid_to, price_list.valid_to) if d]
    start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    if start and end:
        return f", valid {start.isoformat()}..{end.isoformat()}"
    if start:
        return f", valid from {start.isoformat()}"
    if end:
        return f", valid until {end.isoformat()}"
    return ""


def explain(rule: PriceListRule, price_list: PriceList, list_price, currency: str) -> str:
    if rule.price_type == PriceListRule.PriceType.FIXED:
        how = f"fixed price {money_text(rule.fixed_price, currency)}"
    else:
        how = f"{plain(rule.discount_percent)}% off list price {money_text(list_price, currency)}"
    who = f"price group '{rule.price_group.name}' and " if rule.price_group_id else ""
    qty = f"quantity >= {plain(rule.min_quantity)}" if rule.min_quantity > 0 else "any quantity"
    return (
        f"Rule '{rule.name}' of price list '{price_list.name}': {how} for {who}{qty}"
        f"{_validity(rule, price_list)}"
    )


def price_list_of(company_id: int, party, on_date: date) -> PriceList | None:
    """The list that prices `party`'s purchases on `on_date`: its own list if valid
    on the date, else the default list if valid (one query; the same for every line
    of a document)."""
    return _choose_list(company_id, getattr(party, "price_list_id", None), on_date)


def _choose_list(company_id: int, price_list_id, on_date: date) -> PriceList | None:
    """The party's list if valid on the date, else the default list if valid (one query)."""
    wanted = Q(is_default=True)
    if price_list_id:
        wanted |= Q(pk=price_list_id)
    lists = list(PriceList.objects.filter(wanted, company_id=company_id, active=True))
    lists.sort(key=lambda pl: (pl.pk != price_list_id, pl.pk))
    return next((pl for pl in lists if pl.is_valid_on(on_date)), None)


def _rank(rule: PriceListRule, ancestors: list[int]) -> tuple:
    if rule.product_id:
        scope = 0
    elif rule.category_id:
        scope = 1 + ancestors.index(rule.category_id)
    else:
        scope = ALL_PRODUCTS_RANK
    return (scope, 0 if rule.price_group_id else 1, -rule.min_quantity, rule.pk)


def applicable_rules(
    product: Product, price_list: PriceList, price_group_id, quantity, on_date: date
) -> list[PriceListRule]:
    """Rules of `price_list` that apply, best first (one query)."""
    ancestors = product.category.ancestor_ids if product.category_id else []
    target = Q(product_id=product.pk) | Q(product__isnull=True, category__isnull=True)
    if ancestors:
        target |= Q(category_id__in=ancestors)
    group = Q(price_group__isnull=True)
    if price_group_id:
        group |= Q(price_group_id=price_group_id)
    rules = (
        PriceListRule.objects.filter(target, group, price_list=price_list)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on_date))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .select_related("price_group")
    )
    # Quantity breaks compare in Python: exact Decimals on every database.
    matching = [rule for rule in rules if to_decimal(rule.min_quantity) <= quantity]
    return sorted(matching, key=lambda rule: _rank(rule, ancestors))


_CHOOSE = object()


def price_for(
    product: Product, party=None, quantity=1, on_date: date | None = None, *, price_list=_CHOOSE
) -> PriceQuote:
    """The unit price of `product` for `party` buying `quantity` on `on_date`.

    `party` is any object with optional `price_group_id` and `price_list_id`
    (a parties.Party, or None for an anonymous customer). At most four queries,
    two when the product comes with its company and category loaded; one (none
    without a list) when `price_list` is given, as price_list_of() chose it.
    """
    quantity = to_decimal(quantity)
    if quantity <= 0:
        raise InvalidInput("Quantity must be greater than zero.", field="quantity")
    on_date = on_date or timezone.localdate()
    currency = product.company.currency
    list_price = to_decimal(product.sale_price)
    if price_list is _CHOOSE:
        price_list = price_list_of(product.company_id, party, on_date)
    rule = None
    if price_list is not None:
        rules = applicable_rules(
            product, price_list, getattr(party, "price_group_id", None), quantity, on_date
        )
        rule = rules[0] if rules else None
    if rule is None:
        return PriceQuote(
            product=product,
            quantity=quantity,
            on_date=on_date,
            unit_price=round_money(list_price, currency),
            currency=currency,
            list_price=round_money(list_price, currency),
            price_list=price_list,
            rule=None,
            explanation=NO_RULE,
        )
    list_currency = price_list.currency
    if rule.price_type == PriceListRule.PriceType.FIXED:
        unit_price = to_decimal(rule.fixed_price)
    else:
        unit_price = list_price * (100 - to_decimal(rule.discount_percent)) / 100
    return PriceQuote(
        product=product,
        quantity=quantity,
        on_date=on_date,
        unit_price=round_money(unit_price, list_currency),
        currency=list_currency,
        list_price=round_money(list_price, currency),
        price_list=price_list,
        rule=rule,
        explanation=explain(rule, price_list, list_price, list_currency),
    )
