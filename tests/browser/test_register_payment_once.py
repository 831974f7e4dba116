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


# Kept across the navigation: how many submits went ahead, and whether the button was
# disabled right after the first (read in the task after the page's own handler ran).
WATCH_SUBMITS = """() => {
  sessionStorage.setItem("submits", "0");
  document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) {
      sessionStorage.setItem("submits", String(Number(sessionStorage.getItem("submits")) + 1));
    }
    const button = event.target.querySelector("[type=submit]");
    setTimeout(() => sessionStorage.setItem("disabled", String(button.disabled)), 0);
  });
}"""


def test_a_double_click_on_register_payment_registers_one_payment(company, page, log_in):
    """Given a posted invoice of 100.00 to Acme and its pay form filled with 40.00;
    When the accountant double-clicks "Register payment";
    Then the button was disabled by the first click, the second sent nothing: one post
    left the browser, the page says "Payment registered." and one payment of 40.00
    exists."""
    books(company, year=2026)
    acme = OrganisationFactory(company=company, name="Acme Ltd", is_customer=True)
    document = invoice(company, acme, date=dt.date(2026, 3, 10))
    accountant = user_with_role(Role.ACCOUNTANT, username="alice", company=company)
    log_in(accountant, PASSWORD)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"/accounting/invoice/{document.pk}/pay/")
    page.get_by_label("Amount").fill("40.00")
    page.get_by_label("Date").fill("2026-03-20")
    page.evaluate(WATCH_SUBMITS)

    page.get_by_role("button", name="Register payment").dblclick()

    expect(page.get_by_text("Payment registered.")).to_be_visible()
    state = page.evaluate("() => [sessionStorage.submits, sessionStorage.disabled]")
    assert state == ["1", "true"]
    assert len(posts) == 1
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("40.00")]
