"""Inventory tables: warehouses, locations, lots, transfers, moves and stock levels."""

from .counts import CountLine, InventoryCount
from .landed import LandedCost, LandedCostLine
from .levels import StockLevel
from .locations import Location, Lot, Warehouse
from .putaway import PutawayRule
from .replenishment import ReplenishmentRule
from .transfers import MoveLine, StockMove, Transfer
from .valuation import ProductCost, ValuationLayer

__all__ = [
    "CountLine",
    "InventoryCount",
    "LandedCost",
    "LandedCostLine",
    "Location",
    "Lot",
    "MoveLine",
    "ProductCost",
    "PutawayRule",
    "ReplenishmentRule",
    "StockLevel",
    "StockMove",
    "Transfer",
    "ValuationLayer",
    "Warehouse",
]
