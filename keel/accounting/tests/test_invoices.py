"""Invoices, bills and credit notes: exact totals, legal numbers at posting, the
entry they post, edits only in draft, cancellation by reversal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.errors import StaleRecord, TransitionNotAllowed
from keel.core.models import OutboxEvent

from ..events_invoicing import InvoicePaid
from ..models import Invoice, JournalEntry, OpenItem
from ..selectors.invoices import control_differences
from ..services import invoices
from ..services.currency import RateMissing, set_rate
from ..services.payment_terms import save_payment_term
from .factories import invoice as make_invoice
from .factories import party, tax

D = Decimal


def _entry_rows(document):
    return [
        (line.account.role, line.debit, line.credit, line.amount_currency, line.party_id)
        for line in document.entry.lines.select_related("account").order_by("sequence")
    ]


def test_two_included_tax_rates_rounded_per_line_give_exact_totals(company, books):
    """Given prices that include VAT 20% and 5.5%, rounded per line,
    When the invoice is posted,
    Then each line's tax is rounded on its own and the totals add up to the cent."""
    vat20 = tax(company, "VAT 20% incl.", "20", price_include=True)
    vat55 = tax(company, "VAT 5.5% incl.", "5.5", price_include=True)
    customer = party(company)
    # Given
    draft = invoices.create_invoice(
        company,
        party=customer,
        date=dt.date(2026, 3, 10),
        lines=[
            {"description": "Mugs", "quantity": 3, "unit_price": "9.99", "taxes": [vat20]},
            {"description": "Book", "quantity": 1, "unit_price": "7.77", "taxes": [vat55]},
            {
                "description": "Poster",
                "quantity": 1,
                "unit_price": "19.99",
                "discount": "10",
                "taxes": [vat20],
            },
        ],
    )
    assert [(ln.amount_untaxed, ln.amount_total) for ln in draft.lines.all()] == [
        (D("24.97"), D("29.97")),  # 29.97 / 1.2 = 24.975: tax 4.995 -> 5.00
        (D("7.36"), D("7.77")),  # 7.77 / 1.055: tax 0.40507 -> 0.41
        (D("14.99"), D("17.99")),  # 17.991 -> 17.99; tax 2.9983 -> 3.00
    ]
    assert (draft.amount_untaxed, draft.amount_tax, draft.amount_total) == (
        D("47.32"),
        D("8.41"),
        D("55.73"),
    )
    assert draft.number == "" and draft.status == "draft"
    # When
    posted = invoices.post_invoice(draft.pk)
    # Then
    assert posted.number == "INV/2026/00001" and posted.status == "posted"
    assert posted.entry.number == posted.number
    assert _entry_rows(posted) == [
        ("revenue", D(0), D("24.97"), D("-24.97"), None),
        ("revenue", D(0), D("7.36"), D("-7.36"), None),
        ("revenue", D(0), D("14.99"), D("-14.99"), None),
        ("tax_payable", D(0), D("8.00"), D("-8.00"), None),
        ("tax_payable", D(0), D("0.41"), D("-0.41"), None),
        ("receivable", D("55.73"), D(0), D("55.73"), customer.pk),
    ]
    assert control_differences(company.pk) == {}


def test_legal_numbers_are_assigned_at_posting_in_order(company, books):
    """Drafts have no number; posting draws the next number of the journal's year."""
    customer = party(company)
    first = make_invoice(company, customer, post=False)
    second = make_invoice(company, customer, post=False)
    invoices.post_invoice(second.pk)
    invoices.post_invoice(first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.number, first.number) == ("INV/2026/00001", "INV/2026/00002")


def test_a_30_70_term_opens_one_item_per_instalment(company, books):
    term = save_payment_term(
        company,
        "30/70",
        [{"percent": "30"}, {"percent": "70", "days": 30, "end_of_month": True}],
    )
    document = make_invoice(
        company,
        party(company),
        [{"description": "Project", "quantity": 1, "unit_price": "1000.01"}],
        payment_term=term,
    )
    items = list(OpenItem.objects.filter(invoice=document).order_by("due_date"))
    assert [(i.due_date, i.amount, i.residual) for i in items] == [
        (dt.date(2026, 1, 15), D("300.00"), D("300.00")),
        (dt.date(2026, 2, 28), D("700.01"), D("700.01")),
    ]
    assert document.due_date == dt.date(2026, 2, 28)


