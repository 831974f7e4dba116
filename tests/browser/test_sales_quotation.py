"""Quote to order in a real browser: a Sales Rep quotes from her opportunity, sees the
price, stock and promise date of each line while typing, sends the quotation by
e-mail; the customer opens the link from that e-mail in a browser of their own and
accepts it; the rep finds the order confirmed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from keel.accounting.tests.factories import books
from keel.crm.services.opportunities import create_opportunity
from keel.crm.tests.factories import PipelineFactory
from keel.inventory.models import Transfer
from keel.inventory.services import transfers
from keel.inventory.tests.factories import product, receive, warehouse
from keel.parties.services.parties import create_party
from keel.products.tests.factories import PriceListFactory, PriceListRuleFactory
from keel.sales.models import Quotation, SalesOrder
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_a_rep_quotes_from_her_deal_and_the_customer_accepts_online(
    company, page, browser, live_server, log_in, doc_screenshot, smtp
):
    """Given 6 widgets on hand (the price list takes 10% off their 100.00) and 20
    gadgets (50.00) with 10 more arriving in 10 days, and Ann's opportunity with Acme
    (contact Jane Roe);
    When Ann opens the opportunity, starts a quotation from it, asks for 4 widgets
    and 25 gadgets, saves and sends it;
    Then the rows showed 90.00 by the rule, 6 available and today for the widgets, and
    20 available and the receipt's date for the gadgets; Jane got the e-mail;
    When Jane opens its link in her own browser and accepts as "Jane Roe";
    Then she is thanked, and Ann finds SO/00001 confirmed."""
    # Given
    today = timezone.localdate()
    arriving = today + dt.timedelta(days=10)
    books(company, year=today.year)
    wh = warehouse(company)
    widget = product(company, name="Widget", sku="WDG", sale_price=D("100.00"), cost_price=D(60))
    gadget = product(company, name="Gadget", sku="GDG", sale_price=D("50.00"), cost_price=D(30))
    receive(wh, widget, 6, unit_cost="60.00", on_date=today - dt.timedelta(days=30))
    receive(wh, gadget, 20, unit_cost="30.00", on_date=today - dt.timedelta(days=30))
    incoming = transfers.create_transfer(
        company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=wh,
        scheduled_date=arriving,
        lines=[{"product": gadget, "quantity": D(10), "unit_cost": D("30.00")}],
    )
    transfers.confirm(incoming.pk)
    standard = PriceListFactory(company=company, name="Standard", is_default=True)
    PriceListRuleFactory(
        price_list=standard, name="Widgets 10% off", product=widget, discount_percent=D("10")
    )
    PipelineFactory(company=company)
    ann = user_with_role(Role.SALES_REP, username="ann", company=company)
    acme = create_party(company=company, name="Acme Corp", is_customer=True)
    jane = create_party(company=company, name="Jane Roe", email="jane.roe@acme.example")
    deal = create_opportunity(
        company=company, name="Acme widgets", party=acme, owner=ann, contact=jane, by=ann
    )

    # When Ann opens her opportunity and starts a quotation from it
    log_in(ann, PASSWORD)
    page.goto(reverse("admin:crm_opportunity_change", args=[deal.pk]))
    page.get_by_test_id("new-quotation").click()
    expect(page.get_by_test_id("from-opportunity")).to_contain_text("Acme widgets")
    expect(page.locator("#id_party")).to_have_value(str(acme.pk))
    expect(page.locator("#id_contact")).to_have_value(str(jane.pk))

    # and asks for 4 widgets and 25 gadgets
    rows = page.get_by_test_id("builder-line")
    rows.nth(0).locator("select[name='lines-0-product']").select_option(str(widget.pk))
    rows.nth(0).locator("input[name='lines-0-quantity']").fill("4")
    rows.nth(0).locator("input[name='lines-0-quantity']").dispatch_event("change")
    rows.nth(1).locator("select[name='lines-1-product']").select_option(str(gadget.pk))
    rows.nth(1).locator("input[name='lines-1-quantity']").fill("25")
    rows.nth(1).locator("input[name='lines-1-quantity']").dispatch_event("change")

    # Then each row shows its price, the rule, what is available and the promise date
    first, second = rows.nth(0), rows.nth(1)
    expect(first.get_by_test_id("line-price")).to_have_text("90.00 USD")
    expect(first.get_by_test_id("line-explanation")).to_contain_text("Rule 'Widgets 10% off'")
    expect(first.get_by_test_id("line-atp")).to_have_text("6")
    expect(first.get_by_test_id("line-promise")).to_have_text(today.isoformat())
    expect(second.get_by_test_id("line-price")).to_have_text("50.00 USD")
    expect(second.get_by_test_id("line-atp")).to_have_text("20")
    expect(second.get_by_test_id("line-promise")).to_have_text(arriving.isoformat())
    doc_screenshot("sales-quotation-builder")

    # When she saves it, she lands on the quotation with its promise dates
    page.get_by_test_id("save-quotation").click()
    expect(page.get_by_text("SQ/00001 saved as a draft; send it when ready.")).to_be_visible()
    expect(page.get_by_text(date_format(arriving)).first).to_be_visible()
    doc_screenshot("sales-quotation-promise-dates")

    # and sends it by e-mail
    page.get_by_role("link", name="Send by e-mail").click()
    page.get_by_role("button", name="Send by e-mail").click()
    expect(page.get_by_text("Send by e-mail: done.")).to_be_visible()

    # Then Jane has it, with the link
    (message,) = smtp.messages
    assert message["To"] == "jane.roe@acme.example"
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/q/\S+/", body)[0]
    assert link.startswith(live_server.url)

    # When Jane opens it in her own browser and accepts it
    customer = browser.new_context(viewport={"width": 1280, "height": 900})
    customer.set_default_timeout(5_000)
    jane_page = customer.new_page()
    try:
        jane_page.goto(link)
        expect(jane_page.get_by_test_id("quotation-total")).to_have_text("1,610.00 USD")
        expect(jane_page.get_by_test_id("promise-date").nth(1)).to_have_text(arriving.isoformat())
        _customer_screenshot(jane_page)
        jane_page.get_by_label("Accept: your full name").fill("Jane Roe")
        jane_page.get_by_role("button", name="Accept quotation").click()
        expect(jane_page.get_by_test_id("outcome")).to_contain_text(
            "Thank you, Jane Roe: you accepted quotation SQ/00001."
        )
    finally:
        customer.close()

    # Then Ann finds the order confirmed
    page.goto(reverse("admin:sales_salesorder_changelist"))
    row = page.locator("#result_list tbody tr").filter(has_text="SO/00001")
    expect(row).to_contain_text(re.compile("confirmed", re.IGNORECASE))
    order = SalesOrder.objects.get()
    assert (order.status, order.owner, order.amount_total) == ("confirmed", ann, D("1610.00"))
    assert Quotation.objects.get().accepted_name == "Jane Roe"
    # And on Acme's customer 360 page, the order is listed as confirmed
    page.goto(reverse("analytics:customer_360", args=[acme.pk]))
    order_row = page.get_by_test_id("order-row").filter(has_text="SO/00001")
    expect(order_row).to_contain_text("Confirmed")
    expect(order_row).to_contain_text("1,610.00")


def _customer_screenshot(customer_page) -> None:
    """docs/img/sales-quotation-acceptance.png, when KEEL_DOC_SCREENSHOTS=1."""
    import os

    from tests.browser.conftest import DOC_IMAGES

    if os.environ.get("KEEL_DOC_SCREENSHOTS") == "1":
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        customer_page.screenshot(
            path=str(DOC_IMAGES / "sales-quotation-acceptance.png"), full_page=True
        )
