"""A quotation's margin: its untaxed revenue less what its products cost the company
(average cost in stock, standard cost otherwise), in the company's currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from keel.accounting.services.currency import rate_on, to_company
from keel.core.money import round_money
from keel.inventory.selectors.costs import unit_costs

from ..models import Quotation
from ..selectors import settings_of
from .common import HUNDRED, ZERO


@dataclass(frozen=True)
class Margin:
    revenue: Decimal
    cost: Decimal

    @property
    def amount(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def percent(self) -> Decimal:
        """Margin over revenue, to two decimals (0 when nothing is sold for money)."""
        if self.revenue <= 0:
            return ZERO
        return (self.amount * HUNDRED / self.revenue).quantize(Decimal("0.01"))


def margin_of(quotation: Quotation) -> Margin:
    """Revenue (untaxed, at the quote date's rate) and product cost of `quotation`."""
    company = quotation.company
    lines = list(quotation.lines.all())
    costs = unit_costs(company.pk, [line.product_id for line in lines])
    cost = round_money(
        sum((line.quantity * costs[line.product_id] for line in lines), ZERO), company.currency
    )
    rate = rate_on(company, quotation.currency, quotation.quote_date)
    return Margin(to_company(quotation.amount_untaxed, rate, company.currency), cost)


def margin_shortfall(quotation: Quotation) -> tuple[Margin, Decimal] | None:
    """(margin, minimum) when the margin is below the company's minimum and nobody
    approved it yet; None otherwise."""
    minimum = settings_of(quotation.company).minimum_margin
    if minimum is None or quotation.margin_approved_by_id is not None:
        return None
    margin = margin_of(quotation)
    return (margin, minimum) if margin.percent < minimum else None
