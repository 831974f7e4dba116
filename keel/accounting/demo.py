"""Demo books: the generic chart, the five journals, fiscal years covering the last
twelve months, two sales and two purchase tax rates, payment terms (one of them
30/70 in two instalments) and EUR rates; then a year of invoices, bills, payments,
credit notes and payroll (`demo_invoicing`) and last month's bank statement
imported as CAMT.053 and confirmed (`demo_bank`).

Everything goes through the services, dated relative to `today`, drawn from a
random generator with a fixed seed: the same `today` gives the same books. A
second load finds entries and does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from keel.parties.models import Party
from keel.parties.services.parties import create_party

from . import demo_bank, demo_invoicing
from .models import Journal, PaymentTerm, Tax
from .services import chart
from .services.currency import set_rate
from .services.payment_terms import save_payment_term
from .services.taxes import save_tax

D = Decimal
SEED = 2026
CUSTOMERS = 24  # the CRM demo's customer organisations the company invoices

TAXES = {
    "standard": ("VAT 20%", "20", Tax.Use.SALE, "tax_payable"),
    "reduced": ("VAT 5.5%", "5.5", Tax.Use.SALE, "tax_payable"),
    "input_standard": ("Input VAT 20%", "20", Tax.Use.PURCHASE, "tax_receivable"),
    "input_reduced": ("Input VAT 5.5%", "5.5", Tax.Use.PURCHASE, "tax_receivable"),
}
TERMS = {
    "net30": ("30 days", [{"percent": "100", "days": 30}]),
    "net15": ("15 days", [{"percent": "100", "days": 15}]),
    "split": (
        "30% now, 70% at 30 days end of month",
        [{"percent": "30"}, {"percent": "70", "days": 30, "end_of_month": True}],
    ),
}
# Suppliers created when the parties demo has none (a fresh company).
SUPPLIERS = [
    "Harbour Office Properties",
    "Metro Power & Light",
    "Atlas Hardware Distribution",
    "Swift Freight Services",
]
FALLBACK_CUSTOMERS = ["Acme Corp", "Globex", "Initech", "Umbrella Corp", "Stark Industries"]


@dataclass
class Books:
    """What the demo posts with: journals by code, taxes and terms by key."""

    company: object
    today: dt.date
    start: dt.date
    rng: random.Random
    journals: dict[str, Journal]
    taxes: dict[str, Tax]
    terms: dict[str, PaymentTerm]
    customers: list[Party]
    foreign_customer: Party
    suppliers: list[Party]


def _taxes(company) -> dict[str, Tax]:
    found = {}
    for key, (name, rate, use, role) in TAXES.items():
        tax = Tax.objects.filter(company=company, name=name, use=use).first()
        found[key] = tax or save_tax(
            Tax(company=company, name=name, amount=D(rate), use=use, account_role=role)
        )
    return found


def _terms(company) -> dict[str, PaymentTerm]:
    found = {}
    for key, (name, lines) in TERMS.items():
        term = PaymentTerm.objects.filter(company=company, name=name).first()
        found[key] = term or save_payment_term(company, name, lines)
    return found


def _months(start: dt.date, today: dt.date) -> list[dt.date]:
    """The first day of every month from `start` to `today`."""
    months, month = [], start
    while month <= today:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _rates(company, start: dt.date, today: dt.date, rng: random.Random) -> None:
    """A EUR rate on the first of every month, drifting around 1.08 USD."""
    rate = D("1.0800")
    for month in [start - dt.timedelta(days=1), *_months(start, today)]:
        set_rate(company, "EUR", month, rate)
        rate = (rate + D(rng.randint(-250, 250)) / 10_000).quantize(D("0.0001"))


def _parties(company) -> tuple[list[Party], Party, list[Party]]:
    """The CRM demo's customer organisations (the first ones, which its pipeline
    sells to) and a handful of suppliers; created when the company has none."""
    organisations = Party.objects.filter(company=company, kind=Party.Kind.ORGANISATION)
    customers = list(
        organisations.filter(is_customer=True).select_related("region").order_by("pk")[:CUSTOMERS]
    )
    if not customers:
        customers = [
            create_party(company=company, name=name, is_customer=True)
            for name in FALLBACK_CUSTOMERS
        ]
    european = [c for c in customers if c.region_id and c.region.code == "EU"]
    foreign = european[0] if european else customers[-1]
    suppliers = list(
        organisations.filter(is_supplier=True, is_customer=False).order_by("pk")[: len(SUPPLIERS)]
    )
    if len(suppliers) < len(SUPPLIERS):
        suppliers = [
            create_party(company=company, name=name, is_supplier=True) for name in SUPPLIERS
        ]
    return [c for c in customers if c != foreign] or customers, foreign, suppliers


def load(company, fake=None, *, today: dt.date | None = None) -> None:
    """Add a year of demo books to `company` (once). They draw from their own seeded
    generator, not `fake`, so they stay the same whatever loaded before them."""
    today = today or dt.date.today()
    start = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    chart.setup_books(company, on_date=today)
    for year in {company.fiscal_year_of(start), company.fiscal_year_of(today)}:
        chart.ensure_fiscal_year(company, year)
    if Journal.objects.filter(company=company, entries__isnull=False).exists():
        return
    rng = random.Random(SEED)
    _rates(company, start, today, rng)
    customers, foreign, suppliers = _parties(company)
    books = Books(
        company=company,
        today=today,
        start=start,
        rng=rng,
        journals={j.code: j for j in Journal.objects.filter(company=company)},
        taxes=_taxes(company),
        terms=_terms(company),
        customers=customers,
        foreign_customer=foreign,
        suppliers=suppliers,
    )
    demo_invoicing.load(books)
    demo_bank.load(books)
