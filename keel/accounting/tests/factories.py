"""Books ready to post to, for the tests of accounting and of higher domains."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.core.models import Company
from keel.parties.models import Party
from keel.parties.services.parties import create_party

from ..models import Account, Invoice, Journal, Tax
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


def sale(company, customer, amount: str, day: dt.date, *, what: str = "Consulting", **fields):
    """A posted one-line document of `amount` (a customer invoice unless `kind` says)."""
    return invoice(
        company,
        customer,
        [{"description": what, "quantity": 1, "unit_price": amount}],
        date=day,
        **fields,
    )


def bill(company, supplier, amount: str, day: dt.date, **fields):
    """A posted one-line vendor bill of `amount`."""
    return sale(
        company, supplier, amount, day, what="Supplies", kind=Invoice.Kind.VENDOR_BILL, **fields
    )


def june_books(company: Company) -> dict[str, Party]:
    """Books of 2026 (set up by `books`) seen on 15 June: seven customers owing 3,100.00
    spread over every age bucket, two suppliers owed 1,050.00 and 5,320.00 in the bank
    and the till; returns the customers by name. The accounting dashboard's story."""
    from ..services.payment_terms import save_payment_term
    from ..services.payments import register_payment
    from ..services.posting import post_entry

    journals = {j.code: j for j in Journal.objects.filter(company=company)}
    net30 = save_payment_term(company, "Net 30", [{"percent": "100", "days": 30}])
    customers = {
        name: party(company, name)
        for name in ("Acme Ltd", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne")
    }
    sale(company, customers["Acme Ltd"], "1750.00", dt.date(2026, 6, 10), payment_term=net30)
    globex = sale(company, customers["Globex"], "500.00", dt.date(2026, 5, 30))
    sale(company, customers["Initech"], "400.00", dt.date(2026, 4, 30))  # 46 days late
    sale(company, customers["Umbrella"], "300.00", dt.date(2026, 3, 31))  # 76 days late
    sale(company, customers["Hooli"], "200.00", dt.date(2026, 1, 15))  # 151 days late
    sale(company, customers["Stark"], "100.00", dt.date(2026, 6, 1))  # 14 days late
    sale(company, customers["Wayne"], "50.00", dt.date(2026, 6, 5))  # 10 days late
    register_payment(
        company,
        party=customers["Globex"],
        amount="200.00",
        date=dt.date(2026, 6, 5),
        invoices=[globex.pk],
    )
    paper = party(company, "Paper Co", is_supplier=True)
    power = party(company, "Power Co", is_supplier=True)
    bill(company, paper, "800.00", dt.date(2026, 6, 1), payment_term=net30)
    bill(company, power, "250.00", dt.date(2026, 4, 1))  # 75 days late
    post_entry(
        company,
        journals["GEN"],
        dt.date(2026, 2, 10),
        [
            {"role": "bank", "debit": Decimal("5000.00")},
            {"account": account_id(company, "3000"), "credit": Decimal("5000.00")},
        ],
        ref="Share capital paid in",
    )
    post_entry(
        company,
        journals["CSH"],
        dt.date(2026, 3, 20),
        [
            {"role": "cash", "debit": Decimal("120.00")},
            {"role": "revenue", "credit": Decimal("120.00")},
        ],
        ref="Cash sale",
    )
    return customers


def account_id(company, code: str) -> int:
    return Account.objects.get(company=company, code=code).pk
