"""Money helpers: Decimal only, per-currency precision, one explicit rounding rule."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

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
# The symbol a customer reads before the amount, for the currencies that have one.
SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£"}


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


def amount_text(amount: Decimal, currency: str) -> str:
    """The amount as plain text at the currency's precision ('275.00', '1500' for JPY):
    what an event payload or an export carries, never the storage's four places."""
    return str(round_money(amount, currency))


def format_money(amount: Decimal, currency: str, *, symbol: bool = False) -> str:
    """'1,250.00 USD' style text for messages; with `symbol`, '$1,250.00' the way a
    customer reads it (the code after the amount for a currency without a symbol)."""
    rounded = round_money(amount, currency)
    places = decimals_for(currency)
    sign = SYMBOLS.get(currency.upper()) if symbol else None
    if sign:
        return f"-{sign}{-rounded:,.{places}f}" if rounded < 0 else f"{sign}{rounded:,.{places}f}"
    return f"{rounded:,.{places}f} {currency.upper()}"


def format_exact(amount: Decimal, currency: str) -> str:
    """Like `format_money`, keeping the digits past the currency's precision when there
    are any (a report of differences must not round 0.0001 away)."""
    if round_money(amount, currency) == amount:
        return format_money(amount, currency)
    return f"{amount.normalize():,f} {currency.upper()}"


def allocate(amount: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Split `amount` in proportion to `weights`, to the currency's minor unit, by the
    largest remainder: every share is rounded down, and the units left over go one
    each to the shares with the largest remainders (the first of equals first), so
    the shares always add up to `amount`: 100.00 over (1, 1, 1) -> 33.34, 33.33, 33.33.
    """
    total = sum(weights, Decimal(0))
    if total <= 0 or any(w < 0 for w in weights):
        raise ValueError("Weights must be non-negative with a positive total.")
    step = quantum(currency)
    exact = [to_decimal(amount) * w / total for w in weights]
    shares = [x.quantize(step, rounding=ROUND_DOWN) for x in exact]
    left = int((to_decimal(amount) - sum(shares, Decimal(0))) / step)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in order[:left]:
        shares[index] += step
    return shares
