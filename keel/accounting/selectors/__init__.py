"""Reads and reports of the accounting domain; nothing here writes."""

from .chart import (
    account_for_role,
    accounting_settings,
    accounts_of,
    company_id_of,
    fiscal_years_of,
    is_adviser,
    journals_of,
    lock_date_for,
    periods_for_dates,
    periods_of,
    tax_groups_of,
    taxes_of,
)
from .ledger import (
    BalanceDifference,
    LedgerBreak,
    balance_differences,
    entries_of,
    first_broken_link,
    lines_of,
)
from .reports import (
    balance_sheet,
    profit_and_loss,
    tax_report,
    tax_report_lines,
    trial_balance,
)

__all__ = [
    "BalanceDifference",
    "LedgerBreak",
    "account_for_role",
    "accounting_settings",
    "accounts_of",
    "balance_differences",
    "balance_sheet",
    "company_id_of",
    "entries_of",
    "first_broken_link",
    "fiscal_years_of",
    "is_adviser",
    "journals_of",
    "lines_of",
    "lock_date_for",
    "periods_for_dates",
    "periods_of",
    "profit_and_loss",
    "tax_groups_of",
    "tax_report",
    "tax_report_lines",
    "taxes_of",
    "trial_balance",
]
