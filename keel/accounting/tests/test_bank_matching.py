"""Bank lines matched with open items: suggestions ranked by reference, amount and
party; one reconcile moves the line out of suspense to the party and pays the
invoice or bill (in part when the line is smaller); refusals write nothing;
unreconcile reverses the match."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.errors import DomainError
from keel.core.tests.concurrency import run_together
from keel.core.tests.factories import CompanyFactory

from ..errors import (
    BankLineAlreadyReconciled,
    BankLineNotConfirmed,
    BankLineNotReconciled,
    BankLineSignMismatch,
    OpenItemsOfSeveralParties,
    PeriodLocked,
)
from ..models import (
    Invoice,
    JournalLine,
    OpenItem,
    Payment,
)
from ..selectors import trial_balance
from ..selectors.bank_matching import suggest_for_statement, suggest_matches
from ..selectors.invoices import control_differences, residual_of
from ..services.bank_import import import_statement
from ..services.bank_matching import reconcile_line, unreconcile_line
from ..services.chart import update_settings
from ..services.payments import OverPayment, set_write_off_tolerance
from .bank_files import camt_file
from .factories import bank_matching_state, invoice, party
from .factories import books as make_books
from .factories import confirmed_bank_lines as bank_lines

D = Decimal
APRIL = dt.date(2026, 4, 2)


def consulting(company, customer, amount: str, day=dt.date(2026, 3, 10), **fields) -> Invoice:
    lines = [{"description": "Consulting", "quantity": 1, "unit_price": amount}]
    return invoice(company, customer, lines, date=day, **fields)


def closing(company, code: str) -> Decimal:
    tb = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    return next((row["closing"] for row in tb["rows"] if row["code"] == code), D(0))


def books_balance(company) -> bool:
    lines = JournalLine.objects.filter(company=company)
    return sum(lines.values_list("debit", flat=True)) == sum(lines.values_list("credit", flat=True))


def test_the_invoice_named_in_the_line_is_the_top_suggestion_and_one_reconcile_pays_it(
    company, books
):
    """Given an invoice of 1,200.00 to Acme Corp, another of 1,200.00 to Globex and a
    300.00 one to Acme, and a CAMT line of 1,200.00 from "ACME CORP." whose reference is
    the first invoice's number; When the suggestions are read, Then that invoice comes
    first with its three reasons; When it is reconciled, Then the invoice is paid, the
    suspense account is back to 0, Acme owes nothing on it, the receivable equals the
    open items and the books balance."""
    acme, globex = party(company, "Acme Corp"), party(company, "Globex")
    target = consulting(company, acme, "1200.00")
    consulting(company, globex, "1200.00")
    other = consulting(company, acme, "300.00")
    (line,) = bank_lines(company, books, ("B-1", "1200.00", "ACME CORP.", target.number, ""))
    assert closing(company, "1900") == D("-1200.00")
    # When
    suggestions = suggest_matches(line)
    # Then
    top = suggestions[0]
    assert (top.documents, top.party_name, top.open_amount, top.score) == (
        (target.number,),
        "Acme Corp",
        D("1200.00"),
        120,
    )
    assert top.reasons == (
        f"{target.number} named in the reference",
        "Amount 1,200.00 USD is exactly the open amount",
        "Counterparty 'ACME CORP.' matches Acme Corp",
    )
    assert [(s.documents, s.score) for s in suggestions[1:]] == [
        (("INV/2026/00002",), 40),
        ((other.number,), 30),
    ]
    # When
    payment = reconcile_line(line, top.item_ids)
    # Then
    target.refresh_from_db()
    line.refresh_from_db()
    assert target.payment_status == "paid" and residual_of(target) == D(0)
    assert line.payment == payment and payment.amount == D("1200.00")
    assert [
        (ln.account.code, ln.debit, ln.credit, ln.party_id)
        for ln in payment.entry.lines.select_related("account").order_by("sequence")
    ] == [("1900", D("1200.00"), D("0.00"), None), ("1100", D("0.00"), D("1200.00"), acme.pk)]
    assert closing(company, "1900") == D(0)
    assert closing(company, "1000") == D("1200.00")
    assert OpenItem.objects.filter(invoice=target).exclude(residual=0).count() == 0
    assert control_differences(company.pk) == {}
    assert books_balance(company)


def test_a_line_smaller_than_the_invoice_pays_part_of_it(company, books):
    """Given an invoice of 1,200.00 and a line of 500.00 naming it; When the line is
    reconciled with it, Then the invoice is partially paid with 700.00 open and the
    suspense account is 0."""
    acme = party(company, "Acme Corp")
    target = consulting(company, acme, "1200.00")
    (line,) = bank_lines(company, books, ("B-1", "500.00", "Acme Corp", target.number, ""))
    (top, *_) = suggest_matches(line)
    assert top.reasons[0] == f"{target.number} named in the reference"
    assert "Pays 500.00 USD of 1,200.00 USD open (partial)" in top.reasons
    # When
    reconcile_line(line, top.item_ids)
    # Then
    target.refresh_from_db()
    assert (target.payment_status, residual_of(target)) == ("partial", D("700.00"))
    assert closing(company, "1900") == D(0)
    assert control_differences(company.pk) == {}
    assert books_balance(company)


def test_a_vendor_bill_is_matched_by_an_outgoing_line(company, books):
    """Given a vendor bill of 430.00 from Office Supplies Ltd and an outgoing line of
    430.00 to "Office Supplies"; When the suggestions are read, Then the bill is the
    top one (amount and party), and reconciling it pays the bill out of suspense."""
    vendor = party(company, "Office Supplies Ltd", is_supplier=True)
    customer = party(company, "Acme Corp")
    consulting(company, customer, "430.00")  # money in of the same amount: not a candidate
    bill = consulting(company, vendor, "430.00", kind=Invoice.Kind.VENDOR_BILL, ref="OS-1")
    (line,) = bank_lines(company, books, ("B-9", "-430.00", "Office Supplies", "", "Paper"))
    assert closing(company, "1900") == D("430.00")
    # When
    suggestions = suggest_matches(line)
    # Then
    assert [(s.documents, s.score) for s in suggestions] == [((bill.number,), 70)]
    payment = reconcile_line(line, suggestions[0].item_ids)
    bill.refresh_from_db()
    assert (payment.direction, bill.payment_status) == ("outbound", "paid")
    assert [
        (ln.account.code, ln.debit, ln.credit)
        for ln in payment.entry.lines.select_related("account").order_by("sequence")
    ] == [("1900", D("0.00"), D("430.00")), ("2000", D("430.00"), D("0.00"))]
    assert closing(company, "1900") == D(0)
    assert control_differences(company.pk, "payable") == {}
    assert books_balance(company)


def test_two_invoices_of_one_party_adding_up_to_the_line_are_one_suggestion(company, books):
    """Given Acme's invoices of 800.00 (oldest) and 400.00 and a line of 1,200.00 from
    Acme naming neither; Then one suggestion holds both invoices, and reconciling it
    pays both."""
    acme = party(company, "Acme Corp")
    first = consulting(company, acme, "800.00", day=dt.date(2026, 3, 1))
    second = consulting(company, acme, "400.00", day=dt.date(2026, 3, 5))
    (line,) = bank_lines(company, books, ("B-1", "1200.00", "Acme Corp", "", "Thanks"))
    (top, *rest) = suggest_matches(line)
    assert (top.documents, top.score) == ((first.number, second.number), 65)
    assert top.reasons == (
        "The 2 open items of Acme Corp add up to 1,200.00 USD",
        "Counterparty 'Acme Corp' matches Acme Corp",
    )
    assert [(s.documents, s.score) for s in rest] == [((first.number,), 30), ((second.number,), 30)]
    reconcile_line(line, top.item_ids)
    assert set(Invoice.objects.values_list("payment_status", flat=True)) == {"paid"}
    assert books_balance(company)


def test_a_whole_statement_is_suggested_in_a_fixed_number_of_queries(
    company, books, django_assert_num_queries
):
    """Given 12 invoices and a statement of 12 lines each naming one; When the page asks
    suggestions for the whole statement, Then it costs 2 queries and each line's top
    suggestion is its invoice."""
    acme = party(company, "Acme Corp")
    documents = [consulting(company, acme, f"{100 + n}.00") for n in range(12)]
    lines = bank_lines(
        company,
        books,
        *[(f"B-{n}", f"{100 + n}.00", "Acme", doc.number, "") for n, doc in enumerate(documents)],
    )
    statement = lines[0].statement
    with django_assert_num_queries(2):
        found = suggest_for_statement(statement)
    assert [(line, found[0].documents) for line, found in found] == [
        (line, (doc.number,)) for line, doc in zip(lines, documents, strict=True)
    ]


def _refused(error_type, call):
    before = bank_matching_state()
    with pytest.raises(error_type) as refused:
        call()
    assert bank_matching_state() == before
    return refused.value


def test_refusals_write_nothing(company, books):
    """Given confirmed lines and open invoices of two customers and a bill; Then
    reconciling is refused, with nothing written, for: a line already matched (a double
    click), items of two parties, money in against a bill, more money than is open
    without a write-off, and a date in a locked period; a draft line is refused too."""
    acme, globex = party(company, "Acme Corp"), party(company, "Globex")
    vendor = party(company, "Paper Co", is_supplier=True)
    inv_acme = consulting(company, acme, "100.00")
    inv_globex = consulting(company, globex, "100.00")
    bill = consulting(company, vendor, "100.00", kind=Invoice.Kind.VENDOR_BILL)
    first, second, big = bank_lines(
        company,
        books,
        ("B-1", "100.00", "Acme", "", ""),
        ("B-2", "100.00", "Globex", "", ""),
        ("B-3", "150.00", "Acme", "", ""),
    )
    items = {doc.pk: OpenItem.objects.get(invoice=doc).pk for doc in (inv_acme, inv_globex, bill)}
    reconcile_line(first, [items[inv_acme.pk]])
    # A double click: the second reconcile of the same line.
    error = _refused(BankLineAlreadyReconciled, lambda: reconcile_line(first, [items[inv_acme.pk]]))
    assert error.code == "bank_line_reconciled" and "already matched with payment" in error.detail
    error = _refused(
        OpenItemsOfSeveralParties,
        lambda: reconcile_line(second, [items[inv_globex.pk], items[inv_acme.pk]]),
    )
    assert error.detail.startswith("The open items belong to several parties (Acme Corp, Globex)")
    error = _refused(BankLineSignMismatch, lambda: reconcile_line(second, [items[bill.pk]]))
    assert error.detail == (
        f"The line 2 of STMT-2026-04 is money in (100.00 USD) but {bill.number} is owed by "
        "us; match it with items of the other side."
    )
    other = consulting(company, acme, "100.00")
    error = _refused(
        OverPayment, lambda: reconcile_line(big, [OpenItem.objects.get(invoice=other).pk])
    )
    assert error.code == "payment_exceeds_due"
    update_settings(company, lock_date=dt.date(2026, 4, 30))
    error = _refused(PeriodLocked, lambda: reconcile_line(second, [items[inv_globex.pk]]))
    assert error.code == "period_locked"
    draft = import_statement(
        company, books["BNK"], camt_file(("B-7", "100.00", "Globex", "", ""), name="S2"), "camt053"
    ).statement.lines.get()
    error = _refused(BankLineNotConfirmed, lambda: reconcile_line(draft, [items[inv_globex.pk]]))
    assert error.code == "bank_line_not_confirmed"


def test_a_difference_within_the_tolerance_is_written_off(company, books):
    """Given a write-off tolerance of 5.00 and a line of 1,203.00 for an invoice of
    1,200.00; When reconciled with write-off, Then the invoice is paid and 3.00 goes to
    the write-off account; above the tolerance it is refused."""
    set_write_off_tolerance(company, "5.00")
    acme = party(company, "Acme Corp")
    target = consulting(company, acme, "1200.00")
    (line,) = bank_lines(company, books, ("B-1", "1203.00", "Acme", target.number, ""))
    item = OpenItem.objects.get(invoice=target).pk
    payment = reconcile_line(line, [item], write_off=True)
    target.refresh_from_db()
    assert (payment.write_off, target.payment_status) == (D("-3.00"), "paid")
    assert closing(company, "1900") == D(0)
    assert books_balance(company)


def test_unreconcile_reverses_the_match_and_the_line_waits_in_suspense_again(company, books):
    """Given a line matched with Acme's invoice of 1,200.00; When it is unreconciled,
    Then the payment's entry is reversed, the invoice is open again, the line is
    unmatched with 1,200.00 back in suspense; a second unreconcile is refused and it can
    be matched again."""
    acme = party(company, "Acme Corp")
    target = consulting(company, acme, "1200.00")
    (line,) = bank_lines(company, books, ("B-1", "1200.00", "Acme", target.number, ""))
    item = OpenItem.objects.get(invoice=target).pk
    payment = reconcile_line(line, [item])
    # When
    reversal = unreconcile_line(line)
    # Then
    target.refresh_from_db()
    line.refresh_from_db()
    assert reversal.reverses_id == payment.entry_id and reversal.date == APRIL
    assert (target.payment_status, residual_of(target), line.payment_id) == (
        "not_paid",
        D("1200.00"),
        None,
    )
    assert closing(company, "1900") == D("-1200.00")
    assert OpenItem.objects.filter(party=acme).exclude(residual=0).count() == 1
    assert control_differences(company.pk) == {}
    error = _refused(BankLineNotReconciled, lambda: unreconcile_line(line))
    assert error.code == "bank_line_not_reconciled"
    reconcile_line(line, [item])
    target.refresh_from_db()
    assert target.payment_status == "paid" and closing(company, "1900") == D(0)
    assert books_balance(company)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_from_two_sessions_pays_once():
    """Given a confirmed line of 1,200.00 and its invoice; When two sessions reconcile it
    at the same moment, Then one payment exists, the other session is told the line is
    already matched, and the invoice is paid once."""
    company = CompanyFactory(name="Double Click Co")
    books = make_books(company)
    acme = party(company, "Acme Corp")
    target = consulting(company, acme, "1200.00")
    (line,) = bank_lines(company, books, ("B-1", "1200.00", "Acme", target.number, ""))
    item = OpenItem.objects.get(invoice=target).pk
    outcomes: list[str] = []

    def click() -> None:
        try:
            reconcile_line(line, [item])
            outcomes.append("paid")
        except DomainError as error:
            outcomes.append(error.code)

    assert run_together(click, 2) == []
    assert sorted(outcomes) == ["bank_line_reconciled", "paid"]
    assert Payment.objects.filter(company=company).count() == 1
    assert residual_of(Invoice.objects.get(pk=target.pk)) == D(0)
    assert closing(company, "1900") == D(0)
