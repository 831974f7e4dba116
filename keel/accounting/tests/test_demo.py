"""The demo books: a year of invoices, bills, payments, credit notes and a bank
statement for the demo customers, all posted through the services."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Sum
from faker import Faker

from keel.parties import demo as parties_demo
from keel.products import demo as products_demo

from .. import demo
from ..models import (
    BankStatement,
    CurrencyRate,
    Invoice,
    JournalEntry,
    OpenItem,
    Payment,
    Reconciliation,
)
from ..selectors import balance_differences, balance_sheet, first_broken_link, trial_balance
from ..selectors.aged import BUCKETS, aged_balance
from ..selectors.invoices import control_differences

D = Decimal
TODAY = dt.date(2026, 11, 24)


def _closing(company, code: str) -> Decimal:
    rows = trial_balance(company.pk, dt.date(2000, 1, 1), TODAY)["rows"]
    return next(row["closing"] for row in rows if row["code"] == code)


def _counts(company) -> dict[str, int]:
    return {
        model.__name__: model.objects.filter(company=company).count()
        for model in (JournalEntry, Invoice, Payment, OpenItem, Reconciliation, BankStatement)
    }


def test_a_year_of_demo_books_balances_and_shows_every_state(company):
    """Given the demo company's parties and catalogue (which the CRM demo sells to),
    when its books are loaded as of 24 November 2026 (and loaded again), then:
    every balance matches its lines and the hash chain verifies; receivables and
    payables equal the open items left on them; invoices are unpaid, partly paid,
    paid, cancelled and credited, EUR ones booked exchange differences; aged
    receivables fill every bucket; October's CAMT.053 statement is confirmed, its
    lines for payments (and payroll) booked by their entries and four lines nobody
    booked waiting in suspense; and
    the second load added nothing."""
    # Given
    fake = Faker("en_US")
    fake.seed_instance(2026)
    parties_demo.load(company, fake)
    products_demo.load(company, fake)
    # When
    demo.load(company, fake, today=TODAY)
    loaded = _counts(company)
    demo.load(company, fake, today=TODAY)
    # Then the books balance and the subledgers agree
    assert _counts(company) == loaded
    assert loaded == {
        "JournalEntry": 377,
        "Invoice": 184,
        "Payment": 171,
        "OpenItem": 383,
        "Reconciliation": 182,
        "BankStatement": 1,
    }
    assert balance_sheet(company.pk, TODAY)["balanced"] is True
    assert balance_differences(company.pk) == []
    assert first_broken_link(company.pk) == (None, loaded["JournalEntry"])
    assert control_differences(company.pk) == {}
    assert control_differences(company.pk, "payable") == {}
    items = OpenItem.objects.filter(company=company)
    receivable = items.filter(account__role="receivable").aggregate(s=Sum("residual"))["s"]
    payable = items.filter(account__role="payable").aggregate(s=Sum("residual"))["s"]
    assert (_closing(company, "1100"), _closing(company, "2000")) == (receivable, payable)
    assert (receivable, payable) == (D("102077.24"), D("-8494.80"))
    # Then documents are in every state
    documents = Invoice.objects.filter(company=company)
    assert Counter(documents.values_list("kind", "status", "payment_status")) == {
        ("out_invoice", "posted", "not_paid"): 19,
        ("out_invoice", "posted", "partial"): 12,
        ("out_invoice", "posted", "paid"): 89,
        ("out_invoice", "cancelled", "not_paid"): 2,  # settled by their reversal, not paid
        ("out_refund", "posted", "paid"): 2,
        ("in_invoice", "posted", "not_paid"): 3,
        ("in_invoice", "posted", "paid"): 57,
    }
    credited = documents.filter(kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE).order_by("date")
    assert [(c.reversed_invoice.number, c.amount_total) for c in credited] == [
        ("INV/2026/00021", D("912.00")),
        ("INV/2026/00095", D("4054.61")),
    ]
    euro = documents.filter(currency="EUR").order_by("date")
    assert [(e.number, e.amount_total, e.rate) for e in euro] == [
        ("INV/2026/00005", D("4380.00"), D("1.0523")),
        ("INV/2026/00039", D("6770.00"), D("1.0779")),
        ("INV/2026/00069", D("6270.00"), D("1.1287")),
        ("INV/2026/00104", D("8750.00"), D("1.1155")),
    ]
    assert (_closing(company, "4900"), _closing(company, "6950")) == (D("-239.89"), D("124.15"))
    assert CurrencyRate.objects.filter(company=company).count() == 13
    # Then aged receivables fill every bucket
    totals = aged_balance(company.pk, TODAY)["totals"]
    assert {bucket: totals[bucket] for bucket in BUCKETS} == {
        "current": D("35011.08"),
        "days_1_30": D("30143.59"),
        "days_31_60": D("20161.40"),
        "days_61_90": D("6397.83"),
        "over_90": D("10363.34"),
    }
    # Then October's statement is confirmed, part matched, part in suspense
    statement = BankStatement.objects.get(company=company)
    assert (statement.balance_start, statement.balance_end) == (D("52864.69"), D("31429.53"))
    assert (statement.name, statement.format, statement.status) == (
        "KB-2026-10",
        BankStatement.Format.CAMT053,
        BankStatement.Status.CONFIRMED,
    )
    lines = list(statement.lines.select_related("entry").order_by("sequence"))
    payments = set(Payment.objects.filter(company=company).values_list("entry_id", flat=True))
    matched = [line for line in lines if line.entry_id in payments]
    waiting = [
        (line.amount, line.counterparty, line.label)
        for line in lines
        if line.entry.lines.filter(account__role="suspense").exists()
    ]
    assert (len(lines), len(matched)) == (20, 15)
    assert waiting == [
        (D("-86.40"), "Office Depot #1187", "Card 4921"),
        (D("4383.12"), "Hahn and Sons", "Payment INV/2025/00001"),
        (D("-35.00"), "Keystone Bank", "Account maintenance fee"),
        (D("6.18"), "Keystone Bank", "Interest"),
    ]
    october = trial_balance(company.pk, dt.date(2000, 1, 1), dt.date(2026, 10, 31))["rows"]
    assert next(r["closing"] for r in october if r["code"] == "1000") == statement.balance_end
    assert _closing(company, "1900") == -sum(amount for amount, _, _ in waiting)
