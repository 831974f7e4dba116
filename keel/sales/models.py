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
    """Per company: above which line discount and below which margin a quotation needs
    a manager's approval; after how many days overdue invoices hold a customer's new
    orders; whether an order whose stock cannot be set aside now is refused; whether
    "invoice all delivered" groups a customer's orders on one invoice."""

    company = models.OneToOneField(
        "core.Company", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    discount_threshold = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        default=Decimal("20"),
        help_text="A line discount above this percentage needs approval",
    )
    minimum_margin = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="A quotation whose margin is below this percentage needs approval "
        "(empty: no margin check)",
    )
    overdue_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Hold the orders of a customer with invoices overdue more than this many "
        "days (empty: overdue invoices do not hold orders)",
    )
    refuse_unreservable = models.BooleanField(
        default=True,
        help_text="Refuse to confirm an order when stock promised for today cannot be "
        "set aside in full now (off: confirm and wait for stock)",
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

    draft -> to approve (a discount above the threshold, a margin below the minimum)
    -> draft (approved) -> sent
    -> confirmed (it became an order, also when the customer accepted it online) or
    declined (the customer said no online, with a reason); draft or sent may be
    cancelled. Revising a sent or declined quotation makes the next revision (SQ/00001
    rev 2, same number, a draft) and keeps this one, read-only, as *revised*: its
    acceptance link stops working.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        TO_APPROVE = "to_approve", "To approve"
        SENT = "sent", "Sent"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        DECLINED = "declined", "Declined"
        REVISED = "revised", "Replaced by a revision"

    TRANSITIONS = {
        Status.DRAFT: {Status.TO_APPROVE, Status.SENT, Status.CONFIRMED, Status.CANCELLED},
        Status.TO_APPROVE: {Status.DRAFT, Status.CANCELLED},
        Status.SENT: {
            Status.CONFIRMED,
            Status.DRAFT,
            Status.CANCELLED,
            Status.DECLINED,
            Status.REVISED,
        },
        Status.DECLINED: {Status.REVISED},
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
    revision = models.PositiveIntegerField(default=1)
    revision_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_revision",
        help_text="The revision this one replaced",
    )
    emailed_to = models.CharField(max_length=254, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # What the customer decided on the public page, and from where.
    accepted_name = models.CharField(max_length=200, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    decided_ip = models.GenericIPAddressField("decided from IP address", null=True, blank=True)
    margin_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-quote_date", "-id"]
        indexes = [models.Index(fields=["company", "status"]), models.Index(fields=["owner"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number", "revision"],
                condition=~Q(number=""),
                name="sq_unique_number_revision",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("quote_date")), name="sq_valid_after_date"
            ),
        ]

    def __str__(self) -> str:
        if not self.number:
            return f"Draft quotation {self.pk}"
        return self.number if self.revision == 1 else f"{self.number} rev {self.revision}"


# How the quotation went out and what the customer decided on the public page.
OUTREACH_FIELDS = (
    "revision",
    "emailed_to",
    "emailed_at",
    "accepted_name",
    "accepted_at",
    "declined_at",
    "decline_reason",
    "decided_ip",
)


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
    quantity_returned = QuantityField(default=0, help_text="Came back on credited returns")
    purchase_line = models.ForeignKey(
        "purchasing.PurchaseOrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Bought on order or drop-shipped: the purchase order line that buys it",
    )

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
    down_payment = MoneyField(
        default=0,
        help_text="Untaxed down payment this invoice asks for (positive) or deducts (negative)",
    )

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "invoice"], name="soinv_unique_link"),
        ]

    def __str__(self) -> str:
        return f"{self.order} -> {self.invoice}"


class InvoicedQuantity(models.Model):
    """How much of an order line one invoice billed: what the line counts as not
    invoiced again when that invoice is cancelled."""

    order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.CASCADE, related_name="invoiced_quantities"
    )
    invoice = models.ForeignKey("accounting.Invoice", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order_line", "invoice"], name="soinvqty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.order_line_id} on {self.invoice_id}"


class ReturnAuthorisation(Document):
    """A customer may send back delivered goods (RMA/00001).

    draft -> approved (the incoming return transfer waits in the warehouse) ->
    received (what came back is recorded) -> credited (a posted credit note for it,
    applied to the order's open invoice, else kept as credit or refunded); a draft or
    approved return may be cancelled.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        RECEIVED = "received", "Received"
        CREDITED = "credited", "Credited"
        CANCELLED = "cancelled", "Cancelled"

    class Settlement(models.TextChoices):
        CREDIT = "credit", "Keep as customer credit"
        REFUND = "refund", "Refund the customer"

    TRANSITIONS = {
        Status.DRAFT: {Status.APPROVED, Status.CANCELLED},
        Status.APPROVED: {Status.RECEIVED, Status.CANCELLED},
        Status.RECEIVED: {Status.CREDITED},
    }

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="returns")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_date = models.DateField()
    reason = models.CharField(max_length=300)
    settlement = models.CharField(
        max_length=20,
        choices=Settlement.choices,
        default=Settlement.CREDIT,
        help_text="What happens to a credit that no open invoice of the order takes",
    )
    credit_note = models.OneToOneField(
        "accounting.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales_return",
    )
    refund = models.OneToOneField(
        "accounting.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales_return",
    )
    amount_credited = MoneyField(default=0)
    amount_applied = MoneyField(default=0, help_text="Of the credit, settled against invoices")
    amount_refunded = MoneyField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-return_date", "-id"]
        permissions = [
            ("approve_returnauthorisation", "Can approve a customer return"),
            ("credit_returnauthorisation", "Can credit a received customer return"),
        ]
        indexes = [models.Index(fields=["company", "status"]), models.Index(fields=["owner"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], condition=~Q(number=""), name="rma_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft return {self.pk}"


class ReturnLine(models.Model):
    """So much of a delivered order line the customer may send back, and how much came."""

    rma = models.ForeignKey(ReturnAuthorisation, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()
    quantity_received = QuantityField(default=0)

    class Meta:
        ordering = ["rma_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rma", "order_line"], name="rmaline_unique_line"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(quantity_received__gte=0)
                & Q(quantity_received__lte=models.F("quantity")),
                name="rmaline_quantities_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"
