"""Workspace pages of purchasing: lists in a fixed number of queries, buttons only for
the steps a record allows, steps through services, refusals that change nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ..models import BillMatch, PurchaseOrder
from ..services import bills, receipts
from .factories import confirmed_order, price
from .snapshots import state

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name, *args):
    return reverse(f"admin:purchasing_{name}", args=args)


@pytest.fixture
def order(company, books, wh, bracket, hinge, vendors, buyer):
    return confirmed_order(
        company, wh, vendors["acme"], [(bracket, 10, "100.00"), (hinge, 4, "5.00")], by=buyer
    )


def test_lists_and_records_open_in_a_fixed_number_of_queries(
    order, company, wh, bracket, vendors, buyer, manager, django_assert_max_num_queries
):
    """Given orders, a bill and prices; Then every purchasing list and the order page
    answer 200 within a fixed number of queries."""
    for _ in range(3):
        confirmed_order(company, wh, vendors["bolt"], [(bracket, 1, "9.00")], by=buyer)
    receipts.receive(
        order.pk, lines=[{"line": x.pk, "quantity": x.quantity} for x in order.lines.all()]
    )
    bills.bill_order(order.pk, by=buyer)
    price(company, vendors["acme"], bracket, "9.00")
    client = _client(manager)
    for name in ("purchaseorder", "requisition", "rfq", "billmatch", "vendorprice"):
        with django_assert_max_num_queries(25):
            response = client.get(_url(f"{name}_changelist"))
        assert response.status_code == 200, name
    page = client.get(_url("purchaseorder_change", order.pk))
    assert page.status_code == 200 and order.number.encode() in page.content


def test_a_manager_approves_an_order_with_the_button(
    company, books, wh, bracket, vendors, buyer, manager
):
    """Given a 12,000.00 order waiting for approval; When the manager presses Approve;
    Then it is confirmed; the buyer's page offers no Approve button."""
    big = confirmed_order(company, wh, vendors["bolt"], [(bracket, 120, "100.00")], by=buyer)
    page = _client(manager).get(_url("purchaseorder_change", big.pk)).content
    assert b"/approve/" in page and b"/submit/" not in page
    response = _client(manager).post(_url("purchaseorder_approve_order", big.pk), {"note": "ok"})
    assert response.status_code == 302
    assert PurchaseOrder.objects.get(pk=big.pk).status == "confirmed"


def test_approving_ones_own_order_with_the_button_is_a_message(
    company, books, wh, bracket, vendors, manager
):
    """Given the manager's own order waiting for approval; When they press Approve;
    Then the page says why and nothing changed."""
    big = confirmed_order(company, wh, vendors["bolt"], [(bracket, 120, "100.00")], by=manager)
    before = state()
    response = _client(manager).post(
        _url("purchaseorder_approve_order", big.pk), {"note": ""}, follow=True
    )
    assert b"you raised it yourself" in response.content
    assert state() == before


def test_the_buyer_cannot_release_a_held_bill_from_the_page(order, buyer, accountant):
    """Given a bill held for its price; When the buyer opens the release step, they are
    refused (403) and nothing changed; the accountant's button releases it."""
    receipts.receive(
        order.pk, lines=[{"line": x.pk, "quantity": x.quantity} for x in order.lines.all()]
    )
    line = order.lines.get(product__sku="BRK")
    match = bills.bill_order(
        order.pk, lines=[{"line": line.pk, "quantity": 10, "unit_price": "108.00"}], by=buyer
    )
    before = state()
    assert _client(buyer).post(_url("billmatch_release_bill", match.pk)).status_code == 403
    assert state() == before
    response = _client(accountant).post(_url("billmatch_release_bill", match.pk), {"note": "ok"})
    assert response.status_code == 302
    assert BillMatch.objects.get(pk=match.pk).status == "released"
