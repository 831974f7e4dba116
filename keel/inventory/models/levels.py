"""Maintained stock levels: one lock row per product x location x lot."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from keel.core.models import Company

from ..fields import QuantityField
from .locations import Location, Lot

NO_LOT = 0  # `lot_key` of a level without a lot: unique works alike on SQLite and PostgreSQL


class StockLevel(models.Model):
    """What is on hand, reserved, expected in and promised out of one location for
    one product (and lot). Services change it only after locking the row
    (`services.levels.lock_levels`); the database refuses reserving more than is
    on hand, or going below zero, where the location does not allow negative stock.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="levels")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lot_key = models.BigIntegerField(
        default=NO_LOT, editable=False, help_text="The lot's id, 0 without a lot"
    )
    on_hand = QuantityField(default=0)
    reserved = QuantityField(default=0)
    incoming = QuantityField(default=0)
    outgoing = QuantityField(default=0)
    allow_negative = models.BooleanField(
        default=False, editable=False, help_text="Copied from the location for the check"
    )

    class Meta:
        ordering = ["product_id", "location_id", "lot_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "location", "lot_key"], name="stocklevel_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(lot__isnull=True, lot_key=NO_LOT) | Q(lot_key=F("lot")),
                name="stocklevel_lot_key_matches",
            ),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stocklevel_reserved_ge_0"),
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(reserved__lte=F("on_hand")),
                name="stocklevel_reserved_le_on_hand",
            ),
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(on_hand__gte=0),
                name="stocklevel_on_hand_ge_0",
            ),
            models.CheckConstraint(
                condition=Q(incoming__gte=0) & Q(outgoing__gte=0),
                name="stocklevel_forecast_ge_0",
            ),
        ]
        indexes = [models.Index(fields=["location", "product"])]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}/{self.lot_key}: {self.on_hand}"

    @property
    def available(self):
        return self.on_hand - self.reserved
