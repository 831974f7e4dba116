"""Transfers: create (with lines), confirm, reserve, validate (with a backorder for
what is left) and cancel. Each verb locks the transfer, checks its guards, changes
the stock levels it locked in the fixed order, moves the status through
`core.workflow.transition` and announces the fact."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from keel.core.bulk_insert import insert_values, update_rows
from keel.core.errors import InvalidInput, TransitionNotAllowed
from keel.core.events import publish
from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.parties.models import Party
from keel.products.models import Product

from ..errors import InsufficientStock, NotConfirmed
from ..events import TransferCancelled, TransferConfirmed
from ..models import Location, StockMove, Transfer, Warehouse
from ..selectors.putaway import putaway_locations
from .common import (
    OPEN,
    ZERO,
    check_location,
    check_stockable,
    forecast_keys,
    lock_transfer,
    moves_of,
    needs_reservation,
    number_for,
    open_moves,
    quantity_of,
)
from .levels import Key, Ledger
from .locations import virtual_location
from .reservations import refresh_status, release_lines, reserve_moves, reserved_keys

Kind = Transfer.Kind
Status = Transfer.Status


def default_locations(warehouse: Warehouse, kind: str) -> tuple[Location, Location]:
    """Receipts come from suppliers into CODE/Stock, deliveries go from it to customers."""
    stock = warehouse.stock_location
    if kind == Kind.RECEIPT:
        return virtual_location(warehouse.company, Location.Usage.SUPPLIER), stock
    if kind == Kind.DELIVERY:
        return stock, virtual_location(warehouse.company, Location.Usage.CUSTOMER)
    return stock, stock


@atomic_service
def create_transfer(
    company: Company,
    *,
    kind: str,
    warehouse: Warehouse,
    lines: list[dict],
    scheduled_date: dt.date | None = None,
    source: Location | None = None,
    destination: Location | None = None,
    partner: Party | None = None,
    origin=None,
    note: str = "",
    by=None,
) -> Transfer:
    """A draft transfer numbered in its warehouse's series (WH/IN/00001), with one move
    per line `{"product": Product, "quantity": Decimal}` and, on a receipt, optionally
    the `"unit_cost"` it is valued at (the product's cost price without it). A receipt
    given no destination stores each line where the warehouse's put-away rules say."""
    if kind not in Kind.values:
        raise InvalidInput(f"Unknown kind of transfer '{kind}'.", field="kind")
    if warehouse.company_id != company.pk or not warehouse.active:
        raise InvalidInput(
            f"{warehouse} is not an active warehouse of {company}.", field="warehouse"
        )
    default_source, default_destination = default_locations(warehouse, kind)
    explicit_destination = destination is not None
    source, destination = source or default_source, destination or default_destination
    check_location(source, company.pk, "source")
    check_location(destination, company.pk, "destination")
    if source.pk == destination.pk:
        raise InvalidInput("Source and destination must differ.", field="destination")
    if partner is not None and partner.company_id != company.pk:
        raise InvalidInput(f"{partner} belongs to another company.", field="partner")
    if not lines:
        raise InvalidInput("A transfer needs at least one line.", field="lines")
    parsed = []
    for position, raw in enumerate(lines, 1):
        product = raw.get("product")
        if not isinstance(product, Product):
            product = Product.objects.filter(pk=product, company=company).first()
            if product is None:
                raise InvalidInput(f"Line {position}: unknown product.", field=f"lines[{position}]")
        check_stockable(product, company.pk, field=f"lines[{position}].product")
        quantity = quantity_of(raw.get("quantity"), field=f"lines[{position}].quantity")
        unit_cost = raw.get("unit_cost")
        if unit_cost is not None:
            unit_cost = quantity_of(
                unit_cost, field=f"lines[{position}].unit_cost", allow_zero=True
            )
        parsed.append((product, quantity, unit_cost))
    on_date = scheduled_date or timezone.localdate()
    bins = {}
    if kind == Kind.RECEIPT and not explicit_destination:
        bins = putaway_locations(warehouse, [product for product, _, _ in parsed])
    transfer = Transfer.objects.create(
        company=company,
        number=number_for(warehouse, kind),
        kind=kind,
        warehouse=warehouse,
        partner=partner,
        scheduled_date=on_date,
        source=source,
        destination=destination,
        origin_type=ContentType.objects.get_for_model(origin) if origin is not None else None,
        origin_id=str(origin.pk) if origin is not None else "",
        note=note,
        created_by=by,
        updated_by=by,
    )
    insert_values(
        StockMove,
        [
            {
                "transfer_id": transfer.pk,
                "product_id": product.pk,
                "quantity": quantity,
                "source_id": source.pk,
                "destination_id": bins.get(product.pk, destination).pk,
                "date": on_date,
                "unit_cost": unit_cost,
                "sequence": position,
            }
            for position, (product, quantity, unit_cost) in enumerate(parsed, 1)
        ],
    )
    return transfer


def count_forecast(ledger: Ledger, moves: list[StockMove], sign: int) -> None:
    """Add (sign 1) or remove (sign -1) `moves` from incoming and outgoing."""
    for move in moves:
        if move.source.keeps_stock:
            ledger.add(Key(move.product_id, move.source_id), outgoing=sign * move.quantity)
        if move.destination.keeps_stock:
            ledger.add(Key(move.product_id, move.destination_id), incoming=sign * move.quantity)


@atomic_service
def confirm(transfer_id: int, *, by=None) -> Transfer:
    """draft -> waiting: the moves count as incoming and outgoing; a transfer with
    nothing to reserve (a receipt) is ready at once."""
    transfer = lock_transfer(transfer_id)
    if transfer.status != Status.DRAFT:
        raise TransitionNotAllowed(
            f"{transfer} is {transfer.status}; only a draft can be confirmed.", field="status"
        )
    moves = moves_of(
        transfer.moves.filter(status=Status.DRAFT).order_by("sequence", "id"), transfer=transfer
    )
    for move in moves:
        check_stockable(move.product, transfer.company_id)
    ledger = Ledger(transfer.company_id, forecast_keys(moves))
    count_forecast(ledger, moves, 1)
    ledger.save()
    for move in moves:
        move.status = Status.WAITING if needs_reservation(move) else Status.READY
    update_rows(StockMove, moves, ["status"])
    transition(transfer, Status.WAITING, by=by)
    refresh_status(transfer, by=by)
    publish(
        TransferConfirmed(transfer_id=transfer.pk, number=transfer.number, kind=transfer.kind),
        company=transfer.company,
    )
    return transfer


@atomic_service
def reserve(transfer_id: int, *, by=None) -> Transfer:
    """Set aside what is available for the transfer's moves. Partly reserved, it stays
    waiting; fully reserved, it is ready. Refused with InsufficientStock when nothing
    at all is available for what it still misses."""
    transfer = lock_transfer(transfer_id)
    if transfer.status == Status.DRAFT:
        raise NotConfirmed(f"{transfer} is a draft; confirm it first.", field="status")
    if transfer.status not in OPEN:
        raise NotConfirmed(f"{transfer} is {transfer.status}; nothing to reserve.")
    moves = open_moves(transfer)
    missing = [m for m in moves if needs_reservation(m) and m.missing > 0]
    if not missing:
        return transfer
    reserved = reserve_moves(transfer.company_id, missing)
    if reserved == ZERO:
        wanted = ", ".join(f"{m.missing} x {m.product}" for m in missing)
        raise InsufficientStock(
            f"Insufficient stock: nothing available in {transfer.source} for {transfer} "
            f"({wanted}).",
            field="lines",
        )
    refresh_status(transfer, by=by)
    return transfer


@atomic_service
def cancel(transfer_id: int, *, by=None, reason: str = "") -> Transfer:
    """Cancel what is not done: its reservations are given back and it no longer
    counts as incoming or outgoing."""
    transfer = lock_transfer(transfer_id)
    if transfer.status not in (Status.DRAFT, *OPEN):
        transition(transfer, Status.CANCELLED, by=by)  # refuses with the reason
    moves = moves_of(
        transfer.moves.exclude(status__in=[Status.DONE, Status.CANCELLED]).order_by(
            "sequence", "id"
        ),
        transfer=transfer,
    )
    confirmed = [m for m in moves if m.status != Status.DRAFT]
    ledger = Ledger(transfer.company_id, forecast_keys(confirmed) + reserved_keys(confirmed))
    release_lines(transfer.company_id, confirmed, ledger)
    count_forecast(ledger, confirmed, -1)
    ledger.save()
    for move in moves:
        move.status = Status.CANCELLED
    update_rows(StockMove, moves, ["status", "quantity_reserved"])
    transition(transfer, Status.CANCELLED, by=by, note=reason)
    publish(
        TransferCancelled(transfer_id=transfer.pk, number=transfer.number, kind=transfer.kind),
        company=transfer.company,
    )
    return transfer
