"""Perpetual valuation: a validated move that brings stock in from outside (a
supplier, a customer's return, a count's gain) or takes it out (a delivery, a
count's loss) gets a valuation layer, and the transfer posts one journal entry by
role in the same transaction. Moves between internal locations are worth nothing
to the books.

Costing per product category: FIFO consumes the oldest layers left; average cost
takes the running value over the running quantity (`ProductCost`, the product's
lock row, locked after the stock levels and in product order).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from keel.accounting.models import AccountRole, Journal
from keel.accounting.selectors.chart import accounts_of, journals_of
from keel.accounting.services.posting import EntrySpec, Line, post_entries
from keel.core.bulk_insert import insert_objects, insert_values, update_rows
from keel.core.models import Company
from keel.core.money import round_money
from keel.core.rows import load
from keel.products.models import Product, ProductCategory

from ..errors import ValuationNotConfigured
from ..models import Location, ProductCost, StockMove, ValuationLayer

ZERO = Decimal(0)
U = Location.Usage
Role = AccountRole
FIFO = ProductCategory.CostingMethod.FIFO
STOCK_JOURNAL_CODE = "STK"

# The account (by role) on the other side of the stock account, by the usage of the
# location outside the counted stock that the goods come from or go to.
COUNTERPART = {
    U.SUPPLIER: Role.STOCK_INTERIM_RECEIVED,
    U.CUSTOMER: Role.COGS,
    U.INVENTORY_LOSS: Role.WRITE_OFF,
    U.PRODUCTION: Role.STOCK_INTERIM_DELIVERED,
}


@dataclass
class Posting:
    """Stock worth `value` came in (`incoming`) from, or went out to, `role`."""

    role: str
    value: Decimal
    incoming: bool
    label: str


def costing_method(product: Product) -> str:
    category = product.category
    return category.costing_method if category else ProductCategory.CostingMethod.AVERAGE


def is_valued(move: StockMove) -> bool:
    """Stocked goods crossing the edge of the counted stock (either way)."""
    return (
        move.product.kind == Product.Kind.GOODS
        and move.source.keeps_stock != move.destination.keeps_stock
    )


def lock_costs(company_id: int, product_ids) -> dict[int, ProductCost]:
    """The products' cost rows, created if missing, locked in product order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_costs() must be called inside the service's transaction.")
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    # Insert only the missing rows (most exist after a product's first move): the
    # ORM's bulk_create prepares every value of every row, present or not.
    present = set(
        ProductCost.objects.filter(company_id=company_id, product_id__in=wanted).values_list(
            "product_id", flat=True
        )
    )
    insert_objects(
        ProductCost,
        [ProductCost(company_id=company_id, product_id=pk) for pk in wanted if pk not in present],
        ignore_conflicts=True,
    )
    rows = (
        ProductCost.objects.select_for_update()
        .filter(company_id=company_id, product_id__in=wanted)
        .order_by("product_id")
    )
    return {row.product_id: row for row in load(rows)}


def keeps_books(company_id: int) -> bool:
    """Whether the company has a chart of accounts to post valuation to."""
    return accounts_of(company_id).exists()


def stock_journal(company_id: int) -> Journal:
    """The stock journal (code STK) if the company has one, else its general journal."""
    journals = journals_of(company_id).filter(active=True)
    found = journals.filter(code=STOCK_JOURNAL_CODE).first()
    found = found or journals.filter(kind=Journal.Kind.GENERAL).order_by("code").first()
    if found is None:
        raise ValuationNotConfigured(
            "Stock valuation needs a general journal (or one coded STK) to post to; "
            "create it in the chart."
        )
    return found


