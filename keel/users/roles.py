"""The roles Keel ships with and the permissions each one starts with.

A role is a Django group. Each domain adds its grants in its own
`permissions.py` as `GRANTS = {Role.X: [...]}`; `ensure_roles()` collects them.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "Administrator"
    SALES_REP = "Sales Rep"
    SALES_MANAGER = "Sales Manager"
    MARKETING = "Marketing"
    SERVICE_AGENT = "Service Agent"
    ACCOUNTANT = "Accountant"
    WAREHOUSE_CLERK = "Warehouse Clerk"
    BUYER = "Buyer"
    PRODUCTION_PLANNER = "Production Planner"
    HR_OFFICER = "HR Officer"
    PROJECT_MANAGER = "Project Manager"
    EMPLOYEE = "Employee"
    AUDITOR = "Read-only Auditor"


ALL_ROLES: tuple[Role, ...] = tuple(Role)

# Special grant values understood by ensure_roles().
EVERY_PERMISSION = "*"
EVERY_VIEW_PERMISSION = "view_*"
