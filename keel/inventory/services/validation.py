"""Validate a transfer: the quantities done leave their source and arrive at their
destination; what is left goes on a backorder; waiting moves get the new stock."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from keel.core.bulk_insert import insert_values, update_rows
from keel.core.errors import InvalidInput, TransitionNotAllowed
from keel.core.events import publish
from keel.core.rows import load
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.products.models import Product

from ..errors import (
    InvalidQuantity,
    LotRequired,
    MoreThanReserved,
    NotConfirmed,
    NothingToDo,
    SerialInUse,
)
from ..events import TransferDone
from ..models import Location, Lot, MoveLine, StockLevel, StockMove, Transfer
from .common import (
    OPEN,
    ZERO,
    check_stockable,
    forecast_keys,
    lock_transfer,
    needs_reservation,
    number_for,
    open_moves,
    quantity_of,
)
from .levels import Key, Ledger
from .locations import lot_for
from .reservations import refresh_status, reserve_moves
from .valuation import value_moves

Status = Transfer.Status


@dataclass
class Piece:
    """So much of a move's product, of one lot, from one location: one done line."""

    move: StockMove
    quantity: Decimal
    lot_id: int | None
    source_id: int
    reserved: Decimal = ZERO  # how much of it was reserved
    line: MoveLine | None = None  # the reserved line it is taken from


def _asked(moves: list[StockMove], done: list[dict] | None) -> dict[int, list]:
    """(quantity, lot name, expiry date) per move: what the caller says was done."""
    asked: dict[int, list] = defaultdict(list)
    if done is None and any(move.quantity_done > 0 for move in moves):
        # Scanned (services.scanning): what was scanned is done, the rest is not.
        for move in moves:
            if move.quantity_done > 0:
                if not needs_reservation(move) and move.product.tracking != Product.Tracking.NONE:
                    raise LotRequired(
                        f"{move.product} is tracked: say which lots or serials arrived.",
                        field="done",
                    )
                asked[move.pk].append((move.quantity_done, "", None))
        return asked
    if done is None:
        for move in moves:
            if needs_reservation(move):
                if move.quantity_reserved > 0:
                    asked[move.pk].append((move.quantity_reserved, "", None))
            elif move.product.tracking != Product.Tracking.NONE:
                raise LotRequired(
                    f"{move.product} is tracked: say which lots or serials arrived.",
                    field="done",
                )
            else:
                asked[move.pk].append((move.quantity, "", None))
        return asked
    by_id = {move.pk: move for move in moves}
    for position, entry in enumerate(done, 1):
        move_id = getattr(entry.get("move"), "pk", entry.get("move"))
        if move_id not in by_id:
            raise InvalidInput(f"Line {position}: not an open move of this transfer.", field="done")
        quantity = quantity_of(
            entry.get("quantity"), field=f"done[{position}].quantity", allow_zero=True
        )
        if quantity:
            asked[move_id].append((quantity, entry.get("lot") or "", entry.get("expiry_date")))
    return asked


def _from_reservations(transfer, moves, asked) -> list[Piece]:
    """Pieces of moves that take reserved stock; never more than is reserved."""
    lines = defaultdict(list)
    for line in load(
        MoveLine.objects.filter(move_id__in=[m.pk for m in moves], quantity_done=0, quantity__gt=0)
    ):
        lines[line.move_id].append(line)
    named = any(lot for entries in asked.values() for _, lot, _ in entries)
    lot_ids = {line.lot_id for found in lines.values() for line in found if line.lot_id}
    lot_names = dict(Lot.objects.filter(pk__in=lot_ids).values_list("pk", "name")) if named else {}
    pieces = []
    for move in moves:
        taken: dict[int, Decimal] = defaultdict(Decimal)
        for quantity, lot_name, _ in asked.get(move.pk, []):
            left = quantity
            for line in lines[move.pk]:
                if lot_name and lot_names.get(line.lot_id) != lot_name:
                    continue
                take = min(left, line.quantity - taken[line.pk])
                if take <= 0:
                    continue
                taken[line.pk] += take
                left -= take
                pieces.append(Piece(move, take, line.lot_id, line.source_id, take, line))
                if left == 0:
                    break
            if left > 0:
                reserved = sum((ln.quantity for ln in lines[move.pk]), ZERO)
                what = f"{move.product}" + (f" lot {lot_name}" if lot_name else "")
                raise MoreThanReserved(
                    f"{transfer}: cannot deliver {quantity} of {what}; only "
                    f"{reserved} of {move.product} is reserved. Reserve more first.",
                    field="done",
                )
    return pieces


def _received_at(on_date: dt.date) -> dt.datetime:
    """When goods validated on `on_date` arrived: now for today, else the start of
    that day (a receipt entered late keeps its place in FIFO)."""
    if on_date == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(on_date, dt.time.min))


