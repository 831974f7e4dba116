"""Refusals specific to products, with stable codes."""

from __future__ import annotations

from keel.core.errors import Conflict, InvalidInput


class UomMismatch(InvalidInput):
    """A quantity cannot change into a unit of another kind (kg into metres)."""

    code = "uom_category_mismatch"


class DuplicateCode(Conflict):
    """A SKU, barcode or name that must be unique is taken."""

    code = "duplicate"


class InUse(Conflict):
    """The record is referenced by others and cannot be changed or removed that way."""

    code = "in_use"
