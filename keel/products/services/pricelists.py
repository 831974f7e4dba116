"""Price groups, price lists and their rules."""

from __future__ import annotations

from keel.core.errors import InvalidInput
from keel.core.transactions import atomic_service

from ..errors import DuplicateCode, InUse
from ..models import PriceGroup, PriceList, PriceListRule
from .common import as_decimal, require_text, same_company, save_guarded


@atomic_service
def save_price_group(group: PriceGroup, *, by) -> PriceGroup:
    """Create or rename a price group; names are unique within the company."""
    group.name = require_text(group.name, "name", "Name")
    clash = PriceGroup.objects.filter(company_id=group.company_id, name__iexact=group.name)
    if clash.exclude(pk=group.pk).exists():
        raise DuplicateCode(f"A price group named '{group.name}' exists.", field="name")
    save_guarded(group, by=by, duplicate_message="Name taken.", field="name")
    return group


def _check_window(record) -> None:
    if record.valid_from and record.valid_to and record.valid_to < record.valid_from:
        raise InvalidInput(
            f"Valid to ({record.valid_to}) is before valid from ({record.valid_from}).",
            field="valid_to",
        )


def check_price_list(price_list: PriceList) -> None:
    """Guards a price list passes before it is saved (reads only; tidies the fields)."""
    price_list.name = require_text(price_list.name, "name", "Name")
    company_currency = price_list.company.currency
    price_list.currency = (price_list.currency or company_currency).strip().upper()
    if len(price_list.currency) != 3 or not price_list.currency.isalpha():
        raise InvalidInput("Currency is a 3-letter ISO 4217 code.", field="currency")
    _check_window(price_list)
    clash = PriceList.objects.filter(company_id=price_list.company_id, name__iexact=price_list.name)
    if clash.exclude(pk=price_list.pk).exists():
        raise DuplicateCode(f"A price list named '{price_list.name}' exists.", field="name")
    if (
        price_list.pk is not None
        and price_list.currency != company_currency
        and price_list.rules.filter(price_type=PriceListRule.PriceType.DISCOUNT).exists()
    ):
        raise InvalidInput(
            f"'{price_list.name}' has discount rules, which discount the sale price in "
            f"{company_currency}; its currency cannot become {price_list.currency}.",
            field="currency",
        )


@atomic_service
def save_price_list(price_list: PriceList, *, by) -> PriceList:
    """Create or change a price list. Making it the default takes the flag from the
    previous default; discount rules need the list in the company's currency."""
    check_price_list(price_list)
    if price_list.is_default:
        previous = PriceList.objects.select_for_update().filter(
            company_id=price_list.company_id, is_default=True
        )
        previous.exclude(pk=price_list.pk).update(is_default=False)
    save_guarded(price_list, by=by, duplicate_message="Name taken.", field="name")
    return price_list


@atomic_service
def delete_price_list(price_list: PriceList) -> None:
    """Remove a price list and its rules."""
    price_list.delete()


def check_rule(rule: PriceListRule, price_list: PriceList | None = None) -> None:
    """One target at most (product or category), a price that fits its type, and a
    validity window that is not upside down (reads only; tidies the fields).
    `price_list` is given when the list itself is not saved yet (admin inline)."""
    price_list = price_list or rule.price_list
    rule.company_id = price_list.company_id
    rule.name = require_text(rule.name, "name", "Name")
    for field in ("min_quantity", "fixed_price", "discount_percent"):
        setattr(rule, field, as_decimal(getattr(rule, field), field))
    if rule.product_id and rule.category_id:
        raise InvalidInput(
            "A rule targets a product or a category, not both; leave both empty for all products.",
            field="category",
        )
    same_company(rule.product, rule.company_id, "product", "Product")
    same_company(rule.category, rule.company_id, "category", "Category")
    same_company(rule.price_group, rule.company_id, "price_group", "Price group")
    if rule.min_quantity is None or rule.min_quantity < 0:
        raise InvalidInput("Minimum quantity cannot be negative.", field="min_quantity")
    _check_window(rule)
    if rule.price_type == PriceListRule.PriceType.FIXED:
        if rule.fixed_price is None or rule.fixed_price < 0:
            raise InvalidInput(
                "A fixed-price rule needs a price of 0 or more.", field="fixed_price"
            )
        rule.discount_percent = None
    elif rule.price_type == PriceListRule.PriceType.DISCOUNT:
        if rule.discount_percent is None or not 0 <= rule.discount_percent <= 100:
            raise InvalidInput(
                "A discount rule needs a discount between 0 and 100 %.", field="discount_percent"
            )
        if price_list.currency != price_list.company.currency:
            raise InvalidInput(
                f"'{price_list.name}' is in {price_list.currency}; a discount off the sale "
                f"price (in {price_list.company.currency}) would mix currencies. Use a fixed "
                "price.",
                field="price_type",
            )
        rule.fixed_price = None
    else:
        raise InvalidInput(f"Unknown price type '{rule.price_type}'.", field="price_type")


@atomic_service
def save_rule(rule: PriceListRule, *, by) -> PriceListRule:
    """Create or change a rule once `check_rule` passes."""
    check_rule(rule)
    save_guarded(rule, by=by, duplicate_message="Rule clash.", field="name")
    return rule


@atomic_service
def delete_rule(rule: PriceListRule) -> None:
    rule.delete()


@atomic_service
def delete_price_group(group: PriceGroup) -> None:
    """Remove a price group no rule uses (deleting would silently drop those rules)."""
    used = PriceListRule.objects.filter(price_group_id=group.pk).count()
    if used:
        raise InUse(f"{used} price-list rule(s) use '{group.name}'; change them first.")
    group.delete()
