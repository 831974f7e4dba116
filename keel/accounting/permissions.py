"""What each role may do in the books.

Administrators have every permission and auditors every view permission
already (keel.users.permissions). Accountants keep the books. Sales managers
read the reports and customer invoices, sales reps customer invoices, buyers
the reports and vendor bills; none of them post, cancel or pay.
"""

from __future__ import annotations

from keel.users.roles import Role

MODELS = (
    "account",
    "journal",
    "fiscalyear",
    "period",
    "journalentry",
    "journalline",
    "accountbalance",
    "partybalance",
    "accountingsettings",
    "tax",
    "taxgroup",
    # invoicing
    "paymentterm",
    "currencyrate",
    "invoicingsettings",
    "invoice",
    "payment",
)
VIEW_REPORTS = "accounting.view_reports"

ALL_ACCOUNTING = [
    f"accounting.{verb}_{model}" for model in MODELS for verb in ("view", "add", "change", "delete")
] + [VIEW_REPORTS, "accounting.reverse_journalentry", "accounting.import_chart"]
ALL_ACCOUNTING += [
    f"accounting.{code}"
    for code in (
        "post_invoice",
        "cancel_invoice",
        "send_invoice",
        "view_customer_invoices",
        "view_vendor_bills",
    )
]
VIEW_CUSTOMER_INVOICES = ["accounting.view_invoice", "accounting.view_customer_invoices"]
VIEW_VENDOR_BILLS = ["accounting.view_invoice", "accounting.view_vendor_bills"]

GRANTS: dict[Role, list[str]] = {
    Role.ACCOUNTANT: ALL_ACCOUNTING,
    Role.SALES_MANAGER: [VIEW_REPORTS, *VIEW_CUSTOMER_INVOICES],
    Role.SALES_REP: VIEW_CUSTOMER_INVOICES,
    Role.BUYER: [VIEW_REPORTS, *VIEW_VENDOR_BILLS],
}

# Bank statements (branch banking): accountants import, confirm and map bank files, and
# reconcile their lines with open items.
BANK_PERMISSIONS = [
    f"accounting.{verb}_{model}"
    for model in ("bankstatement", "bankstatementline", "bankcsvmapping")
    for verb in ("view", "add", "change", "delete")
] + [
    "accounting.import_bankstatement",
    "accounting.confirm_bankstatement",
    "accounting.reconcile_bankstatement",
]
GRANTS[Role.ACCOUNTANT] = [*GRANTS[Role.ACCOUNTANT], *BANK_PERMISSIONS]
