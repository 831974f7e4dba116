"""Payments and reconciliation: partial payments, one payment across several
invoices, credit notes, write-offs within a tolerance, realised exchange
differences, unreconcile; the receivable always equals the open items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ..models import Invoice, JournalEntry, JournalLine, OpenItem, Payment, Reconciliation
from ..selectors.invoices import control_differences, residual_of
from ..services import invoices
from ..services.currency import set_rate
from ..services.payment_terms import save_payment_term
from ..services.payments import (
    OverPayment,
    WriteOffRefused,
    register_payment,
    set_write_off_tolerance,
    unreconcile_payment,
)
from ..services.reconciliation import reconcile_documents
from .factories import invoice, party

D = Decimal
JAN = dt.date(2026, 1, 15)


def _status(document) -> str:
    return Invoice.objects.get(pk=document.pk).payment_status


def _lines(entry: JournalEntry):
    return [
        (line.account.role, line.debit, line.credit)
        for line in entry.lines.select_related("account").order_by("sequence")
    ]


def _snapshot():
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        Payment.objects.count(),
        Reconciliation.objects.count(),
        sorted(OpenItem.objects.values_list("pk", "residual")),
    )


def test_30_70_term_partial_payment_then_credit_note_reconciles_fully(company, books):
    """Given an invoice of 1,000.00 on 30% now / 70% at 30 days end of month,
    When the customer pays 300.00 and we credit the remaining 700.00,
    Then the invoice is partial after the payment and paid after the credit note,
    and the receivable equals the open items throughout."""
    term = save_payment_term(
        company, "30/70", [{"percent": "30"}, {"percent": "70", "days": 30, "end_of_month": True}]
    )
    customer = party(company)
    document = invoice(
        company,
        customer,
        [{"description": "Implementation", "quantity": 4, "unit_price": "250.00"}],
        payment_term=term,
    )
    assert (document.amount_total, document.due_date) == (D("1000.00"), dt.date(2026, 2, 28))
    # When: the first instalment is paid
    payment = register_payment(
        company, party=customer, amount="300.00", date=dt.date(2026, 1, 20), invoices=[document.pk]
    )
    # Then
    assert _lines(payment.entry) == [("bank", D("300.00"), D(0)), ("receivable", D(0), D("300.00"))]
    assert _status(document) == "partial" and residual_of(document) == D("700.00")
    first, second = OpenItem.objects.filter(invoice=document).order_by("due_date")
    assert (first.residual, second.residual) == (D("0.00"), D("700.00"))
    assert control_differences(company.pk) == {}
    # When: a credit note of 700.00 is posted and reconciled with the invoice
    credit = invoices.credit_note_for(
        document.pk,
        date=dt.date(2026, 2, 10),
        lines=[{"description": "Goodwill", "quantity": 1, "unit_price": "700.00"}],
    )
    credit = invoices.post_invoice(credit.pk)
    assert credit.kind == "out_refund" and credit.number == "INV/2026/00002"
    assert _lines(credit.entry) == [
        ("revenue", D("700.00"), D(0)),
        ("receivable", D(0), D("700.00")),
    ]
    reconcile_documents([document.pk, credit.pk], date=dt.date(2026, 2, 10))
    # Then
    assert _status(document) == "paid" and _status(credit) == "paid"
    assert residual_of(document) == D(0)
    assert sum(OpenItem.objects.filter(party=customer).values_list("residual", flat=True)) == 0
    assert control_differences(company.pk) == {}


def test_one_payment_settles_several_invoices_oldest_first(company, books):
    customer = party(company)
    older = invoice(company, customer, date=dt.date(2026, 1, 5))
    newer = invoice(
        company,
        customer,
        [{"description": "Support", "quantity": 1, "unit_price": "80.00"}],
        date=dt.date(2026, 1, 25),
    )
    register_payment(
        company, party=customer, amount="150.00", date=JAN, invoices=[newer.pk, older.pk]
    )
    assert (_status(older), _status(newer)) == ("paid", "partial")
    assert residual_of(newer) == D("30.00")
    assert control_differences(company.pk) == {}


def test_paying_more_than_due_without_a_write_off_is_refused_and_writes_nothing(company, books):
    customer = party(company)
    document = invoice(company, customer)
    before = _snapshot()
    with pytest.raises(OverPayment) as refused:
        register_payment(company, party=customer, amount="100.05", date=JAN, invoices=[document.pk])
    assert refused.value.status == 400
    assert "exceeds the 100.00 USD due on INV/2026/00001 by 0.05 USD" in refused.value.detail
    with pytest.raises(WriteOffRefused):  # no tolerance configured: no write-off rule
        register_payment(
            company,
            party=customer,
            amount="100.05",
            date=JAN,
            invoices=[document.pk],
            write_off=True,
        )
    assert _snapshot() == before and _status(document) == "not_paid"


def test_a_small_difference_is_written_off_within_the_tolerance(company, books):
    """Given a tolerance of 0.10, When 99.95 is paid on 100.00 with write-off,
    Then 0.05 goes to the write-off role and the invoice is paid; 0.20 short is refused."""
    set_write_off_tolerance(company, "0.10")
    customer = party(company)
    document = invoice(company, customer)
    with pytest.raises(WriteOffRefused, match="0.20 USD exceeds the write-off tolerance of 0.10"):
        register_payment(
            company,
            party=customer,
            amount="99.80",
            date=JAN,
            invoices=[document.pk],
            write_off=True,
        )
    payment = register_payment(
        company, party=customer, amount="99.95", date=JAN, invoices=[document.pk], write_off=True
    )
    assert payment.write_off == D("0.05")
    assert _lines(payment.entry) == [
        ("bank", D("99.95"), D(0)),
        ("write_off", D("0.05"), D(0)),
        ("receivable", D(0), D("100.00")),
    ]
    assert _status(document) == "paid"
    # Overpaying by 0.03 within the tolerance writes it off as a credit.
    other = invoice(company, customer)
    over = register_payment(
        company, party=customer, amount="100.03", date=JAN, invoices=[other.pk], write_off=True
    )
    assert _lines(over.entry) == [
        ("bank", D("100.03"), D(0)),
        ("write_off", D(0), D("0.03")),
        ("receivable", D(0), D("100.00")),
    ]
    assert control_differences(company.pk) == {}


@pytest.mark.parametrize(
    ("rate", "exchange"),
    [
        ("1.2", [("receivable", D("10.00"), D(0)), ("fx_gain", D(0), D("10.00"))]),
        ("1.05", [("receivable", D(0), D("5.00")), ("fx_loss", D("5.00"), D(0))]),
    ],
)
def test_a_foreign_invoice_paid_at_another_rate_posts_the_exact_difference(
    company, books, rate, exchange
):
    """Given an invoice of 100.00 EUR booked at 1.10 (110.00 USD),
    When 100.00 EUR is received at another rate,
    Then the difference is posted to FX gain (or loss) and the invoice is paid."""
    set_rate(company, "EUR", dt.date(2026, 1, 1), "1.10")
    set_rate(company, "EUR", dt.date(2026, 2, 1), rate)
    customer = party(company)
    document = invoice(company, customer, currency="EUR")
    payment = register_payment(
        company,
        party=customer,
        amount="100.00",
        currency="EUR",
        date=dt.date(2026, 2, 10),
        invoices=[document.pk],
    )
    bank = D("100.00") * D(rate)
    assert _lines(payment.entry) == [("bank", bank, D(0)), ("receivable", D(0), bank)]
    exchange_entry = Reconciliation.objects.exclude(exchange_entry=None).first().exchange_entry
    assert _lines(exchange_entry) == exchange
    assert exchange_entry.journal.code == "GEN"
    assert _status(document) == "paid"
    assert sum(OpenItem.objects.values_list("residual", flat=True)) == 0
    assert control_differences(company.pk) == {}


def test_a_partial_foreign_payment_settles_its_share_at_the_booked_rate(company, books):
    """40.00 EUR of 100.00 EUR booked at 1.10 closes 44.00 USD of the invoice; received at
    1.20 it is 48.00 USD, so 4.00 is an exchange gain and 60.00 EUR (66.00 USD) stay open."""
    set_rate(company, "EUR", dt.date(2026, 1, 1), "1.10")
    set_rate(company, "EUR", dt.date(2026, 2, 1), "1.20")
    customer = party(company)
    document = invoice(company, customer, currency="EUR")
    register_payment(
        company,
        party=customer,
        amount="40.00",
        currency="EUR",
        date=dt.date(2026, 2, 10),
        invoices=[document.pk],
    )
    item = OpenItem.objects.get(invoice=document)
    assert (item.residual, item.residual_currency) == (D("66.00"), D("60.00"))
    gain = JournalLine.objects.get(account__role="fx_gain")
    assert gain.credit == D("4.00")
    assert _status(document) == "partial" and control_differences(company.pk) == {}


def test_unreconciling_a_payment_reopens_the_invoice_and_reverses_the_difference(company, books):
    set_rate(company, "EUR", dt.date(2026, 1, 1), "1.10")
    set_rate(company, "EUR", dt.date(2026, 2, 1), "1.20")
    customer = party(company)
    document = invoice(company, customer, currency="EUR")
    payment = register_payment(
        company,
        party=customer,
        amount="100.00",
        currency="EUR",
        date=dt.date(2026, 2, 10),
        invoices=[document.pk],
    )
    assert unreconcile_payment(payment.pk) == 2
    assert _status(document) == "not_paid" and residual_of(document) == D("100.00")
    gains = JournalLine.objects.filter(account__role="fx_gain")
    assert sum(line.credit - line.debit for line in gains) == 0  # difference reversed
    assert OpenItem.objects.get(payment=payment).residual == D("-120.00")
    assert control_differences(company.pk) == {}


def test_a_paid_invoice_cannot_be_cancelled_until_unreconciled(company, books):
    customer = party(company)
    document = invoice(company, customer)
    payment = register_payment(
        company, party=customer, amount="100.00", date=JAN, invoices=[document.pk]
    )
    with pytest.raises(Exception, match="unreconcile them"):
        invoices.cancel_invoice(document.pk, date=JAN, reason="oops")
    assert Invoice.objects.get(pk=document.pk).status == "posted"
    unreconcile_payment(payment.pk)
    invoices.cancel_invoice(document.pk, date=JAN, reason="oops")
    assert Invoice.objects.get(pk=document.pk).status == "cancelled"
    assert control_differences(company.pk) == {}
