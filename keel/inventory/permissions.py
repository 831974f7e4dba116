"""What each role may do with stock.

Administrators have everything and auditors every view permission already
(keel.users.permissions). Warehouse clerks run the warehouse: locations, lots,
transfers (confirm, reserve, validate, cancel), put-away rules and inventory counts
(start, count, post). Accountants land costs on receipts (freight, duty: it posts to
the books); clerks only see landed costs. Sales roles see stock levels and
transfers (what is on hand, what was delivered), and change nothing.
"""

from __future__ import annotations

from keel.users.roles import Role

MODELS = (
    "warehouse",
    "location",
    "lot",
    "transfer",
    "stockmove",
    "moveline",
    "stocklevel",
    "replenishmentrule",
    "putawayrule",
    "inventorycount",
)
VIEW_STOCK = [
    "inventory.view_stocklevel",
    "inventory.view_transfer",
    "inventory.view_replenishmentrule",
]
RUN_WAREHOUSE = [
    f"inventory.{verb}_{model}" for model in MODELS for verb in ("view", "add", "change")
] + [
    "inventory.validate_transfer",
    "inventory.cancel_transfer",
    # A put-away rule is set-up, not history: the clerk who writes one may remove it.
    "inventory.delete_putawayrule",
]

# Landed costs change what stock is worth and post to the books: the accountant's
# call (with the receipts they land on in view); clerks only see them.
LAND_COSTS = [
    "inventory.view_landedcost",
    "inventory.add_landedcost",
    "inventory.view_transfer",
]

# The stock valuation report (what stock is worth, beside the stock account).
VIEW_VALUATION = "inventory.view_valuationlayer"

GRANTS: dict[Role, list[str]] = {
    Role.WAREHOUSE_CLERK: [*RUN_WAREHOUSE, "inventory.view_landedcost", VIEW_VALUATION],
    Role.ACCOUNTANT: [*LAND_COSTS, VIEW_VALUATION],
    Role.SALES_REP: list(VIEW_STOCK),
    Role.SALES_MANAGER: list(VIEW_STOCK),
}
