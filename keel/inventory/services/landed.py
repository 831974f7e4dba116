"""Landed costs: freight, duty or insurance paid to land a receipt is split over its
moves (by quantity, weight or value; largest remainder, to the cent) and added to
their valuation layers. What is still in stock of a move raises the stock value
(Dr stock); the share of goods already gone is cost of goods sold (Dr COGS); the
whole is credited to stock interim (received), where the carrier's bill clears it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from keel.accounting.models import AccountRole
from keel.core.errors import InvalidInput
from keel.core.events import publish
from keel.core.models import Company
from keel.core.money import allocate, round_money, to_decimal
from keel.core.transactions import atomic_service

from ..events import LandedCostAdded
from ..models import LandedCost, LandedCostLine, Location, ProductCost, Transfer, ValuationLayer
from .valuation import FIFO, ZERO, costing_method, lock_costs, post_totals

Split = LandedCost.Split


def _amount(value, currency: str) -> Decimal:
    try:
        amount = to_decimal(value)
    except (TypeError, ArithmeticError, ValueError) as error:
        raise InvalidInput(f"'{value}' is not an amount.", field="amount") from error
    if amount <= 0 or round_money(amount, currency) != amount:
        raise InvalidInput(
            f"A landed cost is a positive amount in {currency} cents, not {value}.",
            field="amount",
        )
    return amount


@atomic_service
def add_landed_cost(
    company: Company,
    *,
    receipt: Transfer,
    amount,
    split_by: str,
    weights: dict[int, Decimal] | None = None,
    on_date: dt.date,
    description: str = "",
    by=None,
) -> LandedCost:
    """Add `amount` to the value of a done receipt's goods. `weights` gives the weight
    of each move (by move id) when splitting by weight."""
    currency = company.currency
    amount = _amount(amount, currency)
    if split_by not in Split.values:
        raise InvalidInput(
            f"Split by quantity, weight or value, not '{split_by}'.", field="split_by"
        )
    receipt = Transfer.objects.select_for_update(of=("self",)).get(pk=receipt.pk)
    if receipt.company_id != company.pk:
        raise InvalidInput(f"{receipt} belongs to another company.", field="receipt")
    if receipt.status != Transfer.Status.DONE or receipt.source.usage != Location.Usage.SUPPLIER:
        raise InvalidInput(
            f"{receipt} is not a done receipt from a supplier; land costs on one that is.",
            field="receipt",
        )
    layers = list(
        ValuationLayer.objects.filter(move__transfer=receipt, quantity__gt=0, adds_to__isnull=True)
        .select_related("move__product__category")
        .order_by("move__sequence", "move_id")
    )
    if not layers:
        raise InvalidInput(f"{receipt} has no valued goods to land costs on.", field="receipt")
    bases = _bases(layers, split_by, weights or {})
    shares = allocate(amount, bases, currency)
    costs = lock_costs(company.pk, [layer.product_id for layer in layers])
    # Re-read the layers under the products' locks: deliveries may have consumed them.
    fresh = ValuationLayer.objects.in_bulk([layer.pk for layer in layers])
    landed = LandedCost.objects.create(
        company=company,
        receipt=receipt,
        date=on_date,
        amount=amount,
        split_by=split_by,
        description=description,
        created_by=by,
        updated_by=by,
    )
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    additions, lines = [], []
    for layer, basis, share in zip((fresh[x.pk] for x in layers), bases, shares, strict=True):
        product = layer.move.product if layer.move_id else None
        cost = costs[layer.product_id]
        if costing_method(product) == FIFO:
            in_stock = round_money(share * layer.remaining_quantity / layer.quantity, currency)
            layer.remaining_value += in_stock
        else:
            in_stock = share if cost.quantity > 0 else ZERO
        cost.value += in_stock
        totals[(AccountRole.STOCK, "debit")] += in_stock
        totals[(AccountRole.COGS, "debit")] += share - in_stock
        totals[(AccountRole.STOCK_INTERIM_RECEIVED, "credit")] += share
        lines.append(
            LandedCostLine(landed_cost=landed, move_id=layer.move_id, basis=basis, amount=share)
        )
        additions.append(
            ValuationLayer(
                company=company,
                product_id=layer.product_id,
                move_id=layer.move_id,
                date=on_date,
                quantity=ZERO,
                value=in_stock,
                adds_to=layer,
                description=f"Landed cost on {receipt}"[:200],
            )
        )
    LandedCostLine.objects.bulk_create(lines)
    ValuationLayer.objects.bulk_create(additions)
    ValuationLayer.objects.bulk_update(list(fresh.values()), ["remaining_value"])
    ProductCost.objects.bulk_update(list(costs.values()), ["value"])
    post_totals(
        company, totals, on_date=on_date, source=landed, ref=f"Landed cost on {receipt}", by=by
    )
    publish(
        LandedCostAdded(landed_cost_id=landed.pk, receipt_id=receipt.pk, amount=str(amount)),
        company=company,
    )
    return landed


def _bases(layers: list[ValuationLayer], split_by: str, weights: dict) -> list[Decimal]:
    if split_by == Split.QUANTITY:
        return [layer.quantity for layer in layers]
    if split_by == Split.VALUE:
        bases = [layer.value for layer in layers]
    else:
        bases = []
        for layer in layers:
            weight = weights.get(layer.move_id)
            if weight is None:
                raise InvalidInput(
                    f"Give the weight of {layer.move.product} to split by weight.",
                    field="weights",
                )
            bases.append(to_decimal(str(weight)))
    if any(b < 0 for b in bases) or sum(bases, ZERO) <= 0:
        raise InvalidInput(
            f"The {split_by}s to split by must add up to more than 0.", field="weights"
        )
    return bases
