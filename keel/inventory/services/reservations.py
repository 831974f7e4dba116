"""Reservations: set stock aside for outgoing moves, by removal strategy.

Lot-tracked products go first-expiry-first-out (FEFO: the earliest expiry date,
lots without one last), then first-in-first-out by the lot's receipt; others
are taken location by location. What can be reserved is; the rest waits for
stock to arrive (`reserve_waiting` runs when a receipt is validated).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from keel.core.bulk_insert import insert_values, update_rows
from keel.core.rows import load
from keel.core.workflow import transition

from ..models import Location, Lot, MoveLine, StockLevel, StockMove, Transfer
from .common import ZERO, label, needs_reservation
from .levels import Key, Ledger

FAR_FUTURE = dt.date.max
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _candidates(moves: list[StockMove]) -> list[StockLevel]:
    """Levels with stock available in each move's source location or below it: one
    query per source location (and 2,000 products), never one per move."""
    by_source: dict[str, set[int]] = defaultdict(set)
    for move in moves:
        by_source[move.source.path].add(move.product_id)
    found: dict[int, StockLevel] = {}
    for path, product_ids in by_source.items():
        ids = sorted(product_ids)
        for start in range(0, len(ids), 2000):
            for level in load(
                StockLevel.objects.filter(
                    product_id__in=ids[start : start + 2000],
                    location__path__startswith=path,
                    on_hand__gt=F("reserved"),
                    location__active=True,
                )
            ):
                found[level.pk] = level
    # Their few locations and lots from one query each, not joined into every row.
    places = Location.objects.in_bulk({c.location_id for c in found.values()})
    lots = Lot.objects.in_bulk({c.lot_id for c in found.values() if c.lot_id})
    location_cache = StockLevel.location.field.cache_name
    lot_cache = StockLevel.lot.field.cache_name
    for level in found.values():
        level._state.fields_cache[location_cache] = places[level.location_id]
        level._state.fields_cache[lot_cache] = lots.get(level.lot_id)
    return sorted(found.values(), key=lambda c: (c.product_id, c.location_id, c.lot_key))


def _strategy(level: StockLevel) -> tuple:
    lot = level.lot
    if lot is None:
        return (FAR_FUTURE, EPOCH, level.location.path, 0)
    return (lot.expiry_date or FAR_FUTURE, lot.received_at, level.location.path, lot.pk)


def reserve_moves(company_id: int, moves: list[StockMove]) -> Decimal:
    """Reserve what is available for `moves` (locked by the caller through their
    transfer); returns the quantity reserved."""
    moves = [m for m in moves if needs_reservation(m) and m.missing > 0]
    if not moves:
        return ZERO
    candidates = _candidates(moves)
    if not candidates:
        return ZERO
    ledger = Ledger(company_id, [Key(c.product_id, c.location_id, c.lot_key) for c in candidates])
    existing = {
        (line.move_id, line.lot_id, line.source_id): line
        for line in load(
            MoveLine.objects.filter(move_id__in=[m.pk for m in moves], quantity_done=0)
        )
    }
    new_lines: dict[tuple, dict] = {}  # {attname: value}: inserted without instances
    total = ZERO
    of_product: dict[int, list[StockLevel]] = defaultdict(list)
    for candidate in candidates:
        of_product[candidate.product_id].append(candidate)
    for move in moves:
        mine = [
            c for c in of_product[move.product_id] if c.location.path.startswith(move.source.path)
        ]
        for candidate in sorted(mine, key=_strategy):
            if move.missing <= 0:
                break
            key = Key(candidate.product_id, candidate.location_id, candidate.lot_key)
            level = ledger.level(key)  # the locked row: its figures are current
            take = min(move.missing, level.on_hand - level.reserved)
            if take <= 0:
                continue
            ledger.reserve(key, take, label=label(move))
            move.quantity_reserved += take
            total += take
            line_key = (move.pk, candidate.lot_id, candidate.location_id)
            if line_key in existing:
                existing[line_key].quantity += take
            elif line_key in new_lines:
                new_lines[line_key]["quantity"] += take
            else:
                new_lines[line_key] = {
                    "move_id": move.pk,
                    "product_id": move.product_id,
                    "lot_id": candidate.lot_id,
                    "source_id": candidate.location_id,
                    "destination_id": move.destination_id,
                    "quantity": take,
                }
        move.status = Transfer.Status.READY if move.missing == 0 else Transfer.Status.WAITING
    ledger.save()
    insert_values(MoveLine, list(new_lines.values()))
    update_rows(MoveLine, list(existing.values()), ["quantity"])
    update_rows(StockMove, moves, ["quantity_reserved", "status"])
    return total


def refresh_status(transfer: Transfer, *, by=None) -> None:
    """Ready when every open move is fully reserved, waiting otherwise."""
    open_statuses = (Transfer.Status.WAITING, Transfer.Status.READY)
    if transfer.status not in open_statuses:
        return
    waiting = transfer.moves.filter(status=Transfer.Status.WAITING).exists()
    wanted = Transfer.Status.WAITING if waiting else Transfer.Status.READY
    if transfer.status != wanted:
        transition(transfer, wanted, by=by)


def release_lines(company_id: int, moves: list[StockMove], ledger: Ledger) -> None:
    """Give back what `moves` hold reserved (their lines not done); the caller has
    locked the levels in `ledger` and saves it."""
    lines = list(MoveLine.objects.filter(move__in=moves, quantity_done=0, quantity__gt=0))
    for line in lines:
        ledger.add(Key(line.product_id, line.source_id, line.lot_id or 0), reserved=-line.quantity)
    MoveLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    for move in moves:
        move.quantity_reserved = ZERO


def reserved_keys(moves: list[StockMove]) -> list[Key]:
    return [
        Key(line.product_id, line.source_id, line.lot_id or 0)
        for line in MoveLine.objects.filter(move__in=moves, quantity_done=0, quantity__gt=0)
    ]
