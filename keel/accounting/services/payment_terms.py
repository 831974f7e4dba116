"""Payment terms: save one with its instalments, and split a total into exact
instalments with their due dates."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from keel.core.errors import InvalidInput
from keel.core.money import round_money, to_decimal
from keel.core.transactions import atomic_service

from ..models import PaymentTerm, PaymentTermLine

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Instalment:
    due_date: dt.date
    amount: Decimal


def due_date_of(invoice_date: dt.date, days: int, end_of_month: bool) -> dt.date:
    """`days` after the invoice date, then (if asked) the last day of that month."""
    day = invoice_date + dt.timedelta(days=days)
    if end_of_month:
        day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return day


def instalments(
    term: PaymentTerm | None,
    total: Decimal,
    invoice_date: dt.date,
    currency: str,
    lines: list[PaymentTermLine] | None = None,
) -> list[Instalment]:
    """The instalments of `total`: each line's share rounded to the currency, the
    last one taking the remainder, so they add up to `total` exactly. No term:
    one instalment due on the invoice date."""
    total = to_decimal(total)
    rows = lines if lines is not None else (list(term.lines.all()) if term else [])
    if not rows:
        return [Instalment(invoice_date, total)]
    result, allotted = [], Decimal(0)
    for position, row in enumerate(rows):
        if position == len(rows) - 1:
            amount = total - allotted
        else:
            amount = round_money(total * to_decimal(row.percent) / HUNDRED, currency)
        allotted += amount
        result.append(Instalment(due_date_of(invoice_date, row.days, row.end_of_month), amount))
    return result


@atomic_service
def save_payment_term(
    company, name: str, lines: list[dict], *, term: PaymentTerm | None = None, by=None
) -> PaymentTerm:
    """Create (or replace the instalments of) a term; the shares must add up to 100%."""
    if not lines:
        raise InvalidInput("A payment term needs at least one instalment.", field="lines")
    total = sum((to_decimal(str(line["percent"])) for line in lines), Decimal(0))
    if total != HUNDRED:
        raise InvalidInput(f"The instalments add up to {total}%, not 100%.", field="lines")
    for position, line in enumerate(lines, 1):
        if to_decimal(str(line["percent"])) <= 0 or int(line.get("days", 0)) < 0:
            raise InvalidInput(
                f"Instalment {position}: give a positive share and days ≥ 0.", field="lines"
            )
    if term is None:
        term = PaymentTerm(company=company, created_by=by)
    term.name, term.updated_by = name, by
    term.save()
    term.lines.all().delete()
    PaymentTermLine.objects.bulk_create(
        PaymentTermLine(
            term=term,
            sequence=position * 10,
            percent=to_decimal(str(line["percent"])),
            days=int(line.get("days", 0)),
            end_of_month=bool(line.get("end_of_month", False)),
        )
        for position, line in enumerate(lines, 1)
    )
    return term
