"""The purchasing demo: orders in every state through the services, the same on every
load, and a second load changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from keel.accounting.selectors.reports import trial_balance
from keel.inventory.tests.factories import product

from ..demo import load
from ..models import BillMatch, PurchaseOrder, Rfq

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def test_the_demo_has_orders_in_every_state(company, books, users):
    """Given books, four goods and a user per role; When the demo loads twice; Then one
    order is done, one partly received, one waits for approval, one has a held bill, an
    RFQ has three replies, the books balance, and the second load added nothing."""
    for sku, cost in (("DSK", "120.00"), ("CHR", "45.00"), ("SRV", "900.00"), ("CBL", "4.00")):
        product(company, name=f"Item {sku}", sku=sku, cost_price=cost)
    load(company, today=TODAY)
    found = list(
        PurchaseOrder.objects.order_by("number").values_list(
            "status", "receipt_status", "billing_status"
        )
    )
    assert found == [
        ("done", "full", "full"),
        ("confirmed", "partial", "partial"),
        ("to_approve", "nothing", "nothing"),
        ("received", "full", "full"),
    ]
    assert sorted(BillMatch.objects.values_list("status", flat=True)) == [
        "matched",
        "matched",
        "on_hold",
    ]
    rfq = Rfq.objects.get()
    assert (rfq.status, rfq.vendors.filter(replied_at__isnull=False).count()) == ("sent", 3)
    report = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert report["totals"]["debit"] == report["totals"]["credit"]
    load(company, today=TODAY)
    assert PurchaseOrder.objects.count() == 4 and Rfq.objects.count() == 1
