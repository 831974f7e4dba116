"""Scan-friendly processing: each scanned code adds to a move's done quantity, and
validating the transfer then moves what was scanned (the rest goes on a backorder).

A code is a product's barcode or SKU, or the name of a lot or serial number of a
product on the transfer (the lot says which product; validation takes the
reserved lots). The done quantity of an outgoing move never goes beyond what is
reserved for it, of an arrival never beyond what is expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from keel.core.errors import InvalidInput, TransitionNotAllowed
from keel.core.transactions import atomic_service
from keel.products.models import Product

from ..errors import InvalidQuantity, MoreThanReserved, NotConfirmed
from ..models import Lot, StockMove, Transfer
from .common import OPEN, lock_transfer, needs_reservation, open_moves, quantity_of

Status = Transfer.Status


class UnknownCode(InvalidInput):
    code = "unknown_code"


class NotOnTransfer(InvalidInput):
    code = "product_not_on_transfer"


@dataclass
class Scanned:
    """What a scan did: the move it counted on and its figures after the scan."""

    transfer: Transfer
    move: StockMove
    product: Product
    lot: Lot | None
    done: Decimal
    expected: Decimal  # reserved for outgoing moves, asked for on arrivals


def _product_of(company_id: int, code: str) -> tuple[Product, Lot | None]:
    product = (
        Product.objects.filter(company_id=company_id)
        .filter(Q(barcode=code) | Q(sku=code))
        .order_by("-barcode")  # a barcode match before an SKU one
        .first()
    )
    if product is not None:
        return product, None
    lot = Lot.objects.filter(company_id=company_id, name=code).select_related("product").first()
    if lot is not None:
        return lot.product, lot
    raise UnknownCode(f"No product, barcode, SKU, lot or serial number '{code}'.", field="code")


def shown(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


def expected_of(move: StockMove) -> Decimal:
    """How much of the move may be scanned: what is reserved when stock leaves a
    counted location, what is asked for when it arrives from outside."""
    return move.quantity_reserved if needs_reservation(move) else move.quantity


@atomic_service
def scan(transfer_id: int, code: str, quantity=1, *, by=None) -> Scanned:
    """Add `quantity` of what `code` names to the done quantity of its move on the
    transfer; refused for an unknown code, a product not on the transfer, or more
    than is reserved (expected on arrivals)."""
    code = (code or "").strip()
    if not code:
        raise InvalidInput("Scan or type a code.", field="code")
    quantity = quantity_of(quantity)
    transfer = lock_transfer(transfer_id)
    if transfer.status == Status.DRAFT:
        raise NotConfirmed(f"{transfer} is a draft; confirm it first.", field="code")
    if transfer.status not in OPEN:
        raise TransitionNotAllowed(
            f"{transfer} is {transfer.status}; nothing to scan.", field="code"
        )
    product, lot = _product_of(transfer.company_id, code)
    moves = [m for m in open_moves(transfer) if m.product_id == product.pk]
    if not moves:
        raise NotOnTransfer(f"{product} is not on {transfer}.", field="code")
    move = next((m for m in moves if m.quantity_done + quantity <= expected_of(m)), None)
    if move is None:
        move = moves[0]
        expected = expected_of(move)
        if needs_reservation(move):
            raise MoreThanReserved(
                f"{product}: {shown(move.quantity_done)} of {shown(expected)} reserved "
                f"already scanned; {shown(quantity)} more is more than reserved.",
                field="code",
            )
        raise InvalidQuantity(
            f"{product}: {shown(move.quantity_done)} of {shown(expected)} expected "
            f"already scanned; {shown(quantity)} more is more than expected.",
            field="code",
        )
    move.quantity_done += quantity
    StockMove.objects.filter(pk=move.pk).update(quantity_done=move.quantity_done)
    return Scanned(transfer, move, product, lot, move.quantity_done, expected_of(move))
