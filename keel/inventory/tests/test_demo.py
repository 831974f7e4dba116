"""The demo stock: two warehouses, 150 stocked products and a year of receipts,
deliveries and counts for the demo customers, posted into the demo books."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import realization
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import F, Sum
from faker import Faker

from keel.accounting import demo as accounting_demo
from keel.accounting.exports.beancount import account_names
from keel.accounting.models import Invoice, InvoiceLine, JournalEntry
from keel.accounting.selectors import (
    balance_differences,
    balance_sheet,
    first_broken_link,
    trial_balance,
)
from keel.parties import demo as parties_demo
from keel.parties.models import Party
from keel.products import demo as products_demo
from keel.products.models import Product, ProductCategory

from .. import demo
from ..models import (
    InventoryCount,
    Location,
    Lot,
    StockLevel,
    StockMove,
    Transfer,
    ValuationLayer,
    Warehouse,
)
from ..selectors import check_valuation, level_differences

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date(2026, 11, 24)
START = dt.date(2025, 12, 1)  # the accounting demo's year: the first of the month 11 back


def _closing(company, code: str) -> Decimal:
    rows = trial_balance(company.pk, dt.date(2000, 1, 1), TODAY)["rows"]
    return next((row["closing"] for row in rows if row["code"] == code), D(0))


def _demo(company) -> float:
    """The demo company's parties, catalogue and books, then its stock; the seconds
    the stock took."""
    fake = Faker("en_US")
    fake.seed_instance(2026)
    parties_demo.load(company, fake)
    products_demo.load(company, fake)
    accounting_demo.load(company, fake, today=TODAY)
    started = time.perf_counter()
    demo.load(company, fake, today=TODAY)
    return time.perf_counter() - started


def _sizes(company) -> dict[str, int]:
    return {
        model.__name__: model.objects.filter(**{field: company}).count()
        for model, field in (
            (Warehouse, "company"),
            (Transfer, "company"),
            (StockMove, "transfer__company"),
            (Lot, "company"),
            (ValuationLayer, "company"),
            (InventoryCount, "company"),
            (JournalEntry, "company"),
        )
    }


def test_a_year_of_demo_stock_is_real_agrees_with_the_books_and_passes_bean_check(
    company, capsys, tmp_path
):
    """Given the demo company's parties, catalogue and a year of books (as of 24
    November 2026), when its stock is loaded (and loaded again), then: two warehouses
    keep their stock in bins under zones; 150 products are stocked, 45 by serial
    number and 44 by lot, every lot with an expiry date; every month has receipts from
    demo suppliers and deliveries to demo customers, every invoiced good left on its
    invoice's date to its customer and the goods credited in full came back; on hand
    is the sum of the done moves and never below what is reserved; the quarterly
    counts posted their adjustments; the stock valuation equals the stock account to
    the cent; and the second load added nothing. And the ledger as first loaded,
    exported to beancount, passes bean-check with beancount's balance of every account
    (the stock accounts too) equal to Keel's trial balance to the cent.

    (One test, one load: loading the demo is most of its time.)"""
    # Given / When
    seconds = _demo(company)
    loaded = _sizes(company)
    # Then the ledger as loaded passes bean-check and agrees with the trial balance
    _assert_bean_check_agrees(company, tmp_path)
    # When loaded again
    demo.load(company, today=TODAY)
    # Then the second load added nothing
    assert _sizes(company) == loaded
    assert loaded == {
        "Warehouse": 2,
        "Transfer": 318,
        "StockMove": 2537,
        "Lot": 935,
        "ValuationLayer": 2164,
        "InventoryCount": 8,
        "JournalEntry": 670,  # the accounting demo's 377 and a stock entry per valued transfer
    }
    # Then two warehouses with zones and bins
    internal = Location.objects.filter(company=company, usage=Location.Usage.INTERNAL)
    assert sorted(internal.values_list("full_name", flat=True)) == [
        "EAST/Stock",
        "EAST/Stock/Zone A",
        "EAST/Stock/Zone A/A-01",
        "EAST/Stock/Zone A/A-02",
        "EAST/Stock/Zone B",
        "EAST/Stock/Zone B/B-01",
        "MAIN/Stock",
        "MAIN/Stock/Zone A",
        "MAIN/Stock/Zone A/A-01",
        "MAIN/Stock/Zone A/A-02",
        "MAIN/Stock/Zone A/A-03",
        "MAIN/Stock/Zone B",
        "MAIN/Stock/Zone B/B-01",
        "MAIN/Stock/Zone B/B-02",
    ]
    # Then 150 stocked products, tracked by serial and by lot, FIFO and average
    stocked = Product.objects.filter(company=company).exclude(kind=Product.Kind.SERVICE)
    assert Counter(stocked.values_list("tracking", flat=True)) == {
        "none": 61,
        "serial": 45,
        "lot": 44,
    }
    fifo = ProductCategory.objects.filter(company=company, costing_method="fifo")
    assert sorted(fifo.values_list("name", flat=True)) == ["Computers", "Networking", "Printing"]
    lots = Lot.objects.filter(company=company)
    assert Counter(lots.values_list("kind", flat=True)) == {"serial": 519, "lot": 416}
    # none was past its date when it came in; some are by now (FEFO ships them first)
    assert not lots.filter(kind=Lot.Kind.LOT, expiry_date__lte=START).exists()
    assert lots.filter(kind=Lot.Kind.LOT, expiry_date__lte=TODAY).count() == 24
    assert not lots.filter(kind=Lot.Kind.LOT, expiry_date=None).exists()
    tracked = stocked.filter(tracking=Product.Tracking.LOT)
    assert set(tracked.values_list("pk", flat=True)) == set(
        lots.filter(kind=Lot.Kind.LOT).values_list("product_id", flat=True)
    )
    # Then transfers in every state a warehouse sees today, dated across the year
    transfers = Transfer.objects.filter(company=company)
    assert Counter(transfers.values_list("kind", "status")) == {
        ("receipt", "done"): 97,  # 96 from suppliers, 1 return from a customer
        ("delivery", "done"): 208,
        ("internal", "done"): 8,  # the counts' adjustments
        ("receipt", "ready"): 2,  # expected in five days, one per warehouse
        ("delivery", "ready"): 3,  # reserved for the next three days
    }
    done = transfers.filter(status=Transfer.Status.DONE)
    returns = done.filter(source__usage=Location.Usage.CUSTOMER)
    days = sorted(done.values_list("done_date", flat=True))
    assert (days[0], days[-1]) == (START, dt.date(2026, 11, 23))
    by_month = Counter(
        (kind, day.month)
        for kind, day in done.exclude(pk__in=returns).values_list("kind", "done_date")
    )
    assert {by_month["receipt", month] for month in range(1, 13)} == {8}  # one per bin
    assert min(by_month["delivery", month] for month in range(1, 13)) == 15
    assert {m for (kind, m) in by_month if kind == "internal"} == {2, 5, 8, 11}
    # Then receipts come from demo suppliers, deliveries go to the demo customers
    receipts = transfers.filter(kind=Transfer.Kind.RECEIPT, source__usage=Location.Usage.SUPPLIER)
    suppliers = Party.objects.filter(pk__in=receipts.values("partner_id"))
    assert (suppliers.count(), set(suppliers.values_list("is_supplier", flat=True))) == (
        5,
        {True},
    )
    customers = Party.objects.filter(company=company, is_customer=True, kind="organisation")
    invoiced_customers = set(customers.order_by("pk").values_list("pk", flat=True)[:24])
    deliveries = transfers.filter(kind=Transfer.Kind.DELIVERY)
    assert set(deliveries.values_list("partner_id", flat=True)) == invoiced_customers
    # Then every invoiced good left on its invoice's date, to its customer
    invoice_type = ContentType.objects.get_for_model(Invoice)
    shipped = defaultdict(Decimal)
    for origin, party, day, invoiced_day, product, quantity in StockMove.objects.filter(
        transfer__origin_type=invoice_type,
        transfer__company=company,
        transfer__kind=Transfer.Kind.DELIVERY,
    ).values_list(
        "transfer__origin_id",
        "transfer__partner_id",
        "transfer__done_date",
        "transfer__scheduled_date",
        "product_id",
        "quantity_done",
    ):
        assert day == invoiced_day
        shipped[(int(origin), party, day, product)] += quantity
    invoiced = defaultdict(Decimal)
    for origin, party, day, product, quantity in InvoiceLine.objects.filter(
        invoice__company=company,
        invoice__kind=Invoice.Kind.CUSTOMER_INVOICE,
        invoice__status=Invoice.Status.POSTED,
        product__in=stocked,
    ).values_list("invoice_id", "invoice__party_id", "invoice__date", "product_id", "quantity"):
        invoiced[(origin, party, day, product)] += D(quantity)
    assert shipped == invoiced
    # Then the goods of the credit note in full came back, at the cost they left with
    (back,) = returns
    credit = Invoice.objects.get(pk=back.origin_id)
    assert (back.done_date, back.partner_id, credit.reversed_invoice.number) == (
        credit.date,
        credit.party_id,
        "INV/2026/00095",
    )
    assert sorted(back.moves.values_list("product__sku", "quantity_done")) == [
        ("CMP-DOCK-USBC", D("9")),
        ("SUP-PAPER-A4", D("73")),
        ("SUP-TONER-BK", D("5")),
    ]
    returned = ValuationLayer.objects.filter(move__transfer=back)  # supplies are not valued
    assert list(returned.values_list("quantity", "unit_cost", "value")) == [
        (D("9"), D("130.00"), D("1170.00"))
    ]
    assert (len({key[0] for key in invoiced}), sum(invoiced.values())) == (106, D("2168"))
    # Then on hand is the sum of the done moves, never below what is reserved
    assert level_differences(company.pk) == []
    levels = StockLevel.objects.filter(company=company)
    assert not levels.filter(reserved__gt=F("on_hand")).exists()
    assert not levels.filter(lot__kind=Lot.Kind.SERIAL, on_hand__gt=1).exists()
    totals = levels.filter(location__usage=Location.Usage.INTERNAL).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    assert totals == {"on_hand": D("29350"), "reserved": D("151")}
    # Then the counts posted their adjustments
    counts = InventoryCount.objects.filter(company=company).select_related("adjustment")
    assert [(c.date.month, c.location.full_name) for c in counts.order_by("date", "id")] == [
        (2, "MAIN/Stock/Zone A/A-01"),
        (2, "EAST/Stock/Zone A/A-01"),
        (5, "MAIN/Stock/Zone A/A-02"),
        (5, "EAST/Stock/Zone A/A-02"),
        (8, "MAIN/Stock/Zone A/A-03"),
        (8, "EAST/Stock/Zone B/B-01"),
        (11, "MAIN/Stock/Zone B/B-01"),
        (11, "EAST/Stock/Zone A/A-01"),
    ]
    assert {c.status for c in counts} == {InventoryCount.Status.DONE}
    adjustments = [c.adjustment for c in counts]
    transfer_type = ContentType.objects.get_for_model(Transfer)
    posted = JournalEntry.objects.filter(
        source_type=transfer_type, source_id__in=[str(a.pk) for a in adjustments]
    )
    assert posted.count() == len(adjustments) == 8
    assert set(posted.values_list("journal__code", flat=True)) == {"STK"}
    losses = ValuationLayer.objects.filter(move__transfer__in=adjustments)
    assert _closing(company, "6900") == -losses.aggregate(v=Sum("value"))["v"] == D("1736.18")
    # Then the stock valuation equals the stock account, to the cent
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account, check.layers) == (D("280545.92"),) * 3
    assert _closing(company, "1200") == check.valuation
    # received and not billed (purchasing will bill receipts), and the cost of what left
    assert (_closing(company, "1210"), _closing(company, "5000")) == (
        D("-761337.90"),
        D("479055.80"),
    )
    out = io.StringIO()
    call_command("check-stock-valuation", stdout=out)
    assert "equals the stock account" in out.getvalue()
    # Then the books still balance, their hash chain whole
    assert balance_sheet(company.pk, TODAY)["balanced"] is True
    assert balance_differences(company.pk) == []
    assert first_broken_link(company.pk) == (None, loaded["JournalEntry"])
    with capsys.disabled():
        print(f"\ninventory demo loaded in {seconds:.1f} s")


def _assert_bean_check_agrees(company, tmp_path) -> None:
    """When the ledger (the stock entries too) is exported to beancount, Then
    bean-check finds no error and beancount's balance of every account equals Keel's
    trial balance to the cent."""
    # When
    target = tmp_path / "ledger.beancount"
    call_command("export-beancount", company=company.pk, to=str(target))
    # Then
    entries, errors, _options = loader.load_file(str(target))
    assert errors == []
    checked = subprocess.run(
        [sys.executable, "-c", "from beancount.scripts.check import main; main()", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    root = realization.realize(entries)
    names = account_names(company.pk)
    rows = trial_balance(company.pk, dt.date(2000, 1, 1), dt.date(2100, 12, 31))["rows"]
    closing = {row["code"]: row["closing"] for row in rows}
    for row in rows:
        real = realization.get(root, names[row["account_id"]])
        assert real.balance.get_currency_units(company.currency).number == row["closing"]
    assert closing["1200"] == check_valuation(company.pk).valuation > 0
