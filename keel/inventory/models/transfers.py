"""Transfers of stock (receipts, deliveries, internal moves), their moves and the
detailed lines that say which lot goes from which location."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from keel.accounting.fields import MoneyField
from keel.core.models import Document

from ..fields import QuantityField
from .locations import Location, Lot, Warehouse


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    WAITING = "waiting", "Waiting"
    READY = "ready", "Ready"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Transfer(Document):
    """Goods going from one location to another as one document (WH/IN/00001).

    draft -> waiting (confirmed, counted as incoming/outgoing) -> ready (all
    reserved) -> done; anything not done may be cancelled. Validating less than
    asked leaves the rest on a backorder.
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        DELIVERY = "delivery", "Delivery"
        INTERNAL = "internal", "Internal transfer"

    Status = Status
    TRANSITIONS = {
        Status.DRAFT: {Status.WAITING, Status.CANCELLED},
        Status.WAITING: {Status.READY, Status.DONE, Status.CANCELLED},
        Status.READY: {Status.WAITING, Status.DONE, Status.CANCELLED},
    }
    PREFIXES = {Kind.RECEIPT: "IN", Kind.DELIVERY: "OUT", Kind.INTERNAL: "INT"}

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="transfers")
    partner = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_date = models.DateField()
    done_date = models.DateField(null=True, blank=True)
    source = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    backorder_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="backorders"
    )
    origin_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_id = models.CharField(max_length=64, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"],
                condition=~Q(number=""),
                name="transfer_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["receipt", "delivery", "internal"]),
                name="transfer_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(source=F("destination")), name="transfer_source_ne_destination"
            ),
        ]
        indexes = [models.Index(fields=["company", "status", "scheduled_date"])]
        permissions = [
            ("validate_transfer", "Can validate transfers (stock leaves or arrives)"),
            ("cancel_transfer", "Can cancel transfers"),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft transfer {self.pk}"


class StockMove(models.Model):
    """So much of one product to go from `source` to `destination` within a transfer."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="moves")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(help_text="Asked for, in the product's unit")
    quantity_reserved = QuantityField(default=0, editable=False)
    quantity_done = QuantityField(default=0, editable=False)
    source = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    date = models.DateField(help_text="Scheduled, then the day it was done")
    unit_cost = MoneyField(
        null=True,
        blank=True,
        help_text="What one unit costs on a receipt; the product's cost price if empty",
    )
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["transfer_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stockmove_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_reserved__gte=0)
                & Q(quantity_reserved__lte=F("quantity"))
                & Q(quantity_done__gte=0),
                name="stockmove_quantities_in_range",
            ),
        ]
        indexes = [models.Index(fields=["product", "status"])]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}: {self.source_id} -> {self.destination_id}"

    @property
    def missing(self) -> Decimal:
        return self.quantity - self.quantity_reserved


class MoveLine(models.Model):
    """The detail of a move: this lot, from this exact location to that one.

    `quantity` is what is reserved (or planned) on the line, `quantity_done`
    what was moved when the transfer was validated.
    """

    move = models.ForeignKey(StockMove, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(default=0)
    quantity_done = QuantityField(default=0)
    source = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["move_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(quantity_done__gte=0),
                name="moveline_quantities_ge_0",
            )
        ]
        indexes = [models.Index(fields=["product", "lot"])]

    def __str__(self) -> str:
        return f"{self.quantity_done or self.quantity} of {self.product_id} ({self.lot_id or '-'})"
