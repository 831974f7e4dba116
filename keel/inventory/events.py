"""Facts the inventory domain announces."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from keel.core.events import Event


@dataclasses.dataclass(frozen=True)
class TransferConfirmed(Event):
    topic: ClassVar[str] = "inventory.transfer.confirmed"
    transfer_id: int
    number: str
    kind: str


@dataclasses.dataclass(frozen=True)
class TransferDone(Event):
    """Stock arrived or left; `backorder_id` holds what is still to come."""

    topic: ClassVar[str] = "inventory.transfer.done"
    transfer_id: int
    number: str
    kind: str
    origin_type: str
    origin_id: str
    backorder_id: int | None


@dataclasses.dataclass(frozen=True)
class TransferCancelled(Event):
    topic: ClassVar[str] = "inventory.transfer.cancelled"
    transfer_id: int
    number: str
    kind: str


@dataclasses.dataclass(frozen=True)
class InventoryCounted(Event):
    """A count was validated; `adjustment_id` is the transfer of its differences."""

    topic: ClassVar[str] = "inventory.count.done"
    count_id: int
    location_id: int
    adjustment_id: int | None


@dataclasses.dataclass(frozen=True)
class LandedCostAdded(Event):
    topic: ClassVar[str] = "inventory.landed_cost.added"
    landed_cost_id: int
    receipt_id: int
    amount: str
