"""A double click on "Register payment" in a real browser registers one payment: the
button disables itself as the form leaves (and the server refuses a second post of
the same form, tests/concurrency/test_double_click.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from keel.accounting.models import Payment
from keel.accounting.tests.factories import books, invoice
from keel.parties.tests.factories import OrganisationFactory
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_register_payment_registers_one_payment(company, page, log_in):
    """Given a posted invoice of 100.00 to Acme and its pay form filled with 40.00;
    When the accountant double-clicks "Register payment";
    Then one post leaves the browser (the button disabled itself on the first), the
    invoice page says "Payment registered." and one payment of 40.00 exists."""
    books(company, year=2026)
    acme = OrganisationFactory(company=company, name="Acme Ltd", is_customer=True)
    document = invoice(company, acme, date=dt.date(2026, 3, 10))
    accountant = user_with_role(Role.ACCOUNTANT, username="alice", company=company)
    log_in(accountant, PASSWORD)
    page.goto(f"/accounting/invoice/{document.pk}/pay/")
    page.get_by_label("Amount").fill("40.00")
    page.get_by_label("Date").fill("2026-03-20")
    button = page.get_by_role("button", name="Register payment")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    button.dblclick()

    expect(page.get_by_text("Payment registered.")).to_be_visible()
    assert len(posts) == 1
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("40.00")]
