"""Demo books: the generic chart, the five journals, fiscal years covering the last
twelve months, standard taxes and about 200 balanced entries (deterministic)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.parties.models import Party

from .models import Account, Journal, Tax
from .services import chart, posting
from .services.taxes import save_tax, tax_entry_lines
from .taxes import compute_taxes

D = Decimal
ENTRIES = 200


def _taxes(company) -> dict[str, Tax]:
    specs = [
        ("VAT 20%", "20", Tax.Use.SALE, "tax_payable"),
        ("VAT 5.5%", "5.5", Tax.Use.SALE, "tax_payable"),
        ("Input VAT 20%", "20", Tax.Use.PURCHASE, "tax_receivable"),
    ]
    found = {}
    for name, rate, use, role in specs:
        tax = Tax.objects.filter(company=company, name=name, use=use).first()
        found[name] = tax or save_tax(
            Tax(company=company, name=name, amount=D(rate), use=use, account_role=role)
        )
    return found


def load(company, fake, *, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    start = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    chart.setup_books(company, on_date=today)
    for year in {company.fiscal_year_of(start), company.fiscal_year_of(today)}:
        chart.ensure_fiscal_year(company, year)
    if Journal.objects.filter(company=company, entries__isnull=False).exists():
        return
    journals = {j.code: j for j in Journal.objects.filter(company=company)}
    taxes = _taxes(company)
    customers = list(Party.objects.filter(company=company, is_customer=True).order_by("pk")[:20])
    suppliers = list(Party.objects.filter(company=company, is_supplier=True).order_by("pk")[:20])
    span = (today - start).days
    specs = [
        posting.EntrySpec(
            journal=journals["GEN"],
            date=start,
            ref="Share capital paid in",
            lines=[
                posting.Line(role="bank", debit=D("50000.00")),
                posting.Line(
                    account=Account.objects.get(company=company, code="3000"), credit=D("50000.00")
                ),
            ],
        )
    ]
    for n in range(ENTRIES - 1):
        day = start + dt.timedelta(days=fake.random_int(0, span))
        amount = D(fake.random_int(2_000, 250_000)) / 100
        kind = n % 5
        if kind in (0, 1):  # a sale, standard or reduced rate
            customer = fake.random_element(customers) if customers else None
            tax = taxes["VAT 20%" if kind == 0 else "VAT 5.5%"]
            result = compute_taxes([amount], [tax])
            lines = [
                posting.Line(role="receivable", debit=result.total, party=customer),
                posting.Line(role="revenue", credit=result.untaxed),
                *tax_entry_lines(result, party=customer),
            ]
            specs.append(posting.EntrySpec(journals["SAL"], day, lines, ref=f"Sale {n + 1}"))
        elif kind == 2:  # a vendor bill
            supplier = fake.random_element(suppliers) if suppliers else None
            result = compute_taxes([amount], [taxes["Input VAT 20%"]])
            lines = [
                posting.Line(role="expense", debit=result.untaxed),
                *tax_entry_lines(result),
                posting.Line(role="payable", credit=result.total, party=supplier),
            ]
            specs.append(posting.EntrySpec(journals["PUR"], day, lines, ref=f"Bill {n + 1}"))
        elif kind == 3:  # a customer pays
            customer = fake.random_element(customers) if customers else None
            lines = [
                posting.Line(role="bank", debit=amount),
                posting.Line(role="receivable", credit=amount, party=customer),
            ]
            specs.append(posting.EntrySpec(journals["BNK"], day, lines, ref=f"Receipt {n + 1}"))
        else:  # salaries or rent paid from the bank
            lines = [
                posting.Line(role="salaries", debit=amount),
                posting.Line(role="bank", credit=amount),
            ]
            specs.append(posting.EntrySpec(journals["BNK"], day, lines, ref=f"Payroll {n + 1}"))
    specs.sort(key=lambda spec: spec.date)
    posting.post_entries(company, specs)
