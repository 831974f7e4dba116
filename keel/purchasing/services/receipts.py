"""Receiving an order: what arrived, line by line (with lots or serial numbers),
validated through inventory's receipts; what did not arrive stays on a backorder."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from keel.accounting.services.currency import rate_on
from keel.core.errors import InvalidInput
from keel.core.transactions import atomic_service
from keel.inventory.models import Transfer
from keel.inventory.services import transfers, validation

from ..errors import OrderNotReceivable, OverReceipt
from ..models import PurchaseOrder, PurchaseOrderLine
from ..selectors import open_receipts, settings_of
from .common import HUNDRED, ZERO, decimal_of
from .common import quantity_text as _quantity
from .orders import _lock, refresh_progress, unit_cost

Status = PurchaseOrder.Status


def _asked(
    order: PurchaseOrder, lines: list[dict]
) -> list[tuple[PurchaseOrderLine, Decimal, list]]:
    """(order line, quantity, lots as (name, quantity, expiry)) per entry."""
    if not lines:
        raise InvalidInput("Say what arrived.", field="lines")
    by_id = {line.pk: line for line in order.lines.select_related("product")}
    asked, seen = [], set()
    for position, raw in enumerate(lines, 1):
        line_id = getattr(raw.get("line"), "pk", raw.get("line"))
        line = by_id.get(line_id)
        if line is None or line_id in seen:
            raise InvalidInput(f"Entry {position}: not a line of {order}.", f"lines[{position}]")
        seen.add(line_id)
        lots = []
        for lot in raw.get("lots") or []:
            lots.append(
                (
                    str(lot.get("lot") or ""),
                    decimal_of(lot.get("quantity"), field=f"lines[{position}].lots"),
                    lot.get("expiry_date"),
                )
            )
        if lots:
            quantity = sum((q for _, q, _ in lots), ZERO)
        else:
            quantity = decimal_of(raw.get("quantity"), field=f"lines[{position}].quantity")
        asked.append((line, quantity, lots))
    return asked


def _take(lots: list, quantity: Decimal) -> tuple[list, list]:
    """Split `lots` into the first `quantity` and the rest (a lot may split in two)."""
    taken, rest, left = [], [], quantity
    for name, amount, expiry in lots:
        if left <= 0:
            rest.append((name, amount, expiry))
        elif amount <= left:
            taken.append((name, amount, expiry))
            left -= amount
        else:
            taken.append((name, left, expiry))
            rest.append((name, amount - left, expiry))
            left = ZERO
    return taken, rest


def _entries(move_id: int, quantity: Decimal, lots: list) -> list[dict]:
    if not lots:
        return [{"move": move_id, "quantity": quantity}]
    return [{"move": move_id, "quantity": q, "lot": n, "expiry_date": e} for n, q, e in lots]


@atomic_service
def receive(
    order_id: int, *, lines: list[dict], on_date: dt.date | None = None, by=None
) -> PurchaseOrder:
    """Receive `lines` (`{"line", "quantity"}` or `{"line", "lots": [{"lot",
    "quantity", "expiry_date"}]}`) of a confirmed order through its waiting receipts;
    what is not received stays on a backorder. More than ordered is accepted within
    the tolerance (on a receipt of its own) and refused beyond it."""
    on_date = on_date or timezone.localdate()
    order = _lock(order_id)
    if order.status != Status.CONFIRMED:
        raise OrderNotReceivable(
            f"{order} is {order.get_status_display().lower()}; only a confirmed order that "
            "is still waiting for goods can be received.",
            field="status",
        )
    asked = _asked(order, lines)
    tolerance = settings_of(order.company).tolerance_percent
    for line, quantity, _ in asked:
        allowed = line.quantity * (HUNDRED + tolerance) / HUNDRED
        if line.quantity_received + quantity > allowed:
            raise OverReceipt(
                f"{line.product}: {_quantity(line.quantity_received + quantity)} would have "
                f"arrived but {_quantity(line.quantity)} were ordered on {order}; the "
                f"{_quantity(tolerance)}% tolerance allows at most {_quantity(allowed)}. "
                "Refuse the extra or order it.",
                field="lines",
            )
    done: dict[int, list[dict]] = defaultdict(list)
    extra: list[tuple[PurchaseOrderLine, Decimal, list]] = []
    receipts = list(open_receipts(order))
    for line, quantity, lots in asked:
        left = quantity
        for receipt in receipts:
            for move in receipt.moves.all():
                if move.product_id != line.product_id or left <= 0:
                    continue
                take = min(left, move.quantity)
                taken, lots = _take(lots, take)
                done[receipt.pk] += _entries(move.pk, take, taken)
                left -= take
        if left > 0:
            extra.append((line, left, lots))
    for receipt in receipts:
        if done[receipt.pk]:
            validation.validate(receipt.pk, done=done[receipt.pk], on_date=on_date, by=by)
    if extra:
        _receive_extra(order, extra, on_date, by=by)
    return refresh_progress(order.pk, by=by)


def _receive_extra(order: PurchaseOrder, extra, on_date: dt.date, *, by) -> Transfer:
    """Within the tolerance, what arrived beyond the order comes in on a receipt of its
    own, valued at the order's price."""
    rate = rate_on(order.company, order.currency, order.order_date)
    receipt = transfers.create_transfer(
        order.company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=order.warehouse,
        scheduled_date=on_date,
        partner=order.vendor,
        origin=order,
        note=f"{order}: more than ordered, within the tolerance",
        lines=[
            {
                "product": line.product,
                "quantity": quantity,
                "unit_cost": unit_cost(line.unit_price, rate, order.company.currency),
            }
            for line, quantity, _ in extra
        ],
        by=by,
    )
    transfers.confirm(receipt.pk, by=by)
    moves = {move.product_id: move.pk for move in receipt.moves.all()}
    done = []
    for line, quantity, lots in extra:
        done += _entries(moves[line.product_id], quantity, lots)
    return validation.validate(receipt.pk, done=done, on_date=on_date, by=by)
