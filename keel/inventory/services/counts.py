"""Inventory counts: start a count sheet of a location (what is expected is what is on
hand then), record what was counted, and validate it: each difference becomes a done
move to or from the inventory-loss location, valued and posted in the same
transaction (a gain Dr stock / Cr write-off, a loss Dr write-off / Cr stock)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from keel.core.errors import InvalidInput, NotFound
from keel.core.events import publish
from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.products.models import Product, ProductCategory

from ..errors import InsufficientStock
from ..events import InventoryCounted
from ..models import (
    CountLine,
    InventoryCount,
    Location,
    MoveLine,
    StockLevel,
    StockMove,
    Transfer,
)
from .common import check_location, check_stockable, number_for, quantity_of
from .levels import Key, Ledger
from .locations import lot_for, virtual_location
from .valuation import value_moves

Status = InventoryCount.Status
ZERO = Decimal(0)


@atomic_service
def start_count(
    company: Company,
    *,
    location: Location,
    category: ProductCategory | None = None,
    on_date: dt.date | None = None,
    by=None,
) -> InventoryCount:
    """A draft count of `location` with a line per product and lot on hand there, each
    expecting what is on hand now; a cycle count takes only the products of
    `category` (and the categories below it)."""
    check_location(location, company.pk, "location")
    if not location.keeps_stock or location.warehouse_id is None:
        raise InvalidInput(f"{location} is not a warehouse location; count one.", field="location")
    if category is not None and category.company_id != company.pk:
        raise InvalidInput(f"{category} belongs to another company.", field="category")
    count = InventoryCount.objects.create(
        company=company,
        location=location,
        date=on_date or timezone.localdate(),
        note=f"Cycle count of {category}" if category else "",
        created_by=by,
        updated_by=by,
    )
    levels = StockLevel.objects.filter(location=location).exclude(on_hand=0)
    if category is not None:
        levels = levels.filter(product__category__path__startswith=category.path)
    CountLine.objects.bulk_create(
        CountLine(count=count, product_id=lv.product_id, lot_id=lv.lot_id, expected=lv.on_hand)
        for lv in levels.order_by("product_id", "lot_key")
    )
    return count


def _lock(count_id: int) -> InventoryCount:
    try:
        return (
            InventoryCount.objects.select_for_update(of=("self",))
            .select_related("company", "location__warehouse")
            .get(pk=count_id)
        )
    except InventoryCount.DoesNotExist as missing:
        raise NotFound(f"No inventory count {count_id}.") from missing


@atomic_service
def record_counts(count_id: int, *, lines: list[dict], by=None) -> InventoryCount:
    """Record `{"product", "lot", "counted"}` lines; a product (or lot) not expected
    there gets a line expecting 0."""
    count = _lock(count_id)
    if count.status != Status.DRAFT:
        raise InvalidInput(
            f"{count} is {count.status}; it can no longer be counted.", field="status"
        )
    existing = {(ln.product_id, ln.lot_id): ln for ln in count.lines.all()}
    changed, new = [], []
    for position, raw in enumerate(lines, 1):
        product = raw.get("product")
        if not isinstance(product, Product):
            product = Product.objects.filter(pk=product, company_id=count.company_id).first()
            if product is None:
                raise InvalidInput(f"Line {position}: unknown product.", field=f"lines[{position}]")
        check_stockable(product, count.company_id, field=f"lines[{position}].product")
        counted = quantity_of(
            raw.get("counted"), field=f"lines[{position}].counted", allow_zero=True
        )
        lot = lot_for(product, raw.get("lot"))
        line = existing.get((product.pk, lot.pk if lot else None))
        if line is None:
            line = CountLine(count=count, product=product, lot=lot, expected=ZERO)
            existing[(product.pk, line.lot_id)] = line
            new.append(line)
        else:
            changed.append(line)
        line.counted = counted
    CountLine.objects.bulk_create(new)
    CountLine.objects.bulk_update([ln for ln in changed if ln.pk], ["counted"])
    return count


@atomic_service
def validate_count(count_id: int, *, on_date: dt.date | None = None, by=None) -> InventoryCount:
    """draft -> done: the location then holds what was counted. Every counted line that
    differs from what is on hand now moves the difference to (a loss) or from (a gain)
    Virtual/Inventory loss, in one adjustment transfer, valued at the product's cost
    and posted."""
    count = _lock(count_id)
    if count.status != Status.DRAFT:
        transition(count, Status.DONE, by=by)  # refuses, saying why
    on_date = on_date or count.date
    lines = list(
        count.lines.filter(counted__isnull=False).select_related("product__category", "lot")
    )
    # Stock may have moved since the sheet was printed: each line expects what is on
    # hand now, read from the levels that stay locked until the adjustment is written.
    ledger = Ledger(count.company_id, [_key(count, ln) for ln in lines])
    moved = [ln for ln in lines if ln.expected != ledger.level(_key(count, ln)).on_hand]
    for line in moved:
        line.expected = ledger.level(_key(count, line)).on_hand
    CountLine.objects.bulk_update(moved, ["expected"])
    differing = [ln for ln in lines if ln.difference != 0]
    adjustment = _adjust(count, differing, on_date, ledger, by=by) if differing else None
    count.adjustment = adjustment
    count.save(update_fields=["adjustment"])
    transition(count, Status.DONE, by=by)
    publish(
        InventoryCounted(
            count_id=count.pk,
            location_id=count.location_id,
            adjustment_id=adjustment.pk if adjustment else None,
        ),
        company=count.company,
    )
    return count


def _key(count: InventoryCount, line: CountLine) -> Key:
    return Key(line.product_id, count.location_id, line.lot_id or 0)


def _adjust(
    count: InventoryCount, lines: list[CountLine], on_date: dt.date, ledger: Ledger, *, by
) -> Transfer:
    location, company = count.location, count.company
    loss = virtual_location(company, Location.Usage.INVENTORY_LOSS)
    for line in lines:
        check_stockable(line.product, company.pk)
    transfer = Transfer.objects.create(
        company=company,
        number=number_for(location.warehouse, Transfer.Kind.INTERNAL),
        kind=Transfer.Kind.INTERNAL,
        warehouse=location.warehouse,
        scheduled_date=on_date,
        done_date=on_date,
        source=location,
        destination=loss,
        note=f"Adjustment of {count}",
        created_by=by,
        updated_by=by,
    )
    moves = []
    for position, line in enumerate(lines, 1):
        gain = line.difference > 0
        quantity = abs(line.difference)
        key = Key(line.product_id, location.pk, line.lot_id or 0)
        if gain:
            ledger.add(key, on_hand=quantity)
        else:
            ledger.take(key, quantity, reserved=ZERO, label=str(line.product))
            level = ledger.level(key)
            if not level.allow_negative and level.reserved > level.on_hand:
                raise InsufficientStock(
                    f"{line.product}: {level.reserved} is reserved at {location} but only "
                    f"{level.on_hand} would be left; unreserve before counting less.",
                    field="lines",
                )
        source, destination = (loss, location) if gain else (location, loss)
        moves.append(
            StockMove(
                transfer=transfer,
                product=line.product,
                quantity=quantity,
                quantity_done=quantity,
                source=source,
                destination=destination,
                status=Transfer.Status.DONE,
                date=on_date,
                sequence=position,
            )
        )
    ledger.save()
    StockMove.objects.bulk_create(moves)
    MoveLine.objects.bulk_create(
        MoveLine(
            move=move,
            product_id=move.product_id,
            lot_id=line.lot_id,
            source=move.source,
            destination=move.destination,
            quantity=move.quantity,
            quantity_done=move.quantity,
        )
        for move, line in zip(moves, lines, strict=True)
    )
    value_moves(transfer, [(m, m.quantity) for m in moves], on_date=on_date, by=by)
    transition(transfer, Transfer.Status.WAITING, by=by, note=f"Adjustment of {count}")
    transition(transfer, Transfer.Status.DONE, by=by)
    return transfer
