"""Currency rates by date and conversion to the company's currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.core.errors import InvalidInput
from keel.core.money import round_money, to_decimal
from keel.core.transactions import atomic_service

from ..models import CurrencyRate

ONE = Decimal(1)


class RateMissing(InvalidInput):
    code = "currency_rate_missing"


def rate_on(company, currency: str, date: dt.date) -> Decimal:
    """Company currency per unit of `currency` on `date` (the latest rate on or before
    it); 1 for the company's own currency. Refuses when no rate is known yet."""
    currency = (currency or company.currency).upper()
    if currency == company.currency.upper():
        return ONE
    found = (
        CurrencyRate.objects.filter(company=company, currency=currency, date__lte=date)
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
    if found is None:
        raise RateMissing(
            f"No {currency} rate is known on or before {date.isoformat()}; add one first.",
            field="currency",
        )
    return found


def to_company(amount: Decimal, rate: Decimal, company_currency: str) -> Decimal:
    """`amount` in the company's currency at `rate`, rounded to its precision."""
    return round_money(to_decimal(amount) * rate, company_currency)


@atomic_service
def set_rate(company, currency: str, date: dt.date, rate, *, by=None) -> CurrencyRate:
    """Record (or correct) the rate of `currency` on `date`."""
    rate = to_decimal(str(rate))
    currency = currency.upper()
    if len(currency) != 3 or currency == company.currency.upper():
        raise InvalidInput(f"'{currency}' is not a foreign ISO currency code.", field="currency")
    if rate <= 0:
        raise InvalidInput("A rate must be positive.", field="rate")
    record, _ = CurrencyRate.objects.update_or_create(
        company=company,
        currency=currency,
        date=date,
        defaults={"rate": rate, "updated_by": by},
    )
    return record
