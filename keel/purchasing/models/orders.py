"""Purchase orders, their lines, and the vendor bills matched against them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from keel.accounting.fields import MoneyField
from keel.core.models import CompanyScoped, Document
from keel.inventory.fields import QuantityField

from .requests import Requisition, Rfq


class PurchaseSettings(models.Model):
    """Per company: above which total a purchase order needs approval, and how far a
    receipt or a bill may stray from the order before it is refused or held."""

    company = models.OneToOneField(
        "core.Company", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    approval_threshold = MoneyField(
        default=Decimal("10000"), help_text="Orders above this total need approval"
    )
    tolerance_percent = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        default=Decimal("5"),
        help_text="Price and quantity difference allowed, in percent",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "purchase settings"

    def __str__(self) -> str:
        return f"Purchase settings of company {self.company_id}"


class PurchaseOrder(Document):
    """An order to a vendor (PO/00001).

    `origin` is the document it was bought for (a sales order, for products bought on
    order); `ship_to` the customer a drop-ship order is delivered to.

    draft -> to approve (above the approval threshold) -> confirmed (the receipt is
    waiting in inventory) -> received (everything arrived) -> billed (everything
    received is billed) -> done (the bills are paid); cancelled while nothing arrived.
    `receipt_status` and `billing_status` follow the receipts and bills.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        TO_APPROVE = "to_approve", "To approve"
        CONFIRMED = "confirmed", "Confirmed"
        RECEIVED = "received", "Received"
        BILLED = "billed", "Billed"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Progress(models.TextChoices):
        NOTHING = "nothing", "Nothing"
        PARTIAL = "partial", "Partial"
        FULL = "full", "Full"

    TRANSITIONS = {
        Status.DRAFT: {Status.TO_APPROVE, Status.CONFIRMED, Status.CANCELLED},
        Status.TO_APPROVE: {Status.CONFIRMED, Status.DRAFT, Status.CANCELLED},
        Status.CONFIRMED: {Status.RECEIVED, Status.CANCELLED},
        Status.RECEIVED: {Status.BILLED},
        Status.BILLED: {Status.DONE},
    }

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    vendor = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    order_date = models.DateField()
    vendor_ref = models.CharField(max_length=100, blank=True)
    rfq = models.ForeignKey(
        Rfq, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    requisition = models.ForeignKey(
        Requisition, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    origin_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_id = models.CharField(max_length=64, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    ship_to = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Drop-ship: the vendor delivers to this customer",
    )
    amount_total = MoneyField(default=0)
    receipt_status = models.CharField(
        max_length=20, choices=Progress.choices, default=Progress.NOTHING
    )
    billing_status = models.CharField(
        max_length=20, choices=Progress.choices, default=Progress.NOTHING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-order_date", "-id"]
        permissions = [
            ("approve_purchaseorder", "Can approve purchase orders"),
            ("receive_purchaseorder", "Can receive purchase orders"),
            ("cancel_purchaseorder", "Can cancel purchase orders"),
        ]
        indexes = [models.Index(fields=["company", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], condition=~Q(number=""), name="po_unique_number"
            ),
            models.CheckConstraint(condition=Q(amount_total__gte=0), name="po_total_ge_0"),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft purchase order {self.pk}"


class PurchaseOrderLine(models.Model):
    """So much of a product at a unit price, expected on a date; how much of it has
    arrived and how much is billed."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0, help_text="Also the receipt move's")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    quantity = QuantityField()
    unit_price = MoneyField()
    subtotal = MoneyField(default=0)
    lead_days = models.PositiveIntegerField(default=0)
    expected_date = models.DateField()
    quantity_received = QuantityField(default=0)
    quantity_billed = QuantityField(default=0)

    class Meta:
        ordering = ["order_id", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="poline_unique_sequence"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(unit_price__gte=0)
                & Q(quantity_received__gte=0)
                & Q(quantity_billed__gte=0),
                name="poline_quantities_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class BillMatch(CompanyScoped):
    """A vendor bill drawn from a purchase order, and the outcome of matching it with
    what was ordered and received: matched (posted), on hold (with the reason, until
    someone allowed to releases it) or released (posted)."""

    class Status(models.TextChoices):
        MATCHED = "matched", "Matched"
        ON_HOLD = "on_hold", "On hold"
        RELEASED = "released", "Released"

    TRANSITIONS = {Status.ON_HOLD: {Status.RELEASED}}

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="bills")
    bill = models.OneToOneField(
        "accounting.Invoice", on_delete=models.PROTECT, related_name="purchase_match"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    hold_reason = models.TextField(blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "bill matches"
        ordering = ["-created_at", "-id"]
        permissions = [("release_billmatch", "Can release a vendor bill held by the match")]

    def __str__(self) -> str:
        return f"{self.bill} ({self.get_status_display()})"


class BillMatchLine(models.Model):
    """What the bill charges for one order line."""

    match = models.ForeignKey(BillMatch, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="bill_lines"
    )
    quantity = QuantityField()
    unit_price = MoneyField()

    class Meta:
        ordering = ["match_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gte=0), name="billmatchline_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} at {self.unit_price}"
