from .chart import (
    BALANCE_SHEET_TYPES,
    PARTY_ROLES,
    PROFIT_AND_LOSS_TYPES,
    Account,
    AccountingSettings,
    AccountRole,
    AccountType,
    FiscalYear,
    Journal,
    Period,
)
from .ledger import (
    AccountBalance,
    JournalEntry,
    JournalLine,
    LedgerHead,
    PartyBalance,
)
from .taxes import Tax, TaxGroup

__all__ = [
    "BALANCE_SHEET_TYPES",
    "PARTY_ROLES",
    "PROFIT_AND_LOSS_TYPES",
    "Account",
    "AccountBalance",
    "AccountRole",
    "AccountType",
    "AccountingSettings",
    "FiscalYear",
    "Journal",
    "JournalEntry",
    "JournalLine",
    "LedgerHead",
    "PartyBalance",
    "Period",
    "Tax",
    "TaxGroup",
]

from .bank import BankCsvMapping, BankStatement, BankStatementLine  # noqa: E402

__all__ += ["BankCsvMapping", "BankStatement", "BankStatementLine"]
from .invoices import (  # noqa: E402
    CurrencyRate,
    Invoice,
    InvoiceLine,
    InvoicingSettings,
    PaymentTerm,
    PaymentTermLine,
)
from .payments import OpenItem, Payment, Reconciliation  # noqa: E402

__all__ += [
    "CurrencyRate",
    "Invoice",
    "InvoiceLine",
    "InvoicingSettings",
    "OpenItem",
    "Payment",
    "PaymentTerm",
    "PaymentTermLine",
    "Reconciliation",
]
