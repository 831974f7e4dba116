"""Refusals of the inventory domain, each with a stable code."""

from __future__ import annotations

from keel.core.errors import Conflict, InvalidInput


class InvalidLocation(InvalidInput):
    """A location that cannot be used that way (archived, a view, another company)."""

    code = "location_invalid"


class DuplicateCode(Conflict):
    code = "duplicate"


class ProductNotStockable(InvalidInput):
    """An archived product, a service, or one of another company."""

    code = "product_not_stockable"


class InvalidQuantity(InvalidInput):
    code = "quantity_invalid"


class InsufficientStock(Conflict):
    """Not enough available (on hand less reserved) to reserve or move."""

    code = "insufficient_stock"


class MoreThanReserved(InvalidInput):
    """Delivering more than was reserved for the move."""

    code = "more_than_reserved"


class LotRequired(InvalidInput):
    """A lot- or serial-tracked product moved without its lot or serial number."""

    code = "lot_required"


class SerialInUse(Conflict):
    """A serial number that is already on hand, or given twice."""

    code = "serial_in_use"


class NegativeStock(Conflict):
    """The move would take a location that does not allow it below zero."""

    code = "negative_stock"


class NothingToDo(InvalidInput):
    code = "nothing_to_do"


class NotConfirmed(Conflict):
    """A draft transfer must be confirmed first."""

    code = "transfer_not_confirmed"


class ValuationNotConfigured(Conflict):
    """The books lack what stock valuation posts to (a journal)."""

    code = "valuation_not_configured"


class OutsideWarehouse(InvalidLocation):
    """A put-away location that is not under the warehouse's stock location."""

    code = "location_outside_warehouse"
