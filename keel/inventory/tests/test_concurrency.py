"""Never oversell, on PostgreSQL: 32 clerks reserve the last 10 units at once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from keel.core.tests.factories import CompanyFactory

from ..errors import InsufficientStock
from ..models import StockLevel, Transfer
from ..services import transfers
from .factories import bin_in, delivery, product, receive, warehouse

THREADS = 32
D = Decimal


def _race(work) -> tuple[int, int, list[BaseException]]:
    """Run `work(i)` in THREADS threads released together; (done, refused, errors)."""
    start = threading.Barrier(THREADS)
    done, refused, errors = [], [], []

    def worker(index: int) -> None:
        try:
            start.wait()
            work(index)
            done.append(index)
        except InsufficientStock as refusal:
            refused.append(refusal)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done), refused, errors


def _assert_never_oversold(item, refused) -> None:
    assert {r.code for r in refused} == {"insufficient_stock"}
    assert all(r.detail.startswith("Insufficient stock") for r in refused)
    for level in StockLevel.objects.filter(product=item):
        assert D(0) <= level.reserved <= level.on_hand
    held = StockLevel.objects.filter(product=item, lot_key__gte=0)
    assert sum((level.reserved for level in held), D(0)) == D(10)
    assert sum((level.on_hand for level in held), D(0)) == D(10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_32_reservations_against_10_on_hand_reserve_exactly_10():
    """Given 10 Widgets on hand in WH/Stock and 32 confirmed deliveries of 1; When 32
    threads reserve them at the same moment; Then exactly 10 succeed, 22 are refused
    with insufficient_stock, nothing else fails, 10 are reserved of 10 on hand."""
    company = CompanyFactory(name="Race Co")
    wh = warehouse(company)
    widget = product(company, name="Widget", sku="WID")
    receive(wh, widget, 10)
    deliveries = [delivery(wh, widget, 1) for _ in range(THREADS)]
    for out in deliveries:
        transfers.confirm(out.pk)

    succeeded, refused, errors = _race(lambda i: transfers.reserve(deliveries[i].pk))

    assert errors == []
    assert (succeeded, len(refused)) == (10, 22)
    _assert_never_oversold(widget, refused)
    statuses = Transfer.objects.filter(kind="delivery").values_list("status", flat=True)
    assert sorted(statuses) == ["ready"] * 10 + ["waiting"] * 22


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stock_in", ["untracked", "a lot"])
def test_the_level_rows_a_delivery_needs_are_created_under_concurrency(stock_in):
    """Given 10 Widgets on hand only in bin WH/Stock/A1 (untracked, or in lot L1), so
    that no stock-level row exists for WH/Stock without a lot; When 32 threads each
    create, confirm and reserve a delivery of 1 from WH/Stock at once; Then the
    missing row is created once (no duplicate-key error leaks out), exactly 10
    reservations succeed, 22 are refused with insufficient_stock, and all 32 count
    as outgoing."""
    company = CompanyFactory(name="Race Co")
    wh = warehouse(company)
    a1 = bin_in(wh, "A1")
    if stock_in == "a lot":
        widget = product(company, name="Widget", sku="WID", tracking="lot")
        receive(wh, widget, 10, lots=[("L1", "10", None)], destination=a1)
    else:
        widget = product(company, name="Widget", sku="WID")
        receive(wh, widget, 10, destination=a1)
    assert not StockLevel.objects.filter(
        product=widget, location=wh.stock_location, lot_key=0
    ).exists()

    def deliver_one(_):
        out = delivery(wh, widget, 1)
        transfers.confirm(out.pk)
        transfers.reserve(out.pk)

    succeeded, refused, errors = _race(deliver_one)

    assert errors == []
    assert (succeeded, len(refused)) == (10, 22)
    _assert_never_oversold(widget, refused)
    statuses = Transfer.objects.filter(kind="delivery").values_list("status", flat=True)
    assert sorted(statuses) == ["ready"] * 10 + ["waiting"] * 22
    # One row for WH/Stock without a lot, created by whichever confirmation came first.
    counter = StockLevel.objects.get(product=widget, location=wh.stock_location, lot_key=0)
    assert (counter.on_hand, counter.reserved, counter.outgoing) == (D(0), D(0), D(32))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_serial_number_received_by_8_clerks_at_once_is_received_once():
    """Given 8 confirmed receipts of one laptop each; When 8 threads validate them at the
    same moment, all saying serial SN-1; Then exactly one succeeds, 7 are refused with
    serial_in_use (no duplicate-key error leaks out), and SN-1 is on hand once."""
    from ..errors import SerialInUse
    from ..models import Lot
    from ..services import validation

    company = CompanyFactory(name="Race Co")
    wh = warehouse(company)
    laptop = product(company, name="Laptop", sku="LAP", tracking="serial")
    receipts = []
    for _ in range(8):
        receipt = transfers.create_transfer(
            company, kind="receipt", warehouse=wh, lines=[{"product": laptop, "quantity": 1}]
        )
        transfers.confirm(receipt.pk)
        receipts.append((receipt.pk, receipt.moves.get().pk))
    start = threading.Barrier(8)
    done, refused, errors = [], [], []

    def receive_sn1(index: int) -> None:
        transfer_id, move_id = receipts[index]
        try:
            start.wait()
            validation.validate(transfer_id, done=[{"move": move_id, "quantity": 1, "lot": "SN-1"}])
            done.append(index)
        except SerialInUse as refusal:
            refused.append(refusal.code)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive_sn1, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert (len(done), refused) == (1, ["serial_in_use"] * 7)
    assert Lot.objects.filter(product=laptop).count() == 1
    held = StockLevel.objects.filter(product=laptop, lot__name="SN-1")
    assert [(level.location.full_name, level.on_hand) for level in held] == [("WH/Stock", D(1))]
