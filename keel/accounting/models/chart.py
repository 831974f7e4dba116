"""The chart of accounts, journals, fiscal years with their periods, and the
company's accounting settings (lock dates, tax rounding)."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import Company, CompanyScoped


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    INCOME = "income", "Income"
    EXPENSE = "expense", "Expense"


# Types whose balance is carried forward year after year (the balance sheet).
BALANCE_SHEET_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)
PROFIT_AND_LOSS_TYPES = (AccountType.INCOME, AccountType.EXPENSE)


class AccountRole(models.TextChoices):
    """What other domains post to; each role names at most one account per company."""

    RECEIVABLE = "receivable", "Receivable"
    PAYABLE = "payable", "Payable"
    REVENUE = "revenue", "Revenue"
    COGS = "cogs", "Cost of goods sold"
    EXPENSE = "expense", "Default expense"
    STOCK = "stock", "Stock valuation"
    STOCK_INTERIM_RECEIVED = "stock_interim_received", "Stock interim (received)"
    STOCK_INTERIM_DELIVERED = "stock_interim_delivered", "Stock interim (delivered)"
    BANK = "bank", "Bank"
    CASH = "cash", "Cash"
    TAX_PAYABLE = "tax_payable", "Tax payable"
    TAX_RECEIVABLE = "tax_receivable", "Tax receivable"
    FX_GAIN = "fx_gain", "Exchange gain"
    FX_LOSS = "fx_loss", "Exchange loss"
    RETAINED_EARNINGS = "retained_earnings", "Retained earnings"
    SUSPENSE = "suspense", "Suspense"
    WRITE_OFF = "write_off", "Write-off"
    SALARIES = "salaries", "Salaries"
    SALARIES_PAYABLE = "salaries_payable", "Salaries payable"
    CUSTOMER_DOWN_PAYMENTS = "customer_down_payments", "Customer down payments"


# Roles whose lines carry a party and keep a balance per party (subledgers).
PARTY_ROLES = (AccountRole.RECEIVABLE, AccountRole.PAYABLE)


class Account(CompanyScoped):
    """A ledger account: code, type, and optionally the role other domains post by."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=AccountType.choices)
    role = models.CharField(max_length=40, choices=AccountRole.choices, blank=True)
    party_balances = models.BooleanField(
        default=False,
        help_text="Keep a balance per party (receivable and payable accounts)",
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        permissions = [
            ("view_reports", "Can view the financial reports"),
            ("import_chart", "Can import a chart of accounts"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="account_unique_code"),
            models.UniqueConstraint(
                fields=["company", "role"],
                condition=~models.Q(role=""),
                name="account_unique_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Journal(CompanyScoped):
    """Where entries are posted; each journal numbers its entries per fiscal year."""

    class Kind(models.TextChoices):
        SALES = "sales", "Sales"
        PURCHASES = "purchases", "Purchases"
        BANK = "bank", "Bank"
        CASH = "cash", "Cash"
        GENERAL = "general", "General"

    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sequence_prefix = models.CharField(
        max_length=20, help_text="Entry numbers read PREFIX + year + number, e.g. INV/2026/00001"
    )
    default_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="journal_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def sequence_key(self) -> str:
        return f"accounting.journal.{self.pk}"


class FiscalYear(CompanyScoped):
    """A fiscal year, named by the calendar year it ends in (Company.fiscal_year_of)."""

    year = models.PositiveIntegerField()
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["company", "year"], name="fiscalyear_unique"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="fy_order"),
        ]

    def __str__(self) -> str:
        return f"FY {self.year}"


class Period(CompanyScoped):
    """A month of a fiscal year: the bucket maintained balances are kept in."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="periods")
    number = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="period_unique"),
            models.UniqueConstraint(fields=["company", "start"], name="period_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m} (FY {self.fiscal_year.year} P{self.number:02d})"


class AccountingSettings(models.Model):
    """Per company: lock dates and the tax rounding rule.

    `lock_date` refuses postings on or before it for everyone; `adviser_lock_date`
    refuses them for everyone but advisers (the Accountant role).
    """

    class TaxRounding(models.TextChoices):
        PER_LINE = "per_line", "Round each line"
        PER_DOCUMENT = "per_document", "Round the document's total per tax"

    company = models.OneToOneField(
        Company, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    lock_date = models.DateField(null=True, blank=True, help_text="Locked for all users")
    adviser_lock_date = models.DateField(
        null=True, blank=True, help_text="Locked for everyone but advisers (Accountant role)"
    )
    tax_rounding = models.CharField(
        max_length=20, choices=TaxRounding.choices, default=TaxRounding.PER_LINE
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "accounting settings"

    def __str__(self) -> str:
        return f"Accounting settings of company {self.company_id}"
