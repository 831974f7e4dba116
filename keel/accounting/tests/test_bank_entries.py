"""A statement line the books know already (a registered payment) is matched with its
entry before confirming; confirming then posts only the other lines to suspense."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.errors import InvalidInput, TransitionNotAllowed

from ..errors import LineAmountMismatch
from ..models import BankStatementLine, JournalEntry
from ..selectors import trial_balance
from ..services.bank import confirm_statement
from ..services.bank_entries import match_line_with_entry
from ..services.bank_import import import_statement
from ..services.payments import register_payment
from .bank_files import CAMT
from .factories import invoice, party

D = Decimal


def _closing(company, code):
    tb = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    return next((row["closing"] for row in tb["rows"] if row["code"] == code), D(0))


@pytest.fixture
def paid(company, books):
    """Acme's invoice of 1,250.50 paid on 10 March, and the bank's March statement."""
    acme = party(company)
    document = invoice(
        company, acme, [{"description": "Desks", "quantity": 1, "unit_price": "1250.50"}]
    )
    payment = register_payment(
        company, party=acme, amount="1250.50", date=dt.date(2026, 3, 10), invoices=[document.pk]
    )
    statement = import_statement(company, books["BNK"], CAMT.encode(), "camt053").statement
    return payment, statement


def test_a_matched_line_is_booked_by_the_payment_and_only_the_rest_goes_to_suspense(company, paid):
    """Given a registered payment of 1,250.50 and a statement with that receipt and
    125.05 paid out, when the receipt line is matched with the payment's entry and the
    statement confirmed, then the receipt is not posted again: the bank shows
    1,125.45, suspense only the unknown 125.05, and one entry was added."""
    payment, statement = paid
    receipt, fee = statement.lines.order_by("sequence")
    entries = JournalEntry.objects.count()
    # When
    match_line_with_entry(receipt.pk, payment.entry_id)
    confirm_statement(statement)
    # Then
    receipt.refresh_from_db()
    fee.refresh_from_db()
    assert receipt.entry_id == payment.entry_id
    assert fee.entry.lines.filter(account__role="suspense").get().debit == D("125.05")
    assert JournalEntry.objects.count() == entries + 1
    assert (_closing(company, "1000"), _closing(company, "1900")) == (D("1125.45"), D("125.05"))


def test_a_line_of_another_amount_or_a_confirmed_statement_is_refused(company, paid):
    """Given the payment of 1,250.50, matching it with the 125.05 line is refused with
    both amounts and changes nothing; once the statement is confirmed no line matches."""
    payment, statement = paid
    receipt, fee = statement.lines.order_by("sequence")
    with pytest.raises(LineAmountMismatch, match="moves 1,250.50 USD .* says -125.05 USD"):
        match_line_with_entry(fee.pk, payment.entry_id)
    assert BankStatementLine.objects.filter(entry__isnull=False).count() == 0
    match_line_with_entry(receipt.pk, payment.entry_id)
    with pytest.raises(InvalidInput, match="matched already"):
        match_line_with_entry(receipt.pk, payment.entry_id)
    confirm_statement(statement)
    with pytest.raises(TransitionNotAllowed, match="is confirmed"):
        match_line_with_entry(fee.pk, payment.entry_id)
