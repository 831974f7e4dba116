"""Reads of the products domain: querysets for lists, unit conversion, lookups."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, QuerySet

from keel.core.money import to_decimal
from keel.core.selectors import default_company

from .errors import UomMismatch
from .models import PriceList, PriceListRule, Product, ProductCategory, Uom


def company_id_of(user) -> int | None:
    """The company a user works in (their own, else the installation's first)."""
    if getattr(user, "company_id", None):
        return user.company_id
    company = default_company()
    return company.pk if company else None


def round_to(quantity: Decimal, rounding: Decimal) -> Decimal:
    """`quantity` rounded half up to a multiple of `rounding` (0.01, 1, 0.5 ...)."""
    step = to_decimal(rounding).normalize()
    multiple = (quantity / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    result = multiple * step
    # Keep the step's number of places, so 2 kg at 0.01 reads 2.00.
    places = max(-step.as_tuple().exponent, 0)
    return result.quantize(Decimal(1).scaleb(-places))


def convert(quantity: Decimal | int | str, from_uom: Uom, to_uom: Uom) -> Decimal:
    """`quantity` in `from_uom` expressed in `to_uom`, exactly, rounded to the target's
    rounding: 3 Dozen -> 36 Units; 1250 g -> 1.25 kg. Refuses units of different kinds."""
    quantity = to_decimal(quantity)
    if from_uom.category_id != to_uom.category_id:
        raise UomMismatch(
            f"Cannot convert {from_uom.name} ({from_uom.category}) into "
            f"{to_uom.name} ({to_uom.category}): units of different categories do not convert.",
            field="uom",
        )
    if from_uom.pk == to_uom.pk:
        return round_to(quantity, to_uom.rounding)
    in_reference = quantity * to_decimal(from_uom.ratio)
    return round_to(in_reference / to_decimal(to_uom.ratio), to_uom.rounding)


def uoms() -> QuerySet[Uom]:
    return Uom.objects.select_related("category")


def categories_of(company_id: int | None) -> QuerySet[ProductCategory]:
    return ProductCategory.objects.filter(company_id=company_id).select_related("parent")


def products_of(company_id: int | None) -> QuerySet[Product]:
    return Product.objects.filter(company_id=company_id).select_related(
        "category", "uom", "uom__category", "company"
    )


def price_lists_of(company_id: int | None) -> QuerySet[PriceList]:
    rules = PriceListRule.objects.select_related("product", "category", "price_group")
    return PriceList.objects.filter(company_id=company_id).prefetch_related(
        Prefetch("rules", queryset=rules.order_by("id"))
    )


def price_list_rules_of(company_id: int | None) -> QuerySet[PriceListRule]:
    return PriceListRule.objects.filter(company_id=company_id).select_related(
        "price_list", "product", "category", "price_group"
    )


def lookup_product(company_id: int | None, code: str) -> Product | None:
    """The product whose barcode or SKU is exactly `code` (barcode first), if any."""
    code = code.strip()
    if not code:
        return None
    matches = list(products_of(company_id).filter(Q(barcode=code) | Q(sku=code))[:2])
    matches.sort(key=lambda product: (product.barcode != code, product.pk))
    return matches[0] if matches else None
