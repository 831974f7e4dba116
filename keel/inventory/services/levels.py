"""Stock levels: lock rows that always exist, in one fixed order.

Locking the rows you read protects nothing when the row you are about to
change does not exist yet, so `lock_levels` first inserts every missing row
(INSERT ... ON CONFLICT DO NOTHING; two creators race safely) and then locks
them all with SELECT ... FOR UPDATE ordered by (product, location, lot):
every writer takes its locks in the same order, so they queue instead of
deadlocking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q

from ..errors import InsufficientStock, NegativeStock
from ..models import Location, StockLevel
from ..models.levels import NO_LOT

ZERO = Decimal(0)
COUNTERS = ["on_hand", "reserved", "incoming", "outgoing"]


class Key(NamedTuple):
    """product x location x lot (0 without a lot); sorts in the locking order."""

    product_id: int
    location_id: int
    lot_key: int = NO_LOT


def key_of(product_id: int, location_id: int, lot_id: int | None = None) -> Key:
    return Key(product_id, location_id, lot_id or NO_LOT)


def lock_levels(company_id: int, keys) -> dict[Key, StockLevel]:
    """The stock levels of `keys`, created if missing, locked in the fixed order.

    Must run inside the service's transaction: the locks hold until it ends.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_levels() must be called inside the service's transaction.")
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    allow = dict(
        Location.objects.filter(pk__in={k.location_id for k in wanted}).values_list(
            "pk", "allow_negative"
        )
    )
    StockLevel.objects.bulk_create(
        [
            StockLevel(
                company_id=company_id,
                product_id=k.product_id,
                location_id=k.location_id,
                lot_id=k.lot_key or None,
                lot_key=k.lot_key,
                allow_negative=allow[k.location_id],
            )
            for k in wanted
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    locked: dict[Key, StockLevel] = {}
    for start in range(0, len(wanted), 200):
        chunk = wanted[start : start + 200]
        match = Q()
        for k in chunk:
            match |= Q(product_id=k.product_id, location_id=k.location_id, lot_key=k.lot_key)
        rows = (
            StockLevel.objects.select_for_update()
            .filter(match)
            .order_by("product_id", "location_id", "lot_key")
        )
        for row in rows:
            locked[Key(row.product_id, row.location_id, row.lot_key)] = row
    return locked


class Ledger:
    """The locked levels of one service call and the changes made to them, written back
    in one statement by `save()` after the guards have run."""

    def __init__(self, company_id: int, keys):
        self.levels = lock_levels(company_id, keys)
        self.changed: dict[Key, StockLevel] = {}

    def level(self, key: Key) -> StockLevel:
        return self.levels[key]

    def add(self, key: Key, **deltas: Decimal) -> StockLevel:
        level = self.levels[key]
        for field, delta in deltas.items():
            setattr(level, field, getattr(level, field) + delta)
        self.changed[key] = level
        return level

    def reserve(self, key: Key, quantity: Decimal, *, label: str) -> None:
        level = self.levels[key]
        if not level.allow_negative and level.on_hand - level.reserved < quantity:
            raise InsufficientStock(
                f"Only {level.on_hand - level.reserved} of {label} available, "
                f"{quantity} asked for.",
                field="quantity",
            )
        self.add(key, reserved=quantity)

    def take(self, key: Key, quantity: Decimal, *, reserved: Decimal, label: str) -> None:
        """`quantity` leaves the level, `reserved` of it from its reservation."""
        level = self.add(key, on_hand=-quantity, reserved=-reserved)
        if not level.allow_negative and level.on_hand < 0:
            raise NegativeStock(
                f"Moving {quantity} of {label} would leave {level.on_hand} in a location "
                "that does not allow negative stock.",
                field="quantity",
            )
        if level.reserved < 0:
            raise InsufficientStock(f"The reservation of {label} is smaller than moved.")

    def save(self) -> None:
        if self.changed:
            StockLevel.objects.bulk_update(list(self.changed.values()), COUNTERS, batch_size=500)
            self.changed = {}
