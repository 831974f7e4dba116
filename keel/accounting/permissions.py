"""What each role may do in the books.

Administrators have every permission and auditors every view permission
already (keel.users.permissions). Accountants keep the books. Sales managers
and buyers read the reports (`accounting.view_reports`) and nothing else.
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
)
VIEW_REPORTS = "accounting.view_reports"

ALL_ACCOUNTING = [
    f"accounting.{verb}_{model}" for model in MODELS for verb in ("view", "add", "change", "delete")
] + [VIEW_REPORTS, "accounting.reverse_journalentry", "accounting.import_chart"]

GRANTS: dict[Role, list[str]] = {
    Role.ACCOUNTANT: ALL_ACCOUNTING,
    Role.SALES_MANAGER: [VIEW_REPORTS],
    Role.BUYER: [VIEW_REPORTS],
}

# Bank statements (branch banking): accountants import, confirm and map bank files.
BANK_PERMISSIONS = [
    f"accounting.{verb}_{model}"
    for model in ("bankstatement", "bankstatementline", "bankcsvmapping")
    for verb in ("view", "add", "change", "delete")
] + ["accounting.import_bankstatement", "accounting.confirm_bankstatement"]
GRANTS[Role.ACCOUNTANT] = [*GRANTS[Role.ACCOUNTANT], *BANK_PERMISSIONS]
