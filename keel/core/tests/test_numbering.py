"""Legal numbers: gapless per series and fiscal year, also under concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from keel.core.models import Company, Sequence
from keel.core.numbering import next_number
from keel.core.tests.concurrency import run_together
from keel.core.tests.factories import CompanyFactory

MAY_1 = dt.date(2026, 5, 1)


@pytest.mark.django_db
def test_numbers_follow_each_other_per_series_and_fiscal_year(company):
    """Given a calendar fiscal year; When numbers are drawn in two series and two
    years; Then each series counts from 1 on its own."""
    with transaction.atomic():
        drawn = [
            next_number(company, "sales.invoice", MAY_1, prefix="INV/"),
            next_number(company, "sales.invoice", MAY_1, prefix="INV/"),
            next_number(company, "purchase.bill", MAY_1, prefix="BILL/"),
            next_number(company, "sales.invoice", dt.date(2027, 1, 2), prefix="INV/"),
        ]
    assert drawn == ["INV/2026/00001", "INV/2026/00002", "BILL/2026/00001", "INV/2027/00001"]


@pytest.mark.django_db
def test_fiscal_year_starting_in_july_is_named_after_the_year_it_ends():
    company = CompanyFactory(name="July Co", fiscal_year_start_month=7)
    with transaction.atomic():
        june = next_number(company, "inv", dt.date(2026, 6, 30), prefix="I/")
        july = next_number(company, "inv", dt.date(2026, 7, 1), prefix="I/")
    assert (june, july) == ("I/2026/00001", "I/2027/00001")


@pytest.mark.django_db
def test_a_rolled_back_document_gives_its_number_back(company):
    """Given number 1 was drawn by a document that failed; Then the next document gets 1."""
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number(company, "inv", MAY_1) == "2026/00001"
        raise RuntimeError("posting failed")
    with transaction.atomic():
        assert next_number(company, "inv", MAY_1) == "2026/00001"


@pytest.mark.django_db(transaction=True)
def test_drawing_outside_a_transaction_is_refused(company):
    with pytest.raises(RuntimeError, match="inside the document's transaction"):
        next_number(company, "inv", MAY_1)
    assert Sequence.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_drawing_fifty_numbers_each_get_400_distinct_gapless_numbers():
    """Given one series with no lock row yet; When 8 threads draw 50 numbers each,
    one transaction per number; Then the 400 numbers are exactly 1..400."""
    assert connection.vendor == "postgresql"
    company = Company.objects.create(name="Concurrent Co")
    drawn: list[str] = []
    lock = threading.Lock()

    def worker():
        for _ in range(50):
            with transaction.atomic():
                number = next_number(company, "sales.invoice", MAY_1, prefix="INV/")
            with lock:
                drawn.append(number)

    errors = run_together(worker, 8)

    assert errors == []
    assert len(drawn) == 400
    assert sorted(drawn) == [f"INV/2026/{n:05d}" for n in range(1, 401)]
    assert Sequence.objects.get(company=company).next_value == 401


@pytest.mark.django_db
def test_a_series_that_is_not_yearly_never_restarts(company):
    """Given a per-warehouse series such as 'WH/IN/'; When numbers are drawn in two
    years; Then they carry no year and keep counting."""
    with transaction.atomic():
        drawn = [
            next_number(company, "stock.WH.in", MAY_1, prefix="WH/IN/", yearly=False),
            next_number(company, "stock.WH.in", dt.date(2027, 1, 2), prefix="WH/IN/", yearly=False),
        ]
    assert drawn == ["WH/IN/00001", "WH/IN/00002"]
