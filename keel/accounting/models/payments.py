"""Payments, the open items of receivable and payable accounts (one per posted line,
one per instalment on invoices) and the reconciliations that settle them."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import Company, Document

from ..fields import MoneyField
from .chart import Account, Journal
from .invoices import Invoice
from .ledger import JournalEntry, JournalLine


class Payment(Document):
    """Money received from a customer (inbound) or paid to a vendor (outbound),
    posted at once in a bank or cash journal; `write_off` is the difference booked
    to the write-off role when it settled its documents."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Incoming"
        OUTBOUND = "outbound", "Outgoing"

    direction = models.CharField(max_length=10, choices=Direction.choices)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    amount = MoneyField(help_text="In `currency`, positive")
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    write_off = MoneyField(default=0, help_text="Difference written off, in `currency`")
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+")
    memo = models.CharField(max_length=200, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["company", "party"])]

    def __str__(self) -> str:
        return self.number


class OpenItem(models.Model):
    """One posted line on a receivable or payable account, with what is left to settle.

    `amount`/`residual` are signed company-currency amounts (positive = debit),
    `amount_currency`/`residual_currency` the same in the line's currency.
    Σ residual per party equals the party's balance on the account, because every
    reconciliation takes the same amount off a debit item and a credit item.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    line = models.OneToOneField(JournalLine, on_delete=models.PROTECT, related_name="open_item")
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="open_items"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="open_items"
    )
    date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3)
    amount = MoneyField()
    amount_currency = MoneyField()
    residual = MoneyField()
    residual_currency = MoneyField()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["company", "account", "party"]),
            models.Index(
                fields=["party", "due_date"],
                condition=~models.Q(residual=0),
                name="openitem_open_by_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.line_id} due {self.due_date}: {self.residual}"


class Reconciliation(models.Model):
    """`amount` (company currency) and `amount_currency` settled between a debit item
    and a credit item; `exchange_entry` books the exchange difference it left."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    debit_item = models.ForeignKey(OpenItem, on_delete=models.PROTECT, related_name="+")
    credit_item = models.ForeignKey(OpenItem, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()
    amount_currency = MoneyField()
    date = models.DateField()
    exchange_entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="recon_amount_ge_0")
        ]

    def __str__(self) -> str:
        return f"{self.debit_item_id} ↔ {self.credit_item_id}: {self.amount}"
