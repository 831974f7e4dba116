"""The credit check on confirmation: the customer's open receivables plus the order
against its credit limit, and invoices overdue beyond the company's tolerance; either
holds the order with a reason a credit controller can act on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.accounting.services.currency import rate_on, to_company
from keel.core.money import format_money

from ..models import SalesOrder
from ..selectors import open_receivables, overdue_receivables, settings_of


def in_company_currency(order: SalesOrder, amount: Decimal, on_date: dt.date) -> Decimal:
    """`amount` of the order's currency in the company's, at the rate of `on_date`."""
    company = order.company
    return to_company(amount, rate_on(company, order.currency, on_date), company.currency)


def credit_excess(order: SalesOrder, on_date: dt.date) -> Decimal | None:
    """By how much the customer's open receivables plus this order (both in the
    company's currency) exceed its credit limit; None without a limit or within it."""
    limit = order.party.credit_limit
    if limit is None:
        return None
    total = in_company_currency(order, order.amount_total, on_date)
    excess = open_receivables(order.party) + total - limit
    return excess if excess > 0 else None


def hold_reason(order: SalesOrder, on_date: dt.date) -> str:
    """Why the credit check holds `order` ("" when it passes): over the credit limit,
    and invoices overdue more than the company's tolerance."""
    currency = order.company.currency
    reasons = []
    excess = credit_excess(order, on_date)
    if excess is not None:
        reasons.append(
            f"{order} exceeds {order.party}'s credit limit by "
            f"{format_money(excess, currency, symbol=True)}"
        )
    days = settings_of(order.company).overdue_days
    if days is not None:
        overdue = overdue_receivables(order.party, due_before=on_date - dt.timedelta(days=days))
        if overdue.invoices:
            invoices = "1 invoice" if overdue.invoices == 1 else f"{overdue.invoices} invoices"
            reasons.append(
                f"{order.party} has {invoices} overdue more than {days} days, "
                f"{format_money(overdue.residual, currency, symbol=True)} in all"
            )
    return "; ".join(reasons)
