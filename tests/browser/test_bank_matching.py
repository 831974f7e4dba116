"""The accountant's bank reconciliation in a real browser: import a CAMT statement,
confirm it, reconcile its line with the suggested invoice in one click."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from keel.accounting.tests.bank_files import camt_file
from keel.accounting.tests.factories import books, invoice
from keel.parties.tests.factories import OrganisationFactory
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_accountant_reconciles_a_bank_line_with_the_suggested_invoice(
    company, page, log_in, doc_screenshot
):
    """Given the books of 2026, a posted invoice of 1,200.00 to Acme Ltd and the bank's
    CAMT.053 file with 1,200.00 in from "ACME LTD" naming the invoice; When the
    accountant imports and confirms the statement, Then the line shows the invoice as
    its top suggestion with the reasons; When they click Reconcile, Then the line is
    matched with a payment and the invoice reads Paid."""
    journals = books(company, year=2026)
    customer = OrganisationFactory(company=company, name="Acme Ltd", email="ap@acme.example")
    document = invoice(
        company,
        customer,
        lines=[{"description": "Consulting (hours)", "quantity": 8, "unit_price": "150.00"}],
        date=dt.date(2026, 3, 10),
    )
    accountant = user_with_role(Role.ACCOUNTANT, username="alice", company=company)
    content = camt_file(("BANK-42", "1200.00", "ACME LTD", document.number, "Thank you"))

    log_in(accountant, PASSWORD)
    # When: import (no preview) and confirm
    page.goto("/accounting/bankstatement/import/")
    page.locator("select[name=journal]").select_option(str(journals["BNK"].pk))
    page.locator("select[name=format]").select_option("camt053")
    page.locator("input[name=file]").set_input_files(
        {"name": "april.xml", "mimeType": "application/xml", "buffer": content}
    )
    page.locator("input[name=preview]").uncheck()
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_text("1 lines imported, 0 already known.")).to_be_visible()
    page.get_by_role("link", name="Confirm and post").click()
    page.get_by_role("button", name="Confirm and post").click()
    expect(page.get_by_text("STMT-2026-04 confirmed: its lines are posted.")).to_be_visible()
    # Then
    line = page.get_by_test_id("bank-line-1")
    suggestion = line.get_by_test_id("suggestion").first
    expect(suggestion).to_contain_text(f"{document.number} · Acme Ltd · 1,200.00 USD open")
    expect(suggestion).to_contain_text(f"{document.number} named in the reference")
    expect(suggestion).to_contain_text("Amount 1,200.00 USD is exactly the open amount")
    expect(suggestion).to_contain_text("Counterparty 'ACME LTD' matches Acme Ltd")
    line.scroll_into_view_if_needed()
    doc_screenshot("accounting-bank-matching")
    # When
    suggestion.get_by_role("button", name="Reconcile").click()
    # Then
    expect(page.get_by_text("Line 1 matched: payment BNK/2026/00002")).to_be_visible()
    expect(page.get_by_test_id("bank-line-1").get_by_test_id("matched")).to_contain_text(
        "Matched: payment BNK/2026/00002 (Acme Ltd)"
    )
    page.goto(f"/accounting/invoice/{document.pk}/change/")
    expect(page.get_by_text("Paid", exact=True).first).to_be_visible()
