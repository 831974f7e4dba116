"""Bank statements imported from the bank's files (CSV, CAMT.053, OFX), their lines,
and the CSV column mapping saved per bank journal."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped

from ..fields import MoneyField
from .chart import Journal
from .ledger import JournalEntry


class BankCsvMapping(CompanyScoped):
    """How to read one bank's CSV export: which column holds what, and the number
    and date formats. Columns are named by their header text."""

    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, related_name="csv_mapping")
    delimiter = models.CharField(max_length=1, default=",")
    date_column = models.CharField(max_length=100, default="Date")
    date_format = models.CharField(max_length=40, default="%Y-%m-%d", help_text="strptime format")
    amount_column = models.CharField(
        max_length=100,
        blank=True,
        default="Amount",
        help_text="Signed amount (or use debit/credit)",
    )
    debit_column = models.CharField(max_length=100, blank=True, help_text="Money out")
    credit_column = models.CharField(max_length=100, blank=True, help_text="Money in")
    reference_column = models.CharField(max_length=100, blank=True)
    counterparty_column = models.CharField(max_length=100, blank=True)
    label_column = models.CharField(max_length=100, blank=True)
    id_column = models.CharField(max_length=100, blank=True, help_text="The bank's unique line id")
    decimal_separator = models.CharField(max_length=1, default=".")
    thousands_separator = models.CharField(max_length=1, blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "bank CSV mapping"

    def __str__(self) -> str:
        return f"CSV mapping of {self.journal}"


class BankStatement(CompanyScoped):
    """One imported file of a bank journal; confirming it posts its lines."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CONFIRMED = "confirmed", "Confirmed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        CAMT053 = "camt053", "CAMT.053"
        OFX = "ofx", "OFX"

    TRANSITIONS = {Status.DRAFT: {Status.CONFIRMED}}

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="statements")
    name = models.CharField(max_length=200)
    format = models.CharField(max_length=10, choices=Format.choices)
    file_name = models.CharField(max_length=255, blank=True)
    file_hash = models.CharField(max_length=64, help_text="SHA-256 of the imported file")
    date = models.DateField(help_text="Date of the last line")
    balance_start = MoneyField(null=True, blank=True)
    balance_end = MoneyField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        permissions = [
            ("import_bankstatement", "Can import bank statements"),
            ("confirm_bankstatement", "Can confirm bank statements (posts them)"),
            ("reconcile_bankstatement", "Can reconcile bank statement lines with open items"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["journal", "file_hash"], name="statement_unique_file")
        ]

    def __str__(self) -> str:
        return self.name


class BankStatementLine(models.Model):
    """One movement on the account: positive money in, negative money out. `unique_id`
    (the bank's id, else a digest of the line) keeps a line from being imported twice.
    `entry` posts it bank ↔ suspense on confirmation; `payment` moves it from suspense
    to the party's receivable or payable once it is matched with open items."""

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    company = models.ForeignKey("core.Company", on_delete=models.PROTECT, related_name="+")
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    date = models.DateField()
    amount = MoneyField()
    reference = models.CharField(max_length=200, blank=True)
    counterparty = models.CharField(max_length=200, blank=True)
    label = models.CharField(max_length=300, blank=True)
    unique_id = models.CharField(max_length=128)
    entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.OneToOneField(
        "accounting.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_line",
        help_text="The payment that moved this line from suspense to its party (when matched)",
    )

    class Meta:
        ordering = ["statement_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["journal", "unique_id"], name="statementline_unique_id")
        ]
        indexes = [models.Index(fields=["company", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.reference}"
