"""Payment terms, currency rates, and the documents that bill: customer invoices,
vendor bills and credit notes for either, with their lines."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped, Document

from ..fields import MoneyField
from .chart import Journal
from .ledger import JournalEntry
from .taxes import Tax


class PaymentTerm(CompanyScoped):
    """When an invoice is due: one or more instalments (e.g. 30% now, 70% at 30 days
    end of month). The last instalment takes the balance, so rounding never leaks."""

    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="paymentterm_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PaymentTermLine(models.Model):
    """One instalment: a percentage of the total (the last line takes the balance),
    due `days` after the invoice date, moved to the month's end if `end_of_month`."""

    term = models.ForeignKey(PaymentTerm, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveSmallIntegerField(default=10)
    percent = models.DecimalField(
        max_digits=7, decimal_places=4, help_text="Share of the total; the last line takes the rest"
    )
    days = models.PositiveIntegerField(default=0)
    end_of_month = models.BooleanField(
        default=False, help_text="Due on the last day of the month reached after `days`"
    )

    class Meta:
        ordering = ["term_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gt=Decimal(0)) & models.Q(percent__lte=Decimal(100)),
                name="termline_percent_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.percent}% at {self.days} days" + (
            " end of month" if self.end_of_month else ""
        )


class CurrencyRate(CompanyScoped):
    """What one unit of `currency` is worth in the company's currency from `date` on."""

    currency = models.CharField(max_length=3)
    date = models.DateField()
    rate = models.DecimalField(
        max_digits=20, decimal_places=10, help_text="Company currency per 1 unit of `currency`"
    )

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "currency", "date"], name="currencyrate_unique_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=Decimal(0)), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.date}: {self.rate}"


class InvoicingSettings(models.Model):
    """Per company: the largest difference a payment may write off (0 = none)."""

    company = models.OneToOneField(
        "core.Company", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    write_off_tolerance = MoneyField(
        default=0, help_text="Differences up to this amount may be written off on payment"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "invoicing settings"

    def __str__(self) -> str:
        return f"Invoicing settings of company {self.company_id}"


class Invoice(Document):
    """A customer invoice, a vendor bill, or a credit note of either.

    Drafts are edited freely (with a version check); posting numbers it in its
    journal and posts its entry; a posted document is cancelled by a reversal.
    `payment_status` is derived from its open items by the reconciliation service.
    """

    class Kind(models.TextChoices):
        CUSTOMER_INVOICE = "out_invoice", "Customer invoice"
        CUSTOMER_CREDIT_NOTE = "out_refund", "Customer credit note"
        VENDOR_BILL = "in_invoice", "Vendor bill"
        VENDOR_CREDIT_NOTE = "in_refund", "Vendor credit note"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        POSTED = "posted", "Posted"
        CANCELLED = "cancelled", "Cancelled"

    class PaymentStatus(models.TextChoices):
        NOT_PAID = "not_paid", "Not paid"
        PARTIAL = "partial", "Partially paid"
        PAID = "paid", "Paid"

    TRANSITIONS = {
        Status.DRAFT: {Status.POSTED},
        Status.POSTED: {Status.CANCELLED},
    }

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOMER_INVOICE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.NOT_PAID
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(help_text="Invoice date: the entry's date and the terms' start")
    due_date = models.DateField(null=True, blank=True, help_text="Due date of the last instalment")
    payment_term = models.ForeignKey(
        PaymentTerm, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    journal = models.ForeignKey(
        Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(max_length=3, blank=True, help_text="Blank: the company's")
    rate = models.DecimalField(
        max_digits=20, decimal_places=10, default=Decimal(1), help_text="Fixed at posting"
    )
    ref = models.CharField(max_length=200, blank=True, help_text="Vendor's or customer's reference")
    notes = models.TextField(blank=True)
    reversed_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        help_text="On a credit note: the document it credits",
    )
    amount_untaxed = MoneyField(default=0)
    amount_tax = MoneyField(default=0)
    amount_total = MoneyField(default=0)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        permissions = [
            ("post_invoice", "Can post an invoice or bill"),
            ("cancel_invoice", "Can cancel a posted invoice or bill"),
            ("send_invoice", "Can e-mail an invoice"),
            ("view_customer_invoices", "Can view customer invoices and credit notes"),
            ("view_vendor_bills", "Can view vendor bills and credit notes"),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "status"]),
            models.Index(fields=["company", "party"]),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.get_kind_display().lower()} #{self.pk}"

    @property
    def is_customer(self) -> bool:
        return self.kind in (self.Kind.CUSTOMER_INVOICE, self.Kind.CUSTOMER_CREDIT_NOTE)

    @property
    def is_credit_note(self) -> bool:
        return self.kind in (self.Kind.CUSTOMER_CREDIT_NOTE, self.Kind.VENDOR_CREDIT_NOTE)

    @property
    def partner_sign(self) -> int:
        """+1 when the receivable/payable line is a debit (invoice, vendor credit note)."""
        return 1 if self.kind in (self.Kind.CUSTOMER_INVOICE, self.Kind.VENDOR_CREDIT_NOTE) else -1


class InvoiceLine(models.Model):
    """A line: what (product optional), how many, at what price and discount, which taxes."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveSmallIntegerField(default=10)
    product = models.ForeignKey(
        "products.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(1))
    unit_price = MoneyField(default=0)
    discount = models.DecimalField(
        max_digits=7, decimal_places=4, default=Decimal(0), help_text="Percent off"
    )
    taxes = models.ManyToManyField(Tax, blank=True, related_name="+")
    account = models.ForeignKey(
        "accounting.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Blank: the revenue (sales) or expense (purchases) role's account",
    )
    amount_untaxed = MoneyField(default=0, help_text="Base after included taxes, rounded")
    amount_total = MoneyField(default=0)

    class Meta:
        ordering = ["invoice_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discount__gte=Decimal(0)) & models.Q(discount__lte=Decimal(100)),
                name="invoiceline_discount_0_100",
            )
        ]

    def __str__(self) -> str:
        return self.description
