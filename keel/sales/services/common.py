"""Helpers the sales services share: parsing, locking, numbering, money text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from keel.core.errors import InvalidInput, NotFound
from keel.core.models import Company
from keel.core.money import round_money
from keel.core.numbering import next_number
from keel.parties.models import Party
from keel.products.models import Product

ZERO = Decimal(0)
HUNDRED = Decimal(100)
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money_text(amount: Decimal, currency: str) -> str:
    """$1,250.00 for dollars (the way a customer reads it); 1,250.00 CHF otherwise."""
    rounded = round_money(amount, currency)
    symbol = SYMBOLS.get(currency.upper())
    return f"{symbol}{rounded:,.2f}" if symbol else f"{rounded:,.2f} {currency.upper()}"


def decimal_of(value, *, field: str, allow_zero: bool = False, label: str = "") -> Decimal:
    """A positive (or, with allow_zero, non-negative) Decimal from user input."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"'{value}' is not a number.", field=field) from None
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        what = label or "The value"
        raise InvalidInput(
            f"{what} must be {'zero or more' if allow_zero else 'more than zero'} (got {value}).",
            field=field,
        )
    return number


def number(company: Company, key: str, prefix: str) -> str:
    """The next number of one of sales' series (SQ/00001); gapless, drawn in the
    document's transaction."""
    return next_number(company, f"sales.{key}", None, prefix=prefix, yearly=False)


def party_of(company: Company, party, *, field: str = "party") -> Party:
    found = party if isinstance(party, Party) else Party.objects.filter(pk=party).first()
    if found is None or found.company_id != company.pk:
        raise InvalidInput("Unknown customer.", field=field)
    return found


def product_of(company: Company, product, *, field: str) -> Product:
    found = (
        product
        if isinstance(product, Product)
        else Product.objects.filter(pk=product).select_related("company", "category").first()
    )
    if found is None or found.company_id != company.pk:
        raise InvalidInput("Unknown product.", field=field)
    if not found.active:
        raise InvalidInput(f"{found} is archived.", field=field)
    return found


def products_by_pk(wanted: list) -> dict:
    """The products named by id among `wanted` (ids or Products), with their company
    and category, in one query; product_of() then checks each."""
    ids = {pk for pk in wanted if isinstance(pk, int) and not isinstance(pk, bool)}
    if not ids:
        return {}
    found = Product.objects.filter(pk__in=ids).select_related("company", "category")
    return {product.pk: product for product in found}


def lock(model, pk: int, *, label: str):
    """The row, locked for the rest of the transaction, or NotFound."""
    try:
        return model.objects.select_for_update().select_related("company").get(pk=pk)
    except model.DoesNotExist:
        raise NotFound(f"{label} {pk} does not exist.") from None
