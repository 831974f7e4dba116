"""A customer return in a real browser: a sales manager takes 2 of 5 delivered
gadgets back on the order's page, approves the return and receives the goods, and
the return is credited against the open invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from keel.accounting.tests.factories import books
from keel.inventory.tests.factories import product, receive, warehouse
from keel.sales.models import ReturnAuthorisation
from keel.sales.services import orders
from keel.sales.tests.factories import customer, quotation
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_a_manager_takes_back_two_gadgets_and_the_return_is_credited(
    company, page, log_in, doc_screenshot
):
    """Given SO/00001 of 5 gadgets at 50.00 for Acme, delivered and invoiced (250.00);
    When the sales manager opens the order, takes a return of 2 ("Dented"), approves
    it and receives everything;
    Then the return page says credited, with 100.00 credited and applied, and the
    order line shows 2 returned."""
    books(company)
    wh = warehouse(company)
    gadget = product(company, name="Gadget", sku="GDG", sale_price=D("50.00"), cost_price=D("30"))
    receive(wh, gadget, 20, unit_cost="30.00", on_date=dt.date(2026, 5, 4))
    manager = user_with_role(Role.SALES_MANAGER, username="mia", company=company)
    quote = quotation(
        company,
        customer(company, "Acme Corp"),
        wh,
        [{"product": gadget, "quantity": 5}],
        by=manager,
    )
    order = orders.confirm(quote.pk, by=manager, on_date=dt.date(2026, 6, 1))
    orders.deliver(order.pk, on_date=dt.date(2026, 6, 2), by=manager)
    orders.invoice(order.pk, on_date=dt.date(2026, 6, 2), by=manager)

    log_in(manager, PASSWORD)
    page.goto(reverse("admin:sales_salesorder_change", args=[order.pk]))
    page.get_by_role("link", name="Take a return").click()
    page.get_by_label("Reason").fill("Dented")
    page.get_by_label("[GDG] Gadget (5 delivered, 0 returned)").fill("2")
    page.get_by_role("button", name="Take a return").click()
    expect(page.get_by_text("Take a return: done.")).to_be_visible()

    rma = ReturnAuthorisation.objects.get()
    page.goto(reverse("admin:sales_returnauthorisation_change", args=[rma.pk]))
    page.get_by_role("link", name="Approve").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approve: done.")).to_be_visible()
    page.get_by_role("link", name="Receive everything").click()
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_text("Receive: done.")).to_be_visible()

    def field(label: str):
        return page.locator(".field-line", has=page.get_by_text(label, exact=True))

    expect(field("Status")).to_contain_text("Credited")
    expect(field("Amount credited")).to_contain_text("100.0000")
    expect(field("Amount applied")).to_contain_text("100.0000")
    doc_screenshot("sales-return-credited")

    rma.refresh_from_db()
    assert (rma.status, rma.amount_credited, rma.amount_applied) == (
        "credited",
        D("100.00"),
        D("100.00"),
    )
    assert order.lines.get().quantity_returned == D(2)
