"""Traceability of a lot or serial number: where it came from, where it went.

Read from the done move lines of the lot (the truth, not the maintained levels):
upstream, the lines that brought it in from outside Keel's stock (a receipt from a
supplier, a production, an inventory gain); inside, the internal moves between
locations (split across bins, say); downstream, the lines that took it out (a
delivery to a customer, a scrap, a consumption). Where it is now comes from the
stock levels of the lot. Two queries whatever the number of moves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..models import Location, Lot, MoveLine, StockLevel


@dataclass(frozen=True)
class Step:
    """One done line of the lot: so much from `source` to `destination` in a transfer."""

    date: dt.date | None
    transfer_id: int
    number: str
    kind: str
    partner_id: int | None
    partner: str
    source: str
    destination: str
    quantity: Decimal


@dataclass
class Trace:
    lot: Lot
    upstream: list[Step] = field(default_factory=list)  # in from suppliers, production ...
    internal: list[Step] = field(default_factory=list)  # between locations Keel counts
    downstream: list[Step] = field(default_factory=list)  # out to customers, losses ...
    on_hand: list[tuple[str, Decimal]] = field(default_factory=list)  # location, quantity


def trace_lot(lot: Lot) -> Trace:
    """Upstream and downstream of `lot`, oldest first."""
    keeping = set(Location.STOCK_KEEPING)
    trace = Trace(lot)
    lines = (
        MoveLine.objects.filter(lot=lot, quantity_done__gt=0)
        .select_related("source", "destination", "move__transfer__partner")
        .order_by("move__transfer__done_date", "move__transfer_id", "id")
    )
    for line in lines:
        transfer = line.move.transfer
        step = Step(
            date=transfer.done_date,
            transfer_id=transfer.pk,
            number=transfer.number,
            kind=transfer.kind,
            partner_id=transfer.partner_id,
            partner=transfer.partner.name if transfer.partner else "",
            source=line.source.full_name,
            destination=line.destination.full_name,
            quantity=line.quantity_done,
        )
        inside = line.source.usage in keeping, line.destination.usage in keeping
        if inside == (False, True):
            trace.upstream.append(step)
        elif inside == (True, False):
            trace.downstream.append(step)
        else:
            trace.internal.append(step)
    trace.on_hand = [
        (level.location.full_name, level.on_hand)
        for level in StockLevel.objects.filter(lot=lot)
        .exclude(on_hand=0)
        .select_related("location")
        .order_by("location__full_name")
    ]
    return trace