def test_each_instalment_line_carries_its_due_date_so_aged_receivables_age_from_it(company, books):
    """Given a 30/70 term, when an invoice of 1,000.01 dated 15 Jan 2026 is posted,
    then its receivable lines are due 15 Jan and 28 Feb, and on 10 Feb the aged
    receivables show 300.00 as 1-30 days late and 700.01 as not yet due."""
    from ..selectors.aged import aged_balance

    term = save_payment_term(
        company, "30/70", [{"percent": "30"}, {"percent": "70", "days": 30, "end_of_month": True}]
    )
    # When
    document = make_invoice(
        company,
        party(company),
        [{"description": "Project", "quantity": 1, "unit_price": "1000.01"}],
        payment_term=term,
    )
    # Then
    lines = document.entry.lines.filter(account__role="receivable").order_by("sequence")
    assert [(line.due_date, line.debit) for line in lines] == [
        (dt.date(2026, 1, 15), D("300.00")),
        (dt.date(2026, 2, 28), D("700.01")),
    ]
    totals = aged_balance(company.pk, dt.date(2026, 2, 10))["totals"]
    assert (totals["current"], totals["days_1_30"]) == (D("700.01"), D("300.00"))


def test_only_drafts_are_edited_and_a_stale_version_is_412(company, books):
    customer = party(company)
    draft = make_invoice(company, customer, post=False)
    changed = invoices.update_invoice(
        draft.pk,
        version=draft.version,
        ref="PO-7",
        lines=[{"description": "More", "quantity": 2, "unit_price": "50.50"}],
    )
    assert (changed.version, changed.amount_total, changed.ref) == (2, D("101.00"), "PO-7")
    with pytest.raises(StaleRecord) as refused:
        invoices.update_invoice(draft.pk, version=1, ref="late")
    assert refused.value.status == 412
    invoices.post_invoice(draft.pk)
    with pytest.raises(invoices.DocumentNotEditable):
        invoices.update_invoice(draft.pk, ref="after posting")
    with pytest.raises(TransitionNotAllowed):
        invoices.post_invoice(draft.pk)
    assert Invoice.objects.get(pk=draft.pk).ref == "PO-7"


def test_cancelling_posts_the_reversal_and_settles_the_items(company, books):
    """Given a posted invoice, When it is cancelled, Then its mirror is posted in the
    same journal, its items are settled and the receivable is back to zero, and the
    invoice is not reported paid (no InvoicePaid event)."""
    customer = party(company)
    document = make_invoice(company, customer)
    cancelled = invoices.cancel_invoice(
        document.pk, date=dt.date(2026, 1, 20), reason="wrong customer"
    )
    assert cancelled.status == "cancelled"
    assert Invoice.objects.get(pk=document.pk).payment_status == "not_paid"
    assert not OutboxEvent.objects.filter(topic=InvoicePaid.topic).exists()
    assert cancelled.cancel_entry.reverses_id == document.entry_id
    assert cancelled.cancel_entry.number == "INV/2026/00002"
    assert sum(i.residual for i in OpenItem.objects.filter(party=customer)) == 0
    assert control_differences(company.pk) == {}
    with pytest.raises(TransitionNotAllowed):
        invoices.cancel_invoice(document.pk, date=dt.date(2026, 1, 21), reason="again")


def test_a_vendor_bill_posts_expense_and_recoverable_tax_against_payable(company, books):
    supplier = party(company, "Paper Co", is_supplier=True)
    vat = tax(company, "VAT 20% purchases", "20", use="purchase", account_role="tax_receivable")
    bill = invoices.create_invoice(
        company,
        party=supplier,
        kind=Invoice.Kind.VENDOR_BILL,
        date=dt.date(2026, 2, 1),
        ref="PC-991",
        lines=[{"description": "Paper", "quantity": 10, "unit_price": "4.25", "taxes": [vat]}],
    )
    bill = invoices.post_invoice(bill.pk)
    assert bill.number == f"{books['PUR'].sequence_prefix}2026/00001"
    assert _entry_rows(bill) == [
        ("expense", D("42.50"), D(0), D("42.50"), None),
        ("tax_receivable", D("8.50"), D(0), D("8.50"), None),
        ("payable", D(0), D("51.00"), D("-51.00"), supplier.pk),
    ]
    assert control_differences(company.pk, "payable") == {}


def test_a_foreign_currency_invoice_posts_company_amounts_at_the_days_rate(company, books):
    customer = party(company)
    draft = make_invoice(
        company,
        customer,
        [{"description": "Licence", "quantity": 1, "unit_price": "100.00"}],
        currency="EUR",
        post=False,
    )
    with pytest.raises(RateMissing):
        invoices.post_invoice(draft.pk)
    assert JournalEntry.objects.count() == 0
    set_rate(company, "EUR", dt.date(2026, 1, 1), "1.1")
    posted = invoices.post_invoice(draft.pk)
    assert posted.rate == D("1.1")
    assert _entry_rows(posted) == [
        ("revenue", D(0), D("110.00"), D("-100.00"), None),
        ("receivable", D("110.00"), D(0), D("100.00"), customer.pk),
    ]
