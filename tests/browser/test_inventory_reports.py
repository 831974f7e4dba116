"""Stock reports in a real browser: the valuation beside the stock account, and stock
by location filtered and downloaded as CSV."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from keel.accounting.tests.factories import books
from keel.inventory.tests.factories import bin_in, product, receive, warehouse
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_reads_the_valuation_and_downloads_stock_by_location(
    company, page, log_in, doc_screenshot
):
    """Given books, 10 gears at 11.50 in WH/Stock and 4 at 11.50 in WH/Stock/A1; When
    the clerk follows Inventory › Stock valuation, then Inventory › Stock by location,
    filters on location WH/Stock/A1 and downloads the CSV; Then the valuation shows
    161.00 USD beside a stock account of 161.00 USD, the filtered table has one row of
    4 gears, and the CSV holds exactly that row."""
    books(company)
    wh = warehouse(company)
    gear = product(company, name="Gear", sku="GEAR")
    a1 = bin_in(wh, "A1")
    receive(wh, gear, 10, unit_cost="11.50")
    receive(wh, gear, 4, unit_cost="11.50", destination=a1)
    clerk = user_with_role(Role.WAREHOUSE_CLERK, username="wanda", company=company)

    log_in(clerk, PASSWORD)
    page.locator("#nav-sidebar-inner, nav").get_by_role("link", name="Stock valuation").click()
    expect(page.get_by_test_id("valuation-total")).to_have_text("161.00 USD")
    expect(page.get_by_test_id("stock-account")).to_have_text("161.00 USD")
    expect(page.get_by_test_id("rows")).to_contain_text("GEAR")
    doc_screenshot("inventory-valuation")

    page.locator("#nav-sidebar-inner, nav").get_by_role("link", name="Stock by location").click()
    page.get_by_label("Location (and below)").select_option(label="WH/Stock/A1")
    page.get_by_role("button", name="Show").click()
    rows = page.get_by_test_id("rows").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(0)).to_have_text("WH/Stock/A1")
    expect(rows.first.locator("td").nth(4)).to_have_text("4")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = download.value.path().read_text()
    assert content.splitlines() == [
        "Location,SKU,Product,Lot/serial,On hand,Reserved,Available",
        "WH/Stock/A1,GEAR,Gear,,4,0,4",
    ]
