"""Quotations and their lines, sales orders and their lines, and the customer
invoices drawn from an order."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from keel.accounting.fields import MoneyField
from keel.core.models import CompanyScoped, Document
from keel.inventory.fields import QuantityField


class InvoicingPolicy(models.TextChoices):
    ORDERED = "ordered", "On ordered quantities"
    DELIVERED = "delivered", "On delivered quantities"


class InvoiceGrouping(models.TextChoices):
    PER_CUSTOMER = "per_customer", "One invoice per customer"
    PER_ORDER = "per_order", "One invoice per order"


class SalesSettings(models.Model):
    """Per company: above which line discount a quotation needs a manager's approval,
    and whether "invoice all delivered" groups a customer's orders on one invoice."""

    company = models.OneToOneField(
        "core.Company", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    discount_threshold = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        default=Decimal("20"),
        help_text="A line discount above this percentage needs approval",
    )
    invoice_grouping = models.CharField(
        max_length=20,
        choices=InvoiceGrouping.choices,
        default=InvoiceGrouping.PER_CUSTOMER,
        help_text='How "invoice all delivered" bills: one invoice per customer or per order',
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "sales settings"

    def __str__(self) -> str:
        return f"Sales settings of company {self.company_id}"


class Quotation(Document):
    """An offer to a customer (SQ/00001): priced lines with their stock and promise
    dates, valid until a date.

    draft -> to approve (a discount above the threshold) -> draft (approved) -> sent
    -> confirmed (it became an order); draft or sent may be cancelled.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        TO_APPROVE = "to_approve", "To approve"
        SENT = "sent", "Sent"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.DRAFT: {Status.TO_APPROVE, Status.SENT, Status.CONFIRMED, Status.CANCELLED},
        Status.TO_APPROVE: {Status.DRAFT, Status.CANCELLED},
        Status.SENT: {Status.CONFIRMED, Status.DRAFT, Status.CANCELLED},
    }

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opportunity = models.ForeignKey(
        "crm.Opportunity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotations",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    quote_date = models.DateField()
    valid_until = models.DateField()
    invoicing_policy = models.CharField(
        max_length=20, choices=InvoicingPolicy.choices, default=InvoicingPolicy.ORDERED
    )
    amount_untaxed = MoneyField(default=0)
    amount_tax = MoneyField(default=0)
    amount_total = MoneyField(default=0)
    discount_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-quote_date", "-id"]
        indexes = [models.Index(fields=["company", "status"]), models.Index(fields=["owner"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], condition=~Q(number=""), name="sq_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("quote_date")), name="sq_valid_after_date"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft quotation {self.pk}"


class QuotationLine(models.Model):
    """So much of a product at the price the price list gave (and which rule gave
    it), less a discount; what the warehouse can promise and from which date."""

    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    quantity = QuantityField()
    list_price = MoneyField(default=0)
    unit_price = MoneyField()
    price_rule = models.ForeignKey(
        "products.PriceListRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    price_explanation = models.CharField(max_length=400, blank=True)
    discount = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    taxes = models.ManyToManyField("accounting.Tax", blank=True, related_name="+")
    subtotal = MoneyField(default=0)
    atp_quantity = QuantityField(default=0, help_text="Available to promise on the quote date")
    promise_date = models.DateField(
        null=True, blank=True, help_text="Earliest date the whole quantity can be promised"
    )

    class Meta:
        ordering = ["quotation_id", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quotation", "sequence"], name="sqline_unique_seq"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(unit_price__gte=0)
                & Q(discount__gte=0)
                & Q(discount__lte=100),
                name="sqline_values_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class Progress(models.TextChoices):
    NOTHING = "nothing", "Nothing"
    PARTIAL = "partial", "Partial"
    FULL = "full", "Full"


class SalesOrder(Document):
    """A confirmed sale (SO/00001).

    on credit hold (the credit check refused it, with the reason) -> confirmed (the
    delivery is reserved in inventory) -> done (delivered, invoiced and paid);
    `delivery_status`, `invoice_status` and `payment_status` follow the deliveries,
    invoices and payments.
    """

    class Status(models.TextChoices):
        ON_HOLD = "on_hold", "On credit hold"
        CONFIRMED = "confirmed", "Confirmed"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class PaymentStatus(models.TextChoices):
        NOT_PAID = "not_paid", "Not paid"
        PARTIAL = "partial", "Partially paid"
        PAID = "paid", "Paid"

    TRANSITIONS = {
        Status.ON_HOLD: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.DONE, Status.CANCELLED},
    }

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    quotation = models.OneToOneField(
        Quotation, null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    order_date = models.DateField()
    invoicing_policy = models.CharField(max_length=20, choices=InvoicingPolicy.choices)
    amount_untaxed = MoneyField(default=0)
    amount_tax = MoneyField(default=0)
    amount_total = MoneyField(default=0)
    delivery_status = models.CharField(
        max_length=20, choices=Progress.choices, default=Progress.NOTHING
    )
    invoice_status = models.CharField(
        max_length=20, choices=Progress.choices, default=Progress.NOTHING
    )
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.NOT_PAID
    )
    hold_reason = models.CharField(max_length=300, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-order_date", "-id"]
        permissions = [
            ("release_salesorder", "Can release a sales order from credit hold"),
            ("deliver_salesorder", "Can deliver sales orders"),
            ("invoice_salesorder", "Can invoice sales orders"),
            ("view_all_sales", "Can see every rep's quotations and orders"),
        ]
        indexes = [models.Index(fields=["company", "status"]), models.Index(fields=["owner"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], condition=~Q(number=""), name="so_unique_number"
            ),
            models.CheckConstraint(condition=Q(amount_total__gte=0), name="so_total_ge_0"),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft sales order {self.pk}"


class SalesOrderLine(models.Model):
    """What was sold of one product, and how much of it left and was invoiced."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    quantity = QuantityField()
    unit_price = MoneyField()
    discount = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    taxes = models.ManyToManyField("accounting.Tax", blank=True, related_name="+")
    subtotal = MoneyField(default=0)
    quantity_delivered = QuantityField(default=0)
    quantity_invoiced = QuantityField(default=0)

    class Meta:
        ordering = ["order_id", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="soline_unique_seq"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(unit_price__gte=0)
                & Q(quantity_delivered__gte=0)
                & Q(quantity_invoiced__gte=0),
                name="soline_quantities_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class OrderInvoice(CompanyScoped):
    """A customer invoice drawn from a sales order; an invoice grouping a customer's
    orders has one link per order."""

    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="invoices")
    invoice = models.ForeignKey(
        "accounting.Invoice",
        on_delete=models.PROTECT,
        related_name="sales_order_links",
        related_query_name="sales_order_link",
    )

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "invoice"], name="soinv_unique_link"),
        ]

    def __str__(self) -> str:
        return f"{self.order} -> {self.invoice}"
