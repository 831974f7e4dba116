"""What each role may do in sales.

Sales reps quote and take orders for their own customers (they see only their own
quotations and orders); sales managers see everyone's, approve discounts above the
threshold and release orders held by the credit check; accountants release credit
holds too (the one who sold is not the one who waves the credit limit through).
"""

from __future__ import annotations

from keel.users.roles import Role

MODELS = ("quotation", "quotationline", "salesorder", "salesorderline", "orderinvoice")
SELL = [f"sales.{verb}_{model}" for model in MODELS for verb in ("view", "add", "change")] + [
    "sales.deliver_salesorder",
    "sales.invoice_salesorder",
]
RELEASE_PERMISSION = "sales.release_salesorder"
SEE_ALL_PERMISSION = "sales.view_all_sales"

GRANTS: dict[Role, list[str]] = {
    Role.SALES_REP: list(SELL),
    Role.SALES_MANAGER: [*SELL, RELEASE_PERMISSION, SEE_ALL_PERMISSION],
    Role.ACCOUNTANT: [
        "sales.view_salesorder",
        "sales.view_salesorderline",
        "sales.invoice_salesorder",
        RELEASE_PERMISSION,
        SEE_ALL_PERMISSION,
    ],
}

# Who approves a discount above the threshold.
DISCOUNT_APPROVER_ROLE = Role.SALES_MANAGER
