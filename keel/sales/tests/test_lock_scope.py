"""A step locks its own document's row, never the company's (PostgreSQL).

Found by the load run (bench/soak/load.py, 50 users): the lock helpers of quotations,
orders and invoices took `select_for_update().select_related("company")`, which locks
the joined company row too. A company row locked FOR UPDATE must wait for every open
transaction that wrote anything of the company (each foreign key to it holds a
key-share lock until commit), and under load that queue deadlocked confirmations
against invoice postings ("deadlock detected ... while locking tuple (0,1) in relation
core_company"). Each lock now takes `of=("self",)`; tests/architecture/test_row_locks.py
keeps every other lock helper so.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction

from keel.accounting.models import Invoice
from keel.accounting.services import invoices
from keel.accounting.tests.factories import invoice
from keel.inventory.tests.factories import product, receive

from ..models import Quotation, SalesOrder
from ..services import orders
from .factories import customer, quotation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
JUNE_1 = dt.date(2026, 6, 1)


@contextmanager
def another_writer_of(company):
    """A second connection in the middle of writing a record of `company`: it holds the
    key-share lock on the company row that the foreign key check of its insert took,
    until it commits."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as other:
        other.execute("SELECT 1 FROM core_company WHERE id = %s FOR KEY SHARE", [company.pk])
        yield
        other.rollback()


def without_waiting(step):
    """Run `step` in a transaction that gives up on any lock it waits 2 s for."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        return step()


def test_confirming_a_quotation_does_not_wait_for_another_writer_of_the_company(company, books, wh):
    """Given a quotation of 2 units in stock, and another user saving a record of the
    same company at that moment (not committed yet),
    When the quotation is confirmed,
    Then it becomes a confirmed order at once, without waiting for the other user."""
    item = product(company, name="Bolt", sku="BLT", sale_price=Decimal("10.00"))
    receive(wh, item, 5, unit_cost="6.00", on_date=JUNE_1)
    quote = quotation(company, customer(company), wh, [{"product": item, "quantity": 2}])

    with another_writer_of(company):
        order = without_waiting(lambda: orders.confirm(quote.pk, on_date=JUNE_1))

    assert SalesOrder.objects.get(pk=order.pk).status == SalesOrder.Status.CONFIRMED
    assert Quotation.objects.get(pk=quote.pk).status == Quotation.Status.CONFIRMED


def test_posting_an_invoice_does_not_wait_for_another_writer_of_the_company(company, books):
    """Given a draft invoice, and another user saving a record of the same company,
    When the invoice is posted,
    Then it is posted at once with its number."""
    draft = invoice(company, customer(company), post=False)

    with another_writer_of(company):
        without_waiting(lambda: invoices.post_invoice(draft.pk))

    posted = Invoice.objects.get(pk=draft.pk)
    assert posted.status == Invoice.Status.POSTED
    assert posted.number == "INV/2026/00001"