class Valuation:
    """The valuation changes of one service call: layers to write, cost rows to save
    and the postings of its journal entry."""

    def __init__(self, company: Company, product_ids, on_date: dt.date):
        self.company, self.on_date = company, on_date
        self.currency = company.currency
        self.costs = lock_costs(company.pk, product_ids)
        self.layers: list[dict] = []  # new layers as {attname: value}: no instances
        self.consumed: dict[int, ValuationLayer] = {}
        self.postings: list[Posting] = []
        # Every product's open layers in one read, oldest first: new layers are written
        # only at save(), so nothing else changes them during the call.
        self.open: dict[int, list[ValuationLayer]] = defaultdict(list)
        for layer in ValuationLayer.objects.filter(
            company_id=company.pk, product_id__in=list(product_ids), remaining_quantity__gt=0
        ).order_by("date", "id"):
            self.open[layer.product_id].append(layer)

    def money(self, amount: Decimal) -> Decimal:
        return round_money(amount, self.currency)

    # --- in ------------------------------------------------------------------------
    def receive(self, move: StockMove, quantity: Decimal, unit_cost: Decimal, role: str) -> dict:
        """`quantity` arrives at `unit_cost`: a new layer (its {attname: value}), FIFO
        keeps what is left of it."""
        value = self.money(quantity * unit_cost)
        fifo = costing_method(move.product) == FIFO
        layer = {
            "company_id": self.company.pk,
            "product_id": move.product_id,
            "move_id": move.pk,
            "date": self.on_date,
            "quantity": quantity,
            "unit_cost": unit_cost,
            "value": value,
            "remaining_quantity": quantity if fifo else ZERO,
            "remaining_value": value if fifo else ZERO,
            "description": f"{move.transfer} {move.product}"[:200],
        }
        cost = self.costs[move.product_id]
        cost.quantity += quantity
        cost.value += value
        self.layers.append(layer)
        self.postings.append(Posting(role, value, True, str(move.product)))
        return layer

    # --- out -----------------------------------------------------------------------
    def deliver(self, move: StockMove, quantity: Decimal, role: str) -> Decimal:
        """`quantity` leaves: valued from the oldest layers left (FIFO) or at the
        average cost; what goes beyond the stock valued is taken at the cost price."""
        cost = self.costs[move.product_id]
        if costing_method(move.product) == FIFO:
            value, short = self._consume_fifo(move.product_id, quantity)
        else:
            value, short = self._consume_average(cost, quantity)
        if short > 0:
            value += self.money(short * move.product.cost_price)
        cost.quantity -= quantity
        cost.value -= value
        self.layers.append(
            {
                "company_id": self.company.pk,
                "product_id": move.product_id,
                "move_id": move.pk,
                "date": self.on_date,
                "quantity": -quantity,
                "unit_cost": (value / quantity).quantize(Decimal("0.0001")),
                "value": -value,
                "description": f"{move.transfer} {move.product}"[:200],
            }
        )
        self.postings.append(Posting(role, value, False, str(move.product)))
        return value

    def _consume_average(self, cost: ProductCost, quantity: Decimal) -> tuple[Decimal, Decimal]:
        if cost.quantity <= 0:
            return ZERO, quantity
        if quantity >= cost.quantity:
            return cost.value, quantity - cost.quantity
        return self.money(cost.value * quantity / cost.quantity), ZERO

    def _consume_fifo(self, product_id: int, quantity: Decimal) -> tuple[Decimal, Decimal]:
        left, value = quantity, ZERO
        for layer in self.open[product_id]:
            if left == 0:
                break
            if layer.remaining_quantity <= 0:
                continue
            take = min(left, layer.remaining_quantity)
            if take == layer.remaining_quantity:
                part = layer.remaining_value
            else:
                part = self.money(layer.remaining_value * take / layer.remaining_quantity)
            layer.remaining_quantity -= take
            layer.remaining_value -= part
            self.consumed[layer.pk] = layer
            left -= take
            value += part
        return value, left

    # --- the books -----------------------------------------------------------------
    def save(self, *, source, ref: str, by=None) -> None:
        """Write the layers and cost rows and post the entry (when the company keeps
        books and something is worth posting)."""
        # core.bulk_insert: Django's bulk_update builds a CASE per row and field, which
        # cost more than the rest of validating a 1,000-line transfer.
        insert_values(ValuationLayer, self.layers)
        update_rows(
            ValuationLayer, list(self.consumed.values()), ["remaining_quantity", "remaining_value"]
        )
        update_rows(ProductCost, list(self.costs.values()), ["quantity", "value"])
        post(self.company, self.postings, on_date=self.on_date, source=source, ref=ref, by=by)


def post(company: Company, postings: list[Posting], *, on_date, source, ref: str, by=None):
    """One entry: the stock account against each counterpart role, a debit and a
    credit total per role; nothing when the company keeps no books or all is zero."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for posting in postings:
        stock_side, other_side = ("debit", "credit") if posting.incoming else ("credit", "debit")
        totals[(Role.STOCK, stock_side)] += posting.value
        totals[(posting.role, other_side)] += posting.value
    return post_totals(company, totals, on_date=on_date, source=source, ref=ref, by=by)


def post_totals(
    company: Company, totals: dict[tuple[str, str], Decimal], *, on_date, source, ref, by=None
):
    """Post {(role, "debit" | "credit"): amount} as one entry in the stock journal;
    nothing when the company keeps no books or every amount is zero."""
    lines = [
        Line(role=role, **{side: amount}, label=ref)
        for (role, side), amount in totals.items()
        if amount != 0
    ]
    if not lines or not keeps_books(company.pk):
        return None
    spec = EntrySpec(
        journal=stock_journal(company.pk), date=on_date, lines=lines, ref=ref, source=source
    )
    return post_entries(company, [spec], by=by)[0]


def return_cost(move: StockMove, cost: ProductCost) -> Decimal:
    """What a unit coming back from a customer is worth: the cost it last left with."""
    last = (
        ValuationLayer.objects.filter(
            company_id=move.transfer.company_id,
            product_id=move.product_id,
            quantity__lt=0,
            move__destination__usage=U.CUSTOMER,
        )
        .order_by("-date", "-id")
        .first()
    )
    if last is not None:
        return last.unit_cost
    return cost.average_cost or move.product.cost_price


def value_moves(
    transfer, done: list[tuple[StockMove, Decimal]], *, on_date: dt.date, by=None
) -> None:
    """Value what a validated transfer moved across the edge of the counted stock."""
    valued = [(move, quantity) for move, quantity in done if is_valued(move) and quantity > 0]
    if not valued:
        return
    valuation = Valuation(transfer.company, [m.product_id for m, _ in valued], on_date)
    for move, quantity in valued:
        if move.destination.keeps_stock:
            outside = move.source.usage
            cost = valuation.costs[move.product_id]
            if move.unit_cost is not None:
                unit_cost = move.unit_cost
            elif outside == U.SUPPLIER:
                unit_cost = move.product.cost_price
            elif outside == U.CUSTOMER:
                unit_cost = return_cost(move, cost)
            else:
                unit_cost = cost.average_cost or move.product.cost_price
            role = Role.COGS if outside == U.CUSTOMER else COUNTERPART[outside]
            valuation.receive(move, quantity, unit_cost, role)
        else:
            valuation.deliver(move, quantity, COUNTERPART[move.destination.usage])
    valuation.save(source=transfer, ref=f"{transfer} valuation", by=by)
