"""What each role may do in sales.

Sales reps quote and take orders for their own customers (they see only their own
quotations and orders); sales managers see everyone's, approve discounts above the
threshold and release orders held by the credit check; accountants release credit
holds too (the one who sold is not the one who waves the credit limit through).
"""

from __future__ import annotations

from keel.users.roles import Role

MODELS = (
    "quotation",
    "quotationline",
    "salesorder",
    "salesorderline",
    "orderinvoice",
    "returnauthorisation",
    "returnline",
)
SELL = [f"sales.{verb}_{model}" for model in MODELS for verb in ("view", "add", "change")] + [
    "sales.deliver_salesorder",
    "sales.invoice_salesorder",
]
RELEASE_PERMISSION = "sales.release_salesorder"
SEE_ALL_PERMISSION = "sales.view_all_sales"
# A rep takes a return down; a manager lets the goods come back; crediting them is
# the manager's or the accountant's call.
APPROVE_RETURN_PERMISSION = "sales.approve_returnauthorisation"
CREDIT_RETURN_PERMISSION = "sales.credit_returnauthorisation"

GRANTS: dict[Role, list[str]] = {
    Role.SALES_REP: list(SELL),
    Role.SALES_MANAGER: [
        *SELL,
        RELEASE_PERMISSION,
        SEE_ALL_PERMISSION,
        APPROVE_RETURN_PERMISSION,
        CREDIT_RETURN_PERMISSION,
    ],
    Role.ACCOUNTANT: [
        "sales.view_salesorder",
        "sales.view_salesorderline",
        "sales.invoice_salesorder",
        "sales.view_returnauthorisation",
        "sales.view_returnline",
        RELEASE_PERMISSION,
        SEE_ALL_PERMISSION,
        CREDIT_RETURN_PERMISSION,
    ],
}

# Who approves a discount above the threshold.
DISCOUNT_APPROVER_ROLE = Role.SALES_MANAGER
