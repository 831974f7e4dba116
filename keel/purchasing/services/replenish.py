"""Reorder-driven buying: replenishment needs below minimum become draft RFQs to the
products' preferred vendors, one per vendor and warehouse, each quantity raised to
the vendor's minimum order quantity."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.inventory.selectors.replenishment import replenishment_needs

from ..models import Rfq
from ..selectors import open_replenishment_products, preferred_prices
from .rfqs import create_rfq


@dataclass
class Replenished:
    rfqs: list[Rfq] = field(default_factory=list)
    without_vendor: list[str] = field(default_factory=list)  # products nobody is preferred for
    already_asked: list[str] = field(default_factory=list)  # on an open replenishment RFQ


@atomic_service
def replenish(company: Company, *, today: dt.date | None = None, by=None) -> Replenished:
    """Draft RFQs for what falls below its minimum; a product already on an open RFQ
    of an earlier run is not asked for twice."""
    today = today or timezone.localdate()
    needs = replenishment_needs(company, today=today)
    result = Replenished()
    if not needs:
        return result
    prices = preferred_prices(company, {n.rule.product_id for n in needs}, today)
    asked = open_replenishment_products(company.pk)
    groups: dict[tuple, list] = defaultdict(list)
    for need in needs:
        product, warehouse = need.rule.product, need.rule.warehouse
        if (product.pk, warehouse.pk) in asked:
            result.already_asked.append(str(product))
            continue
        price = prices.get(product.pk)
        if price is None:
            result.without_vendor.append(str(product))
            continue
        quantity = max(need.quantity, price.minimum_order_quantity)
        groups[(price.vendor, warehouse, price.currency)].append(
            {"product": product, "quantity": quantity, "need_by": need.on_date}
        )
    for (vendor, warehouse, currency), lines in sorted(
        groups.items(), key=lambda item: (item[0][0].name, item[0][1].code)
    ):
        result.rfqs.append(
            create_rfq(
                company,
                warehouse=warehouse,
                vendors=[vendor],
                lines=lines,
                currency=currency,
                need_by=min(line["need_by"] for line in lines),
                origin=Rfq.Origin.REPLENISHMENT,
                by=by,
            )
        )
    return result
