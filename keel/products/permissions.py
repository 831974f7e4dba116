"""What each role may do with products, units and price lists.

Administrators have everything and auditors every view permission already
(keel.users.permissions). Selling, buying, stocking, planning and accounting
roles see the catalogue; sales managers run price lists; buyers, warehouse
clerks and planners maintain products.
"""

from __future__ import annotations

from keel.users.roles import Role

VIEW_CATALOGUE = [
    "products.view_product",
    "products.view_productcategory",
    "products.view_uom",
    "products.view_uomcategory",
    "products.view_pricelist",
    "products.view_pricelistrule",
    "products.view_pricegroup",
]
MANAGE_PRICE_LISTS = [
    f"products.{verb}_{model}"
    for model in ("pricelist", "pricelistrule", "pricegroup")
    for verb in ("add", "change", "delete")
]
MAINTAIN_PRODUCTS = ["products.add_product", "products.change_product"]

GRANTS: dict[Role, list[str]] = {
    Role.SALES_REP: list(VIEW_CATALOGUE),
    Role.SALES_MANAGER: VIEW_CATALOGUE + MANAGE_PRICE_LISTS,
    Role.ACCOUNTANT: list(VIEW_CATALOGUE),
    Role.BUYER: VIEW_CATALOGUE + MAINTAIN_PRODUCTS,
    Role.WAREHOUSE_CLERK: VIEW_CATALOGUE + MAINTAIN_PRODUCTS,
    Role.PRODUCTION_PLANNER: VIEW_CATALOGUE + MAINTAIN_PRODUCTS,
}
