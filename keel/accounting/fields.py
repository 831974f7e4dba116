"""Exact money columns: amounts stored as integers of 1/10,000 of a unit.

SQLite keeps a DecimalField as a floating-point number, so `SUM()` over many
rows drifts; an integer column sums exactly on every database. The field reads
and writes `Decimal`, so code never sees the integers (ADR 0008).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from keel.core.money import to_decimal

SCALE = 4  # digits kept after the decimal point; covers every ISO 4217 currency
FACTOR = 10**SCALE


def to_units(amount: Decimal | int | str) -> int:
    """The stored integer of `amount`; refuses digits the column cannot keep."""
    if type(amount) is Decimal:  # the common case, per value of every bulk write
        value = amount.scaleb(SCALE)
        units = int(value)
        if units != value:
            raise ValueError(f"{amount} has more than {SCALE} decimal places.")
        return units
    value = to_decimal(amount) * FACTOR
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more than {SCALE} decimal places.")
    return int(value)


def from_units(units: int | None) -> Decimal | None:
    if units is None:
        return None
    return Decimal(units if type(units) is int else int(units)).scaleb(-SCALE)


class MoneyField(models.BigIntegerField):
    """A Decimal amount kept as a 64-bit integer of 1/10,000 units (±922 trillion)."""

    description = "Exact money amount (integer of 1/10,000 units)"
    exact_units = True  # the API shows it as a Decimal (keel.core.api.serializers.ExactOut)

    def from_db_value(self, value, expression, connection):
        return from_units(value)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        return to_decimal(str(value))

    def get_prep_value(self, value):
        if type(value) is Decimal:
            return to_units(value)
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return to_units(value)

    def formfield(self, **kwargs):
        from django import forms

        return forms.DecimalField(
            decimal_places=SCALE, max_digits=19, **{"required": not self.blank, **kwargs}
        )
