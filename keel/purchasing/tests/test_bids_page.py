"""The bid comparison page: every vendor's prices, totals and lead times, an award
button per complete bid for those allowed, refusals that change nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ..models import PurchaseOrder, Rfq
from ..services import rfqs
from .snapshots import state

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def answered(company, books, wh, bracket, hinge, vendors, buyer):
    """An RFQ for 100 brackets and 50 hinges, sent to three vendors; Acme and Bolt
    replied in full, Cast quoted brackets only."""
    rfq = rfqs.create_rfq(
        company,
        warehouse=wh,
        vendors=list(vendors.values()),
        lines=[{"product": bracket, "quantity": 100}, {"product": hinge, "quantity": 50}],
        by=buyer,
    )
    rfqs.send_rfq(rfq.pk, by=buyer)
    line = {x.product_id: x.pk for x in rfq.lines.all()}
    for name, quotes in (
        ("acme", [(bracket, "80.00", 10), (hinge, "60.00", 7)]),
        ("bolt", [(bracket, "78.00", 14), (hinge, "62.00", 10)]),
        ("cast", [(bracket, "70.00", 5)]),
    ):
        rfqs.record_reply(
            rfq.pk,
            vendor=vendors[name],
            quotes=[{"line": line[p.pk], "unit_price": u, "lead_days": d} for p, u, d in quotes],
        )
    return rfq


def test_the_page_compares_the_bids_and_offers_the_award(
    answered, buyer, django_assert_max_num_queries
):
    """When the buyer opens the comparison; Then Bolt (10,900.00) comes first, Acme
    (11,000.00) second, Cast is incomplete, and only complete bids have a button."""
    client = _client(buyer)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("purchasing:bids", args=[answered.pk]))
    assert response.status_code == 200
    assert [(b.vendor, b.total, b.complete) for b in response.context["bids"]][:2] == [
        ("Bolt & Co", 10900, True),
        ("Acme Metals", 11000, True),
    ]
    page = response.content.decode()
    assert "10,900.00" in page and "11,000.00" in page and "incomplete" in page
    assert page.count('name="vendor"') == 2


def test_awarding_from_the_page_creates_the_order(answered, buyer, vendors):
    """When the buyer awards Bolt; Then a draft order at Bolt's prices exists and the
    RFQ is awarded."""
    response = _client(buyer).post(
        reverse("purchasing:award", args=[answered.pk]), {"vendor": vendors["bolt"].pk}
    )
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:purchasing_purchaseorder_change", args=[order.pk])
    assert (order.vendor, order.amount_total, order.status) == (vendors["bolt"], 10900, "draft")
    assert Rfq.objects.get(pk=answered.pk).status == "awarded"


def test_awarding_an_incomplete_bid_is_a_message(answered, buyer, vendors):
    """When Cast (brackets only) is awarded; Then the page says so, nothing changed."""
    before = state()
    response = _client(buyer).post(
        reverse("purchasing:award", args=[answered.pk]), {"vendor": vendors["cast"].pk}, follow=True
    )
    assert b"has not quoted" in response.content
    assert state() == before


def test_an_employee_may_neither_see_nor_award(answered, employee, vendors):
    """When an employee opens the page or posts an award; Then 403, nothing changed."""
    client = _client(employee)
    before = state()
    assert client.get(reverse("purchasing:bids", args=[answered.pk])).status_code == 403
    award = client.post(
        reverse("purchasing:award", args=[answered.pk]), {"vendor": vendors["bolt"].pk}
    )
    assert award.status_code == 403
    assert state() == before
