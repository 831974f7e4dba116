"""Batch actions through the API: confirm many, invoice all delivered, pay many;
each answers per document, and a caller without the right is refused with nothing
changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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


def _admin(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_workspace_lists_confirm_invoice_and_pay_the_selected_records(
    company, books, wh, gadget, acme, manager
):
    """Given two of the manager's quotations (2 and 3 gadgets);
    When he ticks both and runs "Confirm selected", delivers the orders, ticks them
    and runs "Invoice all delivered", and an accountant runs "Register payment for
    selected" on them;
    Then both are orders, one invoice of 250.00 covers them and it is paid."""
    # The workspace confirms, invoices and pays today: quote today.
    today = timezone.localdate()
    quotes = [
        quotation(
            company, acme, wh, [{"product": gadget, "quantity": n}], by=manager, quote_date=today
        )
        for n in (2, 3)
    ]
    client = _admin(manager)
    page = reverse("admin:sales_quotation_changelist")
    client.post(
        page, {"action": "confirm_selected", "index": 0, "_selected_action": [q.pk for q in quotes]}
    )
    made = list(SalesOrder.objects.order_by("pk"))
    assert [o.quotation_id for o in made] == [q.pk for q in quotes]
    for order in made:
        orders.deliver(order.pk, on_date=today, by=manager)
    selected = {"_selected_action": [o.pk for o in made]}
    orders_page = reverse("admin:sales_salesorder_changelist")
    client.post(orders_page, {"action": "invoice_delivered", "index": 0, **selected})
    document = Invoice.objects.get()
    assert (document.amount_total, document.status) == (D("250.00"), "posted")
    accountant = user_with_role(Role.ACCOUNTANT, "acc.ada", company=company)
    _admin(accountant).post(orders_page, {"action": "pay_selected", "index": 0, **selected})
    assert Invoice.objects.get().payment_status == "paid"
    assert set(SalesOrder.objects.values_list("status", flat=True)) == {"done"}


def test_a_rep_has_no_register_payment_on_the_order_list(company, books, wh, gadget, acme, rep):
    """Given Ann's delivered and invoiced order;
    When she tries "Register payment for selected" on the order list;
    Then the action is not hers to run and nothing changed."""
    order = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 2}], rep)
    orders.invoice(order.pk, on_date=JUNE_1, by=rep)
    before = state()
    _admin(rep).post(
        reverse("admin:sales_salesorder_changelist"),
        {"action": "pay_selected", "index": 0, "_selected_action": [order.pk]},
    )
    assert state() == before
    assert Invoice.objects.get().payment_status == "not_paid"
