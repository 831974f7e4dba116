"""Down payments: an invoice for part of a confirmed order before anything is
delivered (a percentage of it or a fixed amount, booked on the customer down
payments role), taken off the order's next invoices as a negative line, so that
everything invoiced adds up to the order's total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from keel.accounting.models import AccountRole, Invoice
from keel.accounting.selectors.chart import account_for_role
from keel.accounting.services import invoices as accounting_invoices
from keel.core.money import format_money, round_money
from keel.core.transactions import atomic_service

from ..errors import DownPaymentRefused
from ..models import SalesOrder, SalesOrderLine
from ..selectors import down_payments_outstanding
from .common import (
    HUNDRED,
    ZERO,
    decimal_of,
    link_invoice,
    lock,
    require_confirmed,
)
from .quotations import check_owner


def _net(line: SalesOrderLine, quantity: Decimal, currency: str) -> Decimal:
    """The line's untaxed amount for `quantity`, rounded as the invoice rounds it."""
    return round_money(quantity * line.unit_price * (HUNDRED - line.discount) / HUNDRED, currency)


def _taxes(order: SalesOrder, lines: list[SalesOrderLine]) -> list:
    """The taxes of the order's lines, which a down payment carries: one set for all."""
    sets = {frozenset(tax.pk for tax in line.taxes.all()) for line in lines}
    if len(sets) > 1:
        raise DownPaymentRefused(
            f"The lines of {order} carry different taxes; a down payment applies one set "
            "of taxes, so invoice the order's lines instead.",
            field="amount",
        )
    return list(lines[0].taxes.all()) if lines else []


def _line(order: SalesOrder, amount: Decimal, taxes: list, description: str) -> dict:
    return {
        "description": description,
        "quantity": 1,
        "unit_price": amount,
        "account": account_for_role(order.company, AccountRole.CUSTOMER_DOWN_PAYMENTS),
        "taxes": taxes,
    }


@atomic_service
def invoice_down_payment(
    order_id: int,
    *,
    percent=None,
    amount=None,
    on_date: dt.date | None = None,
    by=None,
) -> Invoice:
    """A posted invoice asking `percent` of the order's untaxed amount, or a fixed
    untaxed `amount`, with the order's taxes; at most what is left to invoice."""
    on_date = on_date or timezone.localdate()
    order = lock(SalesOrder, order_id, label="Sales order")
    check_owner(order, by, "invoice")
    require_confirmed(order, "invoiced")
    if (percent is None) == (amount is None):
        raise DownPaymentRefused("Give either a percentage or an amount.", field="percent")
    if percent is not None:
        percent = decimal_of(percent, field="percent", label="A down payment percentage")
        if percent > HUNDRED:
            raise DownPaymentRefused("A percentage is at most 100.", field="percent")
        amount = round_money(order.amount_untaxed * percent / HUNDRED, order.currency)
        description = f"Down payment of {percent.normalize():f}% on {order}"
    else:
        amount = round_money(
            decimal_of(amount, field="amount", label="A down payment"), order.currency
        )
        description = f"Down payment on {order}"
    lines = list(order.lines.prefetch_related("taxes"))
    asked = down_payments_outstanding(order)
    left = sum(
        (_net(line, line.quantity - line.quantity_invoiced, order.currency) for line in lines), ZERO
    )
    if amount <= 0 or amount + asked > left:
        raise DownPaymentRefused(
            f"A down payment of {_money(amount, order)} exceeds what is left to invoice "
            f"on {order}: {_money(left, order)} less {_money(asked, order)} of down "
            "payments already invoiced.",
            field="amount" if percent is None else "percent",
        )
    document = accounting_invoices.create_invoice(
        order.company,
        party=order.party,
        date=on_date,
        currency=order.currency,
        ref=order.number,
        lines=[_line(order, amount, _taxes(order, lines), description)],
        by=by,
    )
    document = accounting_invoices.post_invoice(document.pk, by=by)
    link_invoice(order, document, down_payment=amount)
    return document


def deduction_for(order: SalesOrder, billed: list[tuple[SalesOrderLine, Decimal]]):
    """The negative line taking the outstanding down payments off an invoice of
    `billed` (line, quantity), at most the invoice's untaxed amount so it stays
    positive; ([], 0) when nothing is outstanding."""
    outstanding = down_payments_outstanding(order)
    if outstanding <= 0:
        return [], ZERO
    untaxed = sum((_net(line, quantity, order.currency) for line, quantity in billed), ZERO)
    deducted = min(outstanding, untaxed)
    taxes = _taxes(order, list(order.lines.prefetch_related("taxes")))
    return [_line(order, -deducted, taxes, f"Down payments deducted on {order}")], deducted


def _money(amount, order) -> str:
    return format_money(amount, order.currency, symbol=True)