def _arrivals(moves, asked, received_at: dt.datetime) -> list[Piece]:
    """Pieces of moves from outside the counted stock (receipts): lots are created on
    first receipt, dated `received_at` (FIFO among lots without expiry takes the
    oldest); a serial number is one unit and may not already be on hand."""
    pieces = []
    serials: dict[str, Lot] = {}
    for move in moves:
        entries = asked.get(move.pk, [])
        total = sum((quantity for quantity, _, _ in entries), ZERO)
        if total > move.quantity:
            raise InvalidQuantity(
                f"{total} of {move.product} arrived but {move.quantity} were expected; "
                "receive the extra on another receipt.",
                field="done",
            )
        for quantity, lot_name, expiry in entries:
            lot = lot_for(move.product, lot_name, expiry_date=expiry, received_at=received_at)
            if move.product.tracking == Product.Tracking.SERIAL:
                if quantity != 1:
                    raise InvalidQuantity(
                        f"Serial number {lot_name} is one unit, not {quantity}.", field="done"
                    )
                if lot_name in serials:
                    raise SerialInUse(f"Serial number {lot_name} is given twice.", field="done")
                serials[lot_name] = lot
            pieces.append(Piece(move, quantity, lot.pk if lot else None, move.source_id))
    if serials:
        # Lock the serials so that two receipts of the same one queue, then look.
        list(Lot.objects.select_for_update().filter(pk__in=[s.pk for s in serials.values()]))
        on_hand = (
            StockLevel.objects.filter(
                lot__in=serials.values(),
                on_hand__gt=0,
                location__usage__in=Location.STOCK_KEEPING,
            )
            .select_related("lot", "location")
            .first()
        )
        if on_hand is not None:
            raise SerialInUse(
                f"Serial number {on_hand.lot.name} is already in stock at {on_hand.location}; "
                "it cannot be received twice.",
                field="done",
            )
    return pieces


def _backorder(transfer: Transfer, *, by) -> Transfer:
    backorder = Transfer.objects.create(
        company=transfer.company,
        number=number_for(transfer.warehouse, transfer.kind),
        kind=transfer.kind,
        warehouse=transfer.warehouse,
        partner=transfer.partner,
        scheduled_date=transfer.scheduled_date,
        source=transfer.source,
        destination=transfer.destination,
        backorder_of=transfer,
        origin_type=transfer.origin_type,
        origin_id=transfer.origin_id,
        note=transfer.note,
        created_by=by,
        updated_by=by,
    )
    transition(backorder, Status.WAITING, by=by, note=f"Backorder of {transfer}")
    return backorder


@atomic_service
def validate(
    transfer_id: int,
    *,
    done: list[dict] | None = None,
    on_date: dt.date | None = None,
    by=None,
) -> Transfer:
    """Move what was done: `done` lists `{"move", "quantity", "lot", "expiry_date"}`
    (without it: everything reserved, or everything expected on a receipt). Less than
    asked leaves the rest on a backorder transfer, with its reservations."""
    on_date = on_date or timezone.localdate()
    transfer = lock_transfer(transfer_id)
    if transfer.status == Status.DRAFT:
        raise NotConfirmed(f"{transfer} is a draft; confirm it first.", field="status")
    if transfer.status not in OPEN:
        raise TransitionNotAllowed(f"{transfer} is {transfer.status}; it cannot be validated.")
    moves = open_moves(transfer)
    for move in moves:
        check_stockable(move.product, transfer.company_id)
    asked = _asked(moves, done)
    if not any(asked.values()):
        raise NothingToDo(f"Nothing of {transfer} is done (or reserved) yet.", field="done")
    outgoing = [m for m in moves if needs_reservation(m)]
    pieces = _from_reservations(transfer, outgoing, asked)
    pieces += _arrivals(
        [m for m in moves if not needs_reservation(m)], asked, _received_at(on_date)
    )

    done_of: dict[int, Decimal] = defaultdict(Decimal)
    for piece in pieces:
        done_of[piece.move.pk] += piece.quantity
    finished = [m for m in moves if done_of[m.pk] > 0]
    keys = forecast_keys(finished)
    for piece in pieces:
        if piece.move.source.keeps_stock:
            keys.append(Key(piece.move.product_id, piece.source_id, piece.lot_id or 0))
        if piece.move.destination.keeps_stock:
            keys.append(Key(piece.move.product_id, piece.move.destination_id, piece.lot_id or 0))
    waiting = _waiting_transfers(transfer, finished)
    ledger = Ledger(transfer.company_id, keys)
    for piece in pieces:
        move, lot_key = piece.move, piece.lot_id or 0
        if move.source.keeps_stock:
            ledger.take(
                Key(move.product_id, piece.source_id, lot_key),
                piece.quantity,
                reserved=piece.reserved,
                label=str(move.product),
            )
        if move.destination.keeps_stock:
            ledger.add(Key(move.product_id, move.destination_id, lot_key), on_hand=piece.quantity)
    for move in finished:
        if move.source.keeps_stock:
            ledger.add(Key(move.product_id, move.source_id), outgoing=-done_of[move.pk])
        if move.destination.keeps_stock:
            ledger.add(Key(move.product_id, move.destination_id), incoming=-done_of[move.pk])
    ledger.save()
    _write_lines(pieces)
    value_moves(transfer, [(m, done_of[m.pk]) for m in finished], on_date=on_date, by=by)
    backorder = _split(transfer, moves, done_of, on_date, by=by)
    transfer.done_date = on_date
    transfer.save(update_fields=["done_date"])
    transition(transfer, Status.DONE, by=by)
    for other in waiting:
        reserve_moves(other.company_id, open_moves(other))
        refresh_status(other, by=by)
    publish(
        TransferDone(
            transfer_id=transfer.pk,
            number=transfer.number,
            kind=transfer.kind,
            origin_type=transfer.origin_type.model if transfer.origin_type else "",
            origin_id=transfer.origin_id,
            backorder_id=backorder.pk if backorder else None,
        ),
        company=transfer.company,
    )
    return transfer


