"""Exact quantities: stored like money, as integers of 1/10,000 of a unit.

SQLite keeps a DecimalField as a floating-point number, so on-hand sums over
many moves would drift; the integer column sums exactly on every database and
the field reads and writes `Decimal` (ADR 0008).
"""

from __future__ import annotations

from keel.accounting.fields import SCALE, MoneyField, to_units

__all__ = ["SCALE", "QuantityField", "to_units"]


class QuantityField(MoneyField):
    """A Decimal quantity kept as a 64-bit integer of 1/10,000 units."""

    description = "Exact quantity (integer of 1/10,000 units)"
