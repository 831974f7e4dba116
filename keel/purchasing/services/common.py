"""Helpers the purchasing services share: parsing, locking, numbering, lines."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from keel.core.errors import InvalidInput, NotFound
from keel.core.models import Company
from keel.core.numbering import next_number
from keel.parties.models import Party
from keel.products.models import Product

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def decimal_of(value, *, field: str, allow_zero: bool = False) -> Decimal:
    """A positive (or, with allow_zero, non-negative) Decimal from user input."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"'{value}' is not a number.", field=field) from None
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise InvalidInput(
            f"{value} must be {'zero or more' if allow_zero else 'more than zero'}.", field=field
        )
    return number


def quantity_text(value: Decimal) -> str:
    """10.0000 as '10', 2.5000 as '2.5'."""
    return f"{value.normalize():f}"


def number(company: Company, key: str, prefix: str) -> str:
    """The next number of one of purchasing's series (PO/00001); gapless, drawn in the
    document's transaction."""
    return next_number(company, f"purchasing.{key}", None, prefix=prefix, yearly=False)


def vendor_of(company: Company, vendor, *, field: str = "vendor") -> Party:
    found = vendor if isinstance(vendor, Party) else Party.objects.filter(pk=vendor).first()
    if found is None or found.company_id != company.pk:
        raise InvalidInput("Unknown vendor.", field=field)
    return found


def product_of(company: Company, product, *, field: str) -> Product:
    found = product if isinstance(product, Product) else Product.objects.filter(pk=product).first()
    if found is None or found.company_id != company.pk:
        raise InvalidInput("Unknown product.", field=field)
    if not found.active:
        raise InvalidInput(f"{found} is archived.", field=field)
    return found


def parse_lines(company: Company, lines: list[dict]) -> list[tuple[Product, Decimal, dict]]:
    """(product, quantity, the rest) per line; refuses an empty list and a product
    given twice (one line per product keeps receipts and bills unambiguous)."""
    if not lines:
        raise InvalidInput("Give at least one line.", field="lines")
    parsed, seen = [], set()
    for position, raw in enumerate(lines, 1):
        product = product_of(company, raw.get("product"), field=f"lines[{position}].product")
        if product.pk in seen:
            raise InvalidInput(
                f"Line {position}: {product} is already on another line; add the quantities.",
                field=f"lines[{position}].product",
            )
        seen.add(product.pk)
        quantity = decimal_of(raw.get("quantity"), field=f"lines[{position}].quantity")
        parsed.append((product, quantity, raw))
    return parsed


def lock(model, pk: int, *, label: str):
    """The row, locked for the rest of the transaction, or NotFound."""
    try:
        return model.objects.select_for_update(of=("self",)).select_related("company").get(pk=pk)
    except model.DoesNotExist:
        raise NotFound(f"{label} {pk} does not exist.") from None
