"""The accountant's dashboard in a real browser: charts drawn by unfold's Chart.js."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from keel.accounting.tests.factories import books, june_books
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_accountant_sees_the_accounting_dashboard_with_its_charts(
    company, page, log_in, doc_screenshot
):
    """Given the books of 2026 seen on 15 June (3,100.00 receivable, 1,050.00 payable,
    5,320.00 in the bank and the till); When the accountant follows Accounting ›
    Accounting overview in the sidebar and looks at 15 June; Then four charts are drawn (three bar
    charts and the line of cash), the receivables read 3,100.00 USD, the cash 5,320.00 USD
    and Initech heads the overdue customers."""
    books(company, year=2026)
    june_books(company)
    accountant = user_with_role(Role.ACCOUNTANT, username="alice", company=company)

    log_in(accountant, PASSWORD)
    page.locator("#nav-sidebar-inner, nav").get_by_role("link", name="Accounting overview").click()
    expect(page.get_by_test_id("accounting-dashboard")).to_be_visible()
    page.get_by_label("As of").fill("2026-06-15")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_test_id("kpi-receivables")).to_have_text("3,100.00 USD")
    expect(page.get_by_test_id("kpi-cash")).to_have_text("5,320.00 USD")
    expect(page.get_by_test_id("top-overdue").locator("tr").nth(1)).to_contain_text("Initech")
    charts = page.locator("canvas.chart")
    expect(charts).to_have_count(4)
    for index in range(4):
        expect(charts.nth(index)).to_be_visible()
    # Chart.js has drawn on every canvas (it sizes the canvas and keeps the instance).
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas.chart')]"
        ".every(c => !!Chart.getChart(c))",
        timeout=10_000,
    )
    doc_screenshot("accounting-dashboard")
