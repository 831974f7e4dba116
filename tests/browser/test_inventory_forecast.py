"""The stock forecast in a real browser: the projected on hand drawn by unfold's Chart.js."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from keel.inventory.services import transfers
from keel.inventory.tests.factories import delivery, product, receive, warehouse
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAY_4 = dt.date(2026, 5, 4)


def test_a_clerk_sees_the_projected_stock_of_a_product(company, page, log_in, doc_screenshot):
    """Given 10 Widgets in WH, a delivery of 12 on 7 May, a receipt of 20 on 9 May, and
    a warehouse EU; When the clerk follows Inventory › Stock forecast, picks Widget, 30
    days from 4 May; Then the line chart is drawn, WH shows 10 on hand and 18 available
    on 3 June, and the delivery WH/OUT/00001 is listed."""
    wh = warehouse(company)
    warehouse(company, "EU", "Europe")
    widget = product(company, name="Widget", sku="WID")
    receive(wh, widget, 10)
    transfers.confirm(delivery(wh, widget, 12, on_date=MAY_4 + dt.timedelta(days=3)).pk)
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=MAY_4 + dt.timedelta(days=5),
        lines=[{"product": widget, "quantity": Decimal(20)}],
    )
    transfers.confirm(receipt.pk)
    clerk = user_with_role(Role.WAREHOUSE_CLERK, username="wanda", company=company)

    log_in(clerk, PASSWORD)
    page.locator("#nav-sidebar-inner, nav").get_by_role("link", name="Stock forecast").click()
    expect(page.get_by_test_id("stock-forecast")).to_be_visible()
    page.get_by_label("Product").select_option(label="[WID] Widget")
    page.get_by_label("Days ahead").select_option("30")
    page.get_by_label("From").fill("2026-05-04")
    page.get_by_role("button", name="Show").click()

    row = page.get_by_test_id("forecast-WH")
    expect(row.locator("td").nth(1)).to_have_text("10")
    expect(row.locator("td").nth(5)).to_have_text("18")
    expect(page.get_by_test_id("forecast-moves")).to_contain_text("WH/OUT/00001")
    chart = page.locator("canvas.chart")
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    # Chart.js draws after the page's scripts run: wait (up to 10 s) for its instance.
    page.wait_for_function(
        "() => window.Chart && !!Chart.getChart(document.querySelector('canvas.chart'))",
        timeout=10_000,
    )
    doc_screenshot("inventory-forecast")
