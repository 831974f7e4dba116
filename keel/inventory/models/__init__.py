"""Inventory tables: warehouses, locations, lots, transfers, moves and stock levels."""

from .levels import StockLevel
from .locations import Location, Lot, Warehouse
from .replenishment import ReplenishmentRule
from .transfers import MoveLine, StockMove, Transfer

__all__ = [
    "Location",
    "Lot",
    "MoveLine",
    "ReplenishmentRule",
    "StockLevel",
    "StockMove",
    "Transfer",
    "Warehouse",
]
