"""A warehouse clerk processes a delivery with a barcode scanner in a real browser:
two scans, a refused code shown at the field, then validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from keel.inventory.models import StockLevel, Transfer
from keel.inventory.services import transfers
from keel.inventory.tests.factories import product, receive, warehouse
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_a_clerk_scans_two_codes_and_validates_the_delivery(company, page, log_in, doc_screenshot):
    """Given 10 Widgets (barcode 4006381333931) and 5 Gadgets (SKU GAD) in WH/Stock and a
    reserved delivery of 2 Widgets and 1 Gadget; When the clerk opens it to process, scans
    the Widget's barcode with quantity 2, then "GAD"; Then the lines read 2 of 2 and
    1 of 1; When an unknown code is scanned, Then the refusal shows at the field; When
    they validate, Then the delivery is done and WH/Stock holds 8 Widgets and 4 Gadgets."""
    wh = warehouse(company)
    widget = product(company, name="Widget", sku="WID", barcode="4006381333931")
    gadget = product(company, name="Gadget", sku="GAD")
    receive(wh, widget, 10)
    receive(wh, gadget, 5)
    out = transfers.create_transfer(
        company,
        kind=Transfer.Kind.DELIVERY,
        warehouse=wh,
        lines=[{"product": widget, "quantity": D(2)}, {"product": gadget, "quantity": D(1)}],
    )
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    clerk = user_with_role(Role.WAREHOUSE_CLERK, username="wendy", company=company)

    log_in(clerk, PASSWORD)
    page.goto(f"/inventory/transfer/{out.pk}/process/")
    code = page.get_by_label("Barcode")
    expect(code).to_be_focused()
    code.fill("4006381333931")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Scan", exact=True).click()
    expect(page.get_by_text("[WID] Widget: 2 of 2 scanned.")).to_be_visible()
    expect(page.get_by_label("Barcode")).to_be_focused()
    page.get_by_label("Barcode").fill("GAD")
    page.get_by_label("Barcode").press("Enter")
    expect(page.get_by_text("[GAD] Gadget: 1 of 1 scanned.")).to_be_visible()
    expect(page.get_by_test_id("scan-line-WID").get_by_test_id("done")).to_have_text("2")
    expect(page.get_by_test_id("scan-line-GAD").get_by_test_id("done")).to_have_text("1")
    page.get_by_label("Barcode").fill("NOPE")
    page.get_by_label("Barcode").press("Enter")
    expect(page.get_by_test_id("scan-error")).to_have_text(
        "No product, barcode, SKU, lot or serial number 'NOPE'."
    )
    doc_screenshot("inventory-transfer")
    page.get_by_role("button", name="Validate what was scanned").click()
    expect(page.get_by_text(f"{out.number} validated.")).to_be_visible()
    out.refresh_from_db()
    assert out.status == Transfer.Status.DONE
    on_hand = dict(
        StockLevel.objects.filter(location=wh.stock_location).values_list("product__sku", "on_hand")
    )
    assert on_hand == {"WID": D(8), "GAD": D(4)}
