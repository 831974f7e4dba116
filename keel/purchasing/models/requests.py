"""Asking to buy: purchase requisitions (an employee's need) and requests for
quotation (the same need put to several vendors, their replies, the award)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from keel.accounting.fields import MoneyField
from keel.core.models import Document
from keel.inventory.fields import QuantityField


class Requisition(Document):
    """An employee asks for goods by a date, with a reason (PR/00001).

    draft -> to approve -> approved -> ordered (turned into an RFQ or a PO);
    rejected and cancelled end it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        TO_APPROVE = "to_approve", "To approve"
        APPROVED = "approved", "Approved"
        ORDERED = "ordered", "Ordered"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.DRAFT: {Status.TO_APPROVE, Status.CANCELLED},
        Status.TO_APPROVE: {Status.APPROVED, Status.REJECTED, Status.CANCELLED},
        Status.APPROVED: {Status.ORDERED, Status.CANCELLED},
    }

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    need_by = models.DateField()
    reason = models.CharField(max_length=500)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("approve_requisition", "Can approve or reject purchase requisitions")]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"],
                condition=~Q(number=""),
                name="requisition_unique_number",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"Draft requisition {self.pk}"


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()

    class Meta:
        ordering = ["requisition_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="requisitionline_quantity_gt_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class Rfq(Document):
    """A request for quotation put to several vendors (RFQ/00001).

    draft -> sent -> awarded (one vendor's reply became a purchase order); a draft or
    sent RFQ may be cancelled.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        AWARDED = "awarded", "Awarded"
        CANCELLED = "cancelled", "Cancelled"

    class Origin(models.TextChoices):
        MANUAL = "manual", "Manual"
        REQUISITION = "requisition", "Requisition"
        REPLENISHMENT = "replenishment", "Replenishment"

    TRANSITIONS = {
        Status.DRAFT: {Status.SENT, Status.CANCELLED},
        Status.SENT: {Status.AWARDED, Status.CANCELLED},
    }

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    requisition = models.ForeignKey(
        Requisition, null=True, blank=True, on_delete=models.PROTECT, related_name="rfqs"
    )
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    need_by = models.DateField(null=True, blank=True)
    awarded_vendor = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "request for quotation"
        verbose_name_plural = "requests for quotation"
        ordering = ["-created_at", "-id"]
        permissions = [("award_rfq", "Can award a request for quotation")]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], condition=~Q(number=""), name="rfq_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.number or f"Draft RFQ {self.pk}"


class RfqLine(models.Model):
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()

    class Meta:
        ordering = ["rfq_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="rfqline_quantity_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class RfqVendor(models.Model):
    """A vendor the RFQ is put to, and when it replied."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="vendors")
    vendor = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    emailed_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["rfq_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "vendor"], name="rfqvendor_unique_vendor")
        ]

    def __str__(self) -> str:
        return f"{self.rfq_id}: {self.vendor_id}"


class RfqQuote(models.Model):
    """A vendor's reply for one line: its unit price and lead time."""

    invitation = models.ForeignKey(RfqVendor, on_delete=models.CASCADE, related_name="quotes")
    line = models.ForeignKey(RfqLine, on_delete=models.CASCADE, related_name="quotes")
    unit_price = MoneyField()
    lead_days = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["invitation_id", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "line"], name="rfqquote_unique_line"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="rfqquote_price_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_price} in {self.lead_days} days"
