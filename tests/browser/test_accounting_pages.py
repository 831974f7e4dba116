"""The accountant's view of the books in a real browser: an invoice and the P&L."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from keel.accounting.tests.factories import books, invoice
from keel.parties.tests.factories import OrganisationFactory
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_accountant_reads_an_invoice_and_the_profit_and_loss(
    company, page, log_in, doc_screenshot
):
    """Given the books of 2026 and a posted invoice to Acme Ltd for 10 hours of consulting
    at 150.00 and a 250.00 workshop; When the accountant opens the invoice and then the
    profit and loss of 2026; Then the invoice shows its number and total, and the P&L
    shows the 1,750.00 of revenue."""
    books(company, year=2026)
    customer = OrganisationFactory(company=company, name="Acme Ltd", email="ap@acme.example")
    document = invoice(
        company,
        customer,
        lines=[
            {"description": "Consulting (hours)", "quantity": 10, "unit_price": "150.00"},
            {"description": "Workshop", "quantity": 1, "unit_price": "250.00"},
        ],
        date=dt.date(2026, 3, 10),
    )
    accountant = user_with_role(Role.ACCOUNTANT, username="alice", company=company)

    log_in(accountant, PASSWORD)
    page.goto(f"/accounting/invoice/{document.pk}/change/")
    expect(page.get_by_text(document.number).first).to_be_visible()
    expect(page.get_by_text("1,750.00 USD").first).to_be_visible()
    expect(page.get_by_text("1,500.00 USD").first).to_be_visible()  # the consulting line
    doc_screenshot("accounting-invoice")

    page.goto("/w/accounting/reports/profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31")
    expect(page.get_by_role("heading", name="Profit and loss").first).to_be_visible()
    expect(page.get_by_text("1,750.00").first).to_be_visible()
    doc_screenshot("accounting-profit-and-loss")
