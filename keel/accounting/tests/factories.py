"""Books ready to post to, for the tests of accounting and of higher domains."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.core.models import Company
from keel.parties.models import Party
from keel.parties.services.parties import create_party

from ..models import Journal, Tax
from ..services import chart, taxes

YEAR = 2026


def books(company: Company, *, year: int = YEAR) -> dict[str, Journal]:
    """The generic chart, the five standard journals and fiscal year `year`; the
    journals keyed by code (SAL, PUR, BNK, CSH, GEN)."""
    chart.setup_books(company, on_date=dt.date(year, 6, 1))
    return {j.code: j for j in Journal.objects.filter(company=company)}


def party(company: Company, name: str = "Acme Corp", **fields) -> Party:
    return create_party(company=company, name=name, is_customer=True, **fields)


def tax(company: Company, name: str, rate: str, **fields) -> Tax:
    return taxes.save_tax(Tax(company=company, name=name, amount=Decimal(rate), **fields))


def sale_lines(amount: str, *, party=None, revenue_role: str = "revenue") -> list[dict]:
    """An untaxed sale: receivable debit, revenue credit."""
    return [
        {"role": "receivable", "debit": Decimal(amount), "party": party},
        {"role": revenue_role, "credit": Decimal(amount)},
    ]


def invoice(company, customer, lines=None, *, date=None, post=True, **fields):
    """A customer invoice (posted unless post=False); lines default to one 100.00 line."""
    from ..services import invoices

    document = invoices.create_invoice(
        company,
        party=customer,
        date=date or dt.date(YEAR, 1, 15),
        lines=lines or [{"description": "Consulting", "quantity": 1, "unit_price": "100.00"}],
        **fields,
    )
    return invoices.post_invoice(document.pk) if post else document


def confirmed_bank_lines(company, books, *entries, name="STMT-2026-04") -> list:
    """Import a CAMT file with `entries` and confirm it: every line sits in suspense."""
    from ..services.bank import confirm_statement
    from ..services.bank_import import import_statement
    from .bank_files import camt_file

    result = import_statement(company, books["BNK"], camt_file(*entries, name=name), "camt053")
    confirm_statement(result.statement)
    return list(result.statement.lines.order_by("sequence"))


def bank_matching_state() -> tuple:
    """What matching a bank line changes: entries, payments, reconciliations, what is
    left open, which line has which payment, the documents' payment status."""
    from ..models import BankStatementLine, Invoice, JournalEntry, OpenItem, Payment, Reconciliation

    return (
        JournalEntry.objects.count(),
        Payment.objects.count(),
        Reconciliation.objects.count(),
        sorted(OpenItem.objects.values_list("pk", "residual")),
        sorted(BankStatementLine.objects.values_list("pk", "payment_id")),
        sorted(Invoice.objects.values_list("pk", "payment_status")),
    )
