"""Money helpers: Decimal only, per-currency precision, one explicit rounding rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units for the currencies Keel ships with; others default to 2.
CURRENCY_DECIMALS: dict[str, int] = {
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
    "VND": 0,
    "BHD": 3,
    "JOD": 3,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
}
ROUNDING = ROUND_HALF_UP


def decimals_for(currency: str) -> int:
    """Number of minor-unit digits of `currency` (2 unless ISO says otherwise)."""
    return CURRENCY_DECIMALS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-decimals_for(currency))


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Exact Decimal from an int, str or Decimal; floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise TypeError("Money must not be built from a float; pass a str or Decimal.")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_money(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round half up to the currency's precision: 2.675 EUR -> 2.68, 1.5 JPY -> 2."""
    return to_decimal(amount).quantize(quantum(currency), rounding=ROUNDING)


def format_money(amount: Decimal, currency: str) -> str:
    """'1,250.00 USD' style text for messages."""
    rounded = round_money(amount, currency)
    places = decimals_for(currency)
    return f"{rounded:,.{places}f} {currency.upper()}"