def _write_lines(pieces: list[Piece]) -> None:
    """Done lines: reserved lines get their done quantity (a part left over stays
    reserved on a line of its own, for the backorder); arrivals get new lines."""
    new, changed = [], {}  # new: {attname: value}, inserted without instances
    for piece in pieces:
        if piece.line is None:
            new.append(
                {
                    "move_id": piece.move.pk,
                    "product_id": piece.move.product_id,
                    "lot_id": piece.lot_id,
                    "source_id": piece.source_id,
                    "destination_id": piece.move.destination_id,
                    "quantity": piece.quantity,
                    "quantity_done": piece.quantity,
                }
            )
        else:
            piece.line.quantity_done += piece.quantity
            changed[piece.line.pk] = piece.line
    for line in changed.values():
        left = line.quantity - line.quantity_done
        if left > 0:
            new.append(
                {
                    "move_id": line.move_id,
                    **{f: getattr(line, f) for f in ("product_id", "lot_id", "source_id")},
                    "destination_id": line.destination_id,
                    "quantity": left,
                }
            )
            line.quantity = line.quantity_done
    update_rows(MoveLine, list(changed.values()), ["quantity", "quantity_done"])
    insert_values(MoveLine, new)


def _split(transfer, moves, done_of, on_date, *, by) -> Transfer | None:
    """Done moves keep what was done; the rest (with what stays reserved of it) goes to a
    backorder transfer."""
    rest = [m for m in moves if done_of[m.pk] < m.quantity]
    backorder = _backorder(transfer, by=by) if rest else None
    untouched = [m for m in rest if done_of[m.pk] == 0]
    if untouched:
        StockMove.objects.filter(pk__in=[m.pk for m in untouched]).update(transfer=backorder)
    for move in moves:
        done = done_of[move.pk]
        if done == 0:
            continue
        if done < move.quantity:
            left = MoveLine.objects.filter(move=move, quantity_done=0)
            held = sum((line.quantity for line in left), ZERO)
            twin = StockMove.objects.create(
                transfer=backorder,
                product_id=move.product_id,
                quantity=move.quantity - done,
                quantity_reserved=held,
                source_id=move.source_id,
                destination_id=move.destination_id,
                status=Status.WAITING
                if needs_reservation(move) and held < move.quantity - done
                else Status.READY,
                date=move.date,
                unit_cost=move.unit_cost,
                sequence=move.sequence,
            )
            left.update(move=twin)
        move.quantity, move.quantity_done, move.quantity_reserved = done, done, ZERO
        move.status, move.date = Status.DONE, on_date
    update_rows(
        StockMove,
        [m for m in moves if done_of[m.pk] > 0],
        ["quantity", "quantity_done", "quantity_reserved", "status", "date"],
    )
    if backorder is not None:
        refresh_status(backorder, by=by)
    return backorder


def _waiting_transfers(transfer: Transfer, finished: list[StockMove]) -> list[Transfer]:
    """Other transfers waiting for what arrives (their source holds the destination),
    locked oldest first; ones being changed right now are skipped, not waited for."""
    arriving = [m for m in finished if m.destination.keeps_stock]
    if not arriving:
        return []
    candidates = (
        StockMove.objects.filter(
            transfer__company_id=transfer.company_id,
            product_id__in={m.product_id for m in arriving},
            status=Status.WAITING,
            source__usage__in=Location.STOCK_KEEPING,
        )
        .exclude(transfer_id=transfer.pk)
        .select_related("source")
    )
    ids = {
        move.transfer_id
        for move in candidates
        if any(m.destination.path.startswith(move.source.path) for m in arriving)
    }
    if not ids:
        return []
    return list(
        Transfer.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=ids, status__in=OPEN)
        .select_related("company", "source", "destination", "warehouse")
        .order_by("scheduled_date", "id")
    )
