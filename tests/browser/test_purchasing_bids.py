"""The bid comparison in a real browser: a buyer opens an RFQ, compares three bids
and awards the cheapest, landing on the new purchase order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from keel.accounting.tests.factories import books
from keel.inventory.tests.factories import product, warehouse
from keel.purchasing.models import PurchaseOrder
from keel.purchasing.services import rfqs
from keel.purchasing.tests.factories import vendor
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_compares_three_bids_and_awards_the_cheapest(company, page, log_in, doc_screenshot):
    """Given RFQ/00001 for 100 brackets and 50 hinges answered by Acme (11,000.00, 10
    days), Bolt (10,900.00, 14 days) and Cast (11,250.00, 5 days); When the buyer opens
    it, follows "Compare the bids" and awards Bolt; Then the table shows the totals
    with Bolt the cheapest and Cast the fastest, and the buyer lands on PO/00001."""
    books(company)
    wh = warehouse(company)
    bracket = product(company, name="Steel bracket", sku="BRK")
    hinge = product(company, name="Door hinge", sku="HNG")
    acme, bolt, cast = (vendor(company, n) for n in ("Acme Metals", "Bolt & Co", "Cast Iron Ltd"))
    buyer = user_with_role(Role.BUYER, username="bea", company=company)
    rfq = rfqs.create_rfq(
        company,
        warehouse=wh,
        vendors=[acme, bolt, cast],
        lines=[{"product": bracket, "quantity": 100}, {"product": hinge, "quantity": 50}],
        by=buyer,
    )
    rfqs.send_rfq(rfq.pk, by=buyer)
    line = {x.product_id: x.pk for x in rfq.lines.all()}
    for who, ((b_price, b_days), (h_price, h_days)) in (
        (acme, (("80.00", 10), ("60.00", 7))),
        (bolt, (("78.00", 14), ("62.00", 10))),
        (cast, (("85.00", 5), ("55.00", 5))),
    ):
        rfqs.record_reply(
            rfq.pk,
            vendor=who,
            quotes=[
                {"line": line[bracket.pk], "unit_price": b_price, "lead_days": b_days},
                {"line": line[hinge.pk], "unit_price": h_price, "lead_days": h_days},
            ],
        )

    log_in(buyer, PASSWORD)
    page.locator("#nav-sidebar-inner, nav").get_by_role(
        "link", name="Requests for quotation"
    ).click()
    page.get_by_role("link", name="RFQ/00001").first.click()
    page.get_by_role("link", name="Compare the bids").click()
    expect(page.get_by_test_id("bid-comparison")).to_be_visible()
    totals = page.get_by_test_id("bid-totals")
    expect(totals).to_contain_text("10,900.00 cheapest")
    expect(totals).to_contain_text("11,000.00")
    expect(totals).to_contain_text("11,250.00")
    expect(page.get_by_test_id("bid-lead-times")).to_contain_text("5 days fastest")
    doc_screenshot("purchasing-bids")

    page.get_by_role("button", name="Award Bolt & Co").click()
    expect(page.get_by_text("RFQ/00001 awarded: PO/00001 is a draft to submit.")).to_be_visible()
    order = PurchaseOrder.objects.get()
    assert (order.number, order.vendor_id, order.amount_total) == ("PO/00001", bolt.pk, 10900)
