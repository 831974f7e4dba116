"""The customer 360 and the lead-to-cash trail in a real browser: a rep goes from her
order to the customer's page, sees its charts drawn by unfold's Chart.js, and follows
the order's trail."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from keel.analytics.tests.conftest import (  # noqa: F401 - fixtures
    books,
    gadget,
    other_rep,
    pipeline,
    rep,
    sold,
    wh,
    widget,
)
from keel.users.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_opens_her_customers_360_from_the_order_and_follows_its_trail(
    sold,  # noqa: F811
    rep,  # noqa: F811
    page,
    log_in,
    doc_screenshot,
):
    """Given Ann's order for Acme, delivered, invoiced (500.00) and paid;
    When she opens the order, clicks "Customer 360" and looks at 31 July;
    Then Acme's page shows nothing owed, 500.00 revenue and 200.00 margin, both charts
    are drawn, the order's "Trail" lists its eleven steps, lead to cash in 26 days, and
    her sales analysis by product drills down from Widget to its invoice line."""
    log_in(rep, PASSWORD)

    # When
    page.goto(f"/sales/salesorder/{sold.acme_order.pk}/change/")
    page.get_by_role("link", name="Customer 360").click()
    expect(page.get_by_test_id("customer-360")).to_be_visible()
    page.get_by_label("As of").fill("2026-07-31")
    page.get_by_role("button", name="Show").click()

    # Then
    expect(page.get_by_test_id("customer-name")).to_have_text("Acme Corp")
    expect(page.get_by_test_id("kpi-balance")).to_have_text("0.00 USD")
    expect(page.get_by_test_id("kpi-revenue")).to_have_text("500.00 USD")
    expect(page.get_by_test_id("kpi-margin")).to_have_text("200.00 USD")
    charts = page.locator("canvas.chart")
    expect(charts).to_have_count(2)
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas.chart')]"
        ".every(c => !!Chart.getChart(c))",
        timeout=10_000,
    )
    doc_screenshot("analytics-customer-360")

    # When she follows the order's trail
    page.get_by_test_id("order-row").get_by_role("link", name="Trail").click()

    # Then
    expect(page.get_by_test_id("trail-step")).to_have_count(11)
    expect(page.get_by_test_id("total-days")).to_have_text("26 days")
    doc_screenshot("analytics-trail")

    # When she opens her sales analysis by product and clicks the widget
    page.locator("nav, #nav-sidebar-inner").get_by_role("link", name="Sales analysis").click()
    page.get_by_label("Slice by").select_option("product")
    page.get_by_role("button", name="Show").click()

    # Then her own sales only, and the widget's line
    expect(page.get_by_test_id("sales-total")).to_contain_text("500.00")
    doc_screenshot("analytics-sales")
    page.get_by_test_id("sales-row").get_by_role("link", name="WDG Widget").click()
    expect(page.get_by_test_id("sales-lines")).to_contain_text("INV/2026/00001")
