"""On PostgreSQL: eight buyers bill the same receipt at once, eight clerks receive the
same order at once; the order is billed and received exactly once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from keel.accounting.models import Invoice
from keel.accounting.tests.factories import books
from keel.core.errors import DomainError
from keel.core.tests.factories import CompanyFactory
from keel.inventory.models import StockLevel
from keel.inventory.tests.factories import product, warehouse
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from ..models import BillMatch, PurchaseOrder
from ..services import bills, receipts
from .factories import confirmed_order, vendor

THREADS = 8
D = Decimal
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(work) -> tuple[int, list[DomainError], list[BaseException]]:
    """Run `work()` in THREADS threads released together; (done, refused, errors)."""
    start = threading.Barrier(THREADS)
    done, refused, errors = [], [], []

    def worker() -> None:
        try:
            start.wait()
            work()
            done.append(1)
        except DomainError as refusal:
            refused.append(refusal)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done), refused, errors


@pytest.fixture
def ordered():
    """An order of 10 brackets at 100.00 from Acme, confirmed (below the threshold)."""
    company = CompanyFactory()
    books(company)
    wh = warehouse(company)
    bracket = product(company, name="Steel bracket", sku="BRK")
    buyer = user_with_role(Role.BUYER, company=company)
    order = confirmed_order(
        company, wh, vendor(company, "Acme Metals"), [(bracket, 10, "100.00")], by=buyer
    )
    return order, buyer, wh, bracket


def test_eight_bills_of_one_receipt_make_one_bill(ordered):
    """Given the 10 brackets received; When eight buyers bill the order at once; Then
    one bill of 1,000.00 is posted and seven are refused with nothing_to_bill."""
    order, buyer, _, _ = ordered
    receipts.receive(order.pk, lines=[{"line": order.lines.get().pk, "quantity": 10}])
    done, refused, errors = _race(lambda: bills.bill_order(order.pk, by=buyer))
    assert errors == []
    assert (done, {r.code for r in refused}) == (1, {"nothing_to_bill"})
    assert BillMatch.objects.count() == 1
    assert list(Invoice.objects.values_list("status", "amount_total")) == [("posted", D("1000.00"))]
    assert order.lines.get().quantity_billed == D(10)


def test_eight_receipts_of_one_order_receive_it_once(ordered):
    """When eight clerks receive the 10 brackets at once; Then 10 are on hand, the order
    is received, and the seven others are refused (the order is no longer waiting)."""
    order, buyer, wh, bracket = ordered
    line_id = order.lines.get().pk
    done, refused, errors = _race(
        lambda: receipts.receive(order.pk, lines=[{"line": line_id, "quantity": 10}], by=buyer)
    )
    assert errors == []
    assert (done, {r.code for r in refused}) == (1, {"order_not_receivable"})
    assert StockLevel.objects.get(product=bracket, location=wh.stock_location).on_hand == D(10)
    assert PurchaseOrder.objects.get(pk=order.pk).status == "received"
