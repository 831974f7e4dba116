"""Batch actions through the API: confirm many, invoice all delivered, pay many;
each answers per document, and a caller without the right is refused with nothing
changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.accounting.models import Invoice
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from ..models import SalesOrder
from ..services import orders
from .factories import quotation
from .snapshots import state
from .test_batch import delivered_order

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1"
JUNE_1 = dt.date(2026, 6, 1)


def post(client, url, data):
    return client.post(url, data, format="json")


def test_a_rep_confirms_her_quotations_in_one_call_and_learns_why_one_was_refused(
    api_as, company, wh, gadget, acme, rep, other_rep
):
    """Given two of Ann's quotations and one of Bob's;
    When Ann confirms the three in one call;
    Then hers become orders and Bob's is reported as not hers (200: the batch ran)."""
    mine = [
        quotation(company, acme, wh, [{"product": gadget, "quantity": n}], by=rep) for n in (1, 2)
    ]
    bobs = quotation(company, acme, wh, [{"product": gadget, "quantity": 1}], by=other_rep)
    answer = post(
        api_as(rep),
        f"{API}/quotations/confirm-many/",
        {"quotations": [q.pk for q in [*mine, bobs]], "date": "2026-06-02"},
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    made = dict(SalesOrder.objects.values_list("quotation_id", "pk"))
    assert body["done"] == {str(q.pk): made[q.pk] for q in mine}
    assert [(r["id"], r["code"]) for r in body["refused"]] == [(bobs.pk, "permission_denied")]


def test_invoice_all_delivered_and_pay_them_through_the_api(
    api_as, company, books, wh, gadget, acme, manager
):
    """Given two delivered orders for Acme (2 and 3 gadgets at 50.00);
    When the manager invoices all delivered and the accountant pays the invoice;
    Then one invoice of 250.00 covers both orders and it is paid; the orders are done."""
    first = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 2}], manager)
    second = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 3}], manager)
    invoiced = post(
        api_as(manager),
        f"{API}/sales-orders/invoice-delivered/",
        {"party": acme.pk, "date": "2026-06-01"},
    )
    assert invoiced.status_code == 200, invoiced.json()
    done = invoiced.json()["done"]
    assert done[str(first.pk)] == done[str(second.pk)]
    document = Invoice.objects.get(pk=done[str(first.pk)])
    assert document.amount_total == D("250.00")
    accountant = user_with_role(Role.ACCOUNTANT, "acc.ada", company=company)
    paid = post(
        api_as(accountant),
        f"{API}/sales-orders/pay-invoices/",
        {"invoices": [document.pk], "journal": books["BNK"].pk, "date": "2026-06-01"},
    )
    assert paid.status_code == 200, paid.json()
    assert (paid.json()["refused"], list(paid.json()["done"])) == ([], [str(document.pk)])
    assert Invoice.objects.get(pk=document.pk).payment_status == "paid"
    assert set(SalesOrder.objects.values_list("status", flat=True)) == {"done"}


def test_a_rep_may_not_pay_invoices_and_an_unknown_journal_is_refused(
    api_as, company, books, wh, gadget, acme, rep
):
    """Given Ann's delivered and invoiced order;
    When Ann asks to pay its invoice, and the accountant names a journal that does
    not exist;
    Then Ann is refused (403) and the accountant gets 400 at the journal; nothing changed."""
    order = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 2}], rep)
    document = orders.invoice(order.pk, on_date=JUNE_1, by=rep)
    accountant = user_with_role(Role.ACCOUNTANT, "acc.ada", company=company)
    before = state()
    by_rep = post(
        api_as(rep),
        f"{API}/sales-orders/pay-invoices/",
        {"invoices": [document.pk], "journal": books["BNK"].pk},
    )
    assert by_rep.status_code == 403
    wrong = post(
        api_as(accountant),
        f"{API}/sales-orders/pay-invoices/",
        {"invoices": [document.pk], "journal": 999_999},
    )
    assert (wrong.status_code, wrong.json()) == (
        400,
        {"code": "invalid", "detail": "Unknown journal.", "field": "journal"},
    )
    assert state() == before
