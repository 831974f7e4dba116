"""Available to promise: what a warehouse can still promise of a product on a date.

The rule, per warehouse (its internal and transit locations):

    available(d) = on hand - reserved
                   + incoming of confirmed moves dated up to d
                   - outgoing of confirmed moves dated up to d, less what they reserved

Drafts count for nothing (nobody promised them); a move dated in the past that is
still open counts as due today. A negative figure is shown as it is: demand already
promised by that date exceeds supply by that much (a shortage), never clamped to 0.
An internal move within the warehouse adds and takes the same quantity.

`earliest_date_for` keeps what is already promised: it is the first date from which
the projected available stays at or above the quantity on every later date, so a new
promise never takes stock an earlier-dated promised move needs.

Every figure here costs two queries (levels, open moves), whatever the number of
warehouses, moves or days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from ..models import Location, StockLevel, StockMove

ZERO = Decimal(0)
OPEN = ("waiting", "ready")


def _pk(value) -> int:
    return getattr(value, "pk", value)


@dataclass(frozen=True)
class DatedMove:
    """An open move as one warehouse sees it: + arriving, - leaving (unreserved part)."""

    date: dt.date
    warehouse_id: int
    transfer_id: int
    number: str
    kind: str
    partner: str
    quantity: Decimal  # signed: + incoming, - outgoing (the whole open quantity)
    reserved: Decimal  # of an outgoing move, what is already set aside
    change: Decimal  # what it changes of the available: + incoming, - unreserved outgoing


@dataclass
class Position:
    """One product in one warehouse: on hand and reserved now, the open moves to come."""

    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    moves: list[DatedMove] = field(default_factory=list)

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    def available_on(self, on_date: dt.date) -> Decimal:
        return self.available + sum((m.change for m in self.moves if m.date <= on_date), ZERO)

    def on_hand_on(self, on_date: dt.date) -> Decimal:
        return self.on_hand + sum((m.quantity for m in self.moves if m.date <= on_date), ZERO)


def positions(product, warehouses) -> dict[int, Position]:
    """Position of `product` in each of `warehouses` (instances or ids), in two queries."""
    product_id = _pk(product)
    found = positions_of([product_id], warehouses)
    return {wh: spot for (_, wh), spot in found.items()}


def positions_of(products, warehouses) -> dict[tuple[int, int], Position]:
    """Position of each of `products` in each of `warehouses`, keyed (product id,
    warehouse id), in two queries whatever their number."""
    product_ids = [_pk(p) for p in products]
    wanted = [_pk(w) for w in warehouses]
    found = {(p, wh): Position() for p in product_ids for wh in wanted}
    if not wanted or not product_ids:
        return found
    keeping = list(Location.STOCK_KEEPING)
    levels = (
        StockLevel.objects.filter(
            product_id__in=product_ids,
            location__warehouse_id__in=wanted,
            location__usage__in=keeping,
        )
        .values("product_id", "location__warehouse_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
        .order_by()
    )
    for row in levels:
        spot = found[(row["product_id"], row["location__warehouse_id"])]
        spot.on_hand, spot.reserved = row["on_hand"], row["reserved"]
    moves = (
        StockMove.objects.filter(product_id__in=product_ids, status__in=OPEN)
        .filter(
            Q(source__warehouse_id__in=wanted, source__usage__in=keeping)
            | Q(destination__warehouse_id__in=wanted, destination__usage__in=keeping)
        )
        .values(
            "product_id",
            "date",
            "quantity",
            "quantity_reserved",
            "quantity_done",
            "source__warehouse_id",
            "source__usage",
            "destination__warehouse_id",
            "destination__usage",
            "transfer_id",
            "transfer__number",
            "transfer__kind",
            "transfer__partner__name",
        )
        .order_by("date", "transfer_id", "id")
    )
    for row in moves:
        left = row["quantity"] - row["quantity_done"]
        product_id = row["product_id"]
        common = {
            "date": row["date"],
            "transfer_id": row["transfer_id"],
            "number": row["transfer__number"],
            "kind": row["transfer__kind"],
            "partner": row["transfer__partner__name"] or "",
        }
        source = (product_id, row["source__warehouse_id"])
        if source in found and row["source__usage"] in keeping:
            reserved = row["quantity_reserved"]
            found[source].moves.append(
                DatedMove(
                    warehouse_id=source[1],
                    quantity=-left,
                    reserved=reserved,
                    change=-max(left - reserved, ZERO),
                    **common,
                )
            )
        destination = (product_id, row["destination__warehouse_id"])
        if destination in found and row["destination__usage"] in keeping:
            found[destination].moves.append(
                DatedMove(
                    warehouse_id=destination[1],
                    quantity=left,
                    reserved=ZERO,
                    change=left,
                    **common,
                )
            )
    return found


def available_to_promise(product, warehouse, on_date: dt.date) -> Decimal:
    """What `warehouse` can still promise of `product` on `on_date` (may be negative:
    a shortage)."""
    return positions(product, [warehouse])[_pk(warehouse)].available_on(on_date)


def earliest_date_for(product, warehouse, quantity, *, today: dt.date | None = None):
    """The first date, from `today`, from which `quantity` can be promised and stays
    promisable on every later date; None if that never happens with the moves known."""
    today = today or timezone.localdate()
    quantity = Decimal(str(quantity))
    position = positions(product, [warehouse])[_pk(warehouse)]
    dates = sorted({today} | {m.date for m in position.moves if m.date > today})
    figures = [position.available_on(d) for d in dates]
    earliest = None
    for day, figure in reversed(list(zip(dates, figures, strict=True))):
        if figure < quantity:
            break
        earliest = day
    return earliest


@dataclass(frozen=True)
class Day:
    date: dt.date
    on_hand: Decimal  # physically there at the end of the day, if every move happens
    available: Decimal  # available to promise that day


def series_of(position: Position, start: dt.date, days: int) -> list[Day]:
    """Day by day from `start` for `days` days (start included, `days` + 1 points)."""
    changes: dict[dt.date, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for move in position.moves:
        day = max(move.date, start)
        quantity, change = changes[day]
        changes[day] = (quantity + move.quantity, change + move.change)
    on_hand, available = position.on_hand, position.available
    result = []
    for offset in range(days + 1):
        day = start + dt.timedelta(days=offset)
        quantity, change = changes.get(day, (ZERO, ZERO))
        on_hand, available = on_hand + quantity, available + change
        result.append(Day(day, on_hand, available))
    return result


def projected_on_hand(product, warehouse, days: int, *, start: dt.date | None = None) -> list[Day]:
    """The projected on hand and available of `product` in `warehouse`, day by day from
    `start` (today) for `days` days."""
    start = start or timezone.localdate()
    return series_of(positions(product, [warehouse])[_pk(warehouse)], start, days)
