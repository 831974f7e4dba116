"""The promises of the stock, as `keel check` verifies them (registered in apps.py)."""

from __future__ import annotations

from django.db.models import F

from keel.core.invariants import Violation
from keel.core.models import Company, Sequence
from keel.core.money import format_exact
from keel.products.models import Product

from .models import Location, StockLevel, Transfer
from .selectors import check_valuation, level_differences


def on_hand_matches_moves(company: Company) -> list[Violation]:
    """On hand per product × location × lot equals the sum of the done moves."""
    differences = level_differences(company.pk)
    if not differences:
        return []
    where = _where(differences)
    return [
        Violation(
            where(d),
            f"on hand {_qty(d.maintained)} but the done moves sum to {_qty(d.from_moves)}",
            {**_ids(d), "on_hand": d.maintained, "from_moves": d.from_moves},
        )
        for d in differences
    ]


def reserved_within_on_hand(company: Company) -> list[Violation]:
    """No stock level reserves more than it has on hand."""
    levels = list(
        StockLevel.objects.filter(company=company, reserved__gt=F("on_hand")).order_by(
            "product_id", "location_id", "lot_key"
        )
    )
    where = _where(levels)
    return [
        Violation(
            where(level),
            f"reserved {_qty(level.reserved)} exceeds on hand {_qty(level.on_hand)}",
            {**_ids(level), "reserved": level.reserved, "on_hand": level.on_hand},
        )
        for level in levels
    ]


def valuation_matches_stock_account(company: Company) -> list[Violation]:
    """The stock valuation equals the stock account's balance and the layers' history."""
    check = check_valuation(company.pk)
    if check.sound:
        return []

    def money(amount):
        return format_exact(amount, company.currency)

    figures = {
        "valuation": check.valuation,
        "stock_account": check.stock_account,
        "layers": check.layers,
    }
    found = []
    if check.difference:
        found.append(
            Violation(
                "stock valuation",
                f"the valuation is {money(check.valuation)} but the stock account holds "
                f"{money(check.stock_account)} (difference {money(check.difference)})",
                figures,
            )
        )
    if check.layers != check.valuation:
        found.append(
            Violation(
                "stock valuation layers",
                f"the layers sum to {money(check.layers)}, the valuation to "
                f"{money(check.valuation)}",
                figures,
            )
        )
    return found


def transfer_numbers(sequence: Sequence) -> list[str]:
    """The numbers of the transfers of the warehouse × kind that draws from `sequence`."""
    return list(
        Transfer.objects.filter(
            company_id=sequence.company_id, number__startswith=sequence.head
        ).values_list("number", flat=True)
    )


def _where(rows):
    """A function naming the place of a row: product SKU at location (and lot); the
    SKUs and locations of all `rows` are read in two queries."""
    skus = dict(
        Product.objects.filter(pk__in={r.product_id for r in rows}).values_list("pk", "sku")
    )
    places = {
        location.pk: str(location)
        for location in Location.objects.filter(pk__in={r.location_id for r in rows})
    }

    def where(row) -> str:
        lot = f" lot #{row.lot_id}" if row.lot_id else ""
        return f"{skus.get(row.product_id)} at {places.get(row.location_id)}{lot}"

    return where


def _ids(row) -> dict:
    return {"product_id": row.product_id, "location_id": row.location_id, "lot_id": row.lot_id}


def _qty(quantity) -> str:
    return f"{quantity.normalize():f}"
