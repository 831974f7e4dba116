"""Batch actions: confirm many quotations, invoice all delivered (per customer or per
order), pay many invoices; refusals reported per document, queries per batch fixed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from keel.accounting.models import Invoice, JournalLine, Payment

from ..models import InvoiceGrouping, OrderInvoice, Quotation, SalesOrder, SalesSettings
from ..services import batch, orders
from .factories import customer, quotation
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


def delivered_order(company, wh, party, lines, by, **fields):
    """A confirmed order of `lines`, delivered in full on 1 June."""
    quote = quotation(company, party, wh, lines, by=by, **fields)
    order = orders.confirm(quote.pk, by=by, on_date=JUNE_1)
    return orders.deliver(order.pk, on_date=JUNE_1, by=by)


def books_balance(company) -> bool:
    sums = JournalLine.objects.filter(company=company).aggregate(d=Sum("debit"), c=Sum("credit"))
    return sums["d"] == sums["c"]


def test_confirm_many_confirms_what_it_may_and_reports_the_rest(
    company, wh, widget, gadget, acme, rep, other_rep
):
    """Given Ann's two quotations, Bob's one, and Ann's quotation valid until 10 June;
    When Ann confirms all four on 5 June;
    Then her two valid ones become orders with their deliveries reserved, Bob's is
    refused (not hers) and the expired one is refused as expired, both left as drafts."""
    # Given
    mine = [
        quotation(company, acme, wh, [{"product": gadget, "quantity": 2}], by=rep),
        quotation(company, acme, wh, [{"product": widget, "quantity": 1}], by=rep),
    ]
    bobs = quotation(company, acme, wh, [{"product": gadget, "quantity": 1}], by=other_rep)
    expired = quotation(
        company,
        acme,
        wh,
        [{"product": gadget, "quantity": 1}],
        by=rep,
        quote_date=dt.date(2026, 5, 1),
        valid_until=dt.date(2026, 5, 10),
    )
    ticks = []
    # When
    result = batch.confirm_many(
        [q.pk for q in [*mine, bobs, expired]],
        by=rep,
        on_date=dt.date(2026, 6, 5),
        progress=lambda done, total: ticks.append((done, total)),
    )
    # Then
    made = SalesOrder.objects.filter(pk__in=result.done.values()).order_by("pk")
    assert [o.quotation_id for o in made] == [q.pk for q in mine]
    assert [(o.status, o.amount_total) for o in made] == [
        ("confirmed", D("100.00")),
        ("confirmed", D("100.00")),
    ]
    assert [(r.document_id, r.code) for r in result.refused] == [
        (bobs.pk, "permission_denied"),
        (expired.pk, "quotation_expired"),
    ]
    assert "expired on 2026-05-10" in result.refused[1].detail
    assert Quotation.objects.get(pk=bobs.pk).status == "draft"
    assert Quotation.objects.get(pk=expired.pk).status == "draft"
    assert not SalesOrder.objects.filter(quotation__in=[bobs, expired]).exists()
    assert ticks == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_invoice_all_delivered_bills_each_customer_once(company, wh, widget, gadget, acme, manager):
    """Given two delivered orders for Acme (2 gadgets at 50.00; 1 widget at 100.00 and
    1 gadget) and one for Globex (3 gadgets), invoiced per customer;
    When the manager invoices all delivered;
    Then Acme gets one invoice of 250.00 whose lines say their order, Globex one of
    150.00, numbered one after the other, both orders fully invoiced and linked, the
    books balance."""
    # Given
    globex = customer(company, "Globex")
    first = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 2}], manager)
    second = delivered_order(
        company,
        wh,
        acme,
        [{"product": widget, "quantity": 1}, {"product": gadget, "quantity": 1}],
        manager,
    )
    third = delivered_order(company, wh, globex, [{"product": gadget, "quantity": 3}], manager)
    # When
    result = batch.invoice_delivered(company, by=manager, on_date=JUNE_1)
    # Then
    assert result.refused == []
    acme_invoice = Invoice.objects.get(pk=result.done[first.pk])
    assert result.done[second.pk] == acme_invoice.pk
    globex_invoice = Invoice.objects.get(pk=result.done[third.pk])
    assert (acme_invoice.party, acme_invoice.amount_total, acme_invoice.status) == (
        acme,
        D("250.00"),
        "posted",
    )
    assert acme_invoice.ref == f"{first.number}, {second.number}"
    assert list(acme_invoice.lines.order_by("sequence").values_list("description", "quantity")) == [
        (f"{first.number}: Gadget", D(2)),
        (f"{second.number}: Widget", D(1)),
        (f"{second.number}: Gadget", D(1)),
    ]
    assert (globex_invoice.party, globex_invoice.amount_total) == (globex, D("150.00"))
    assert int(globex_invoice.number[-4:]) == int(acme_invoice.number[-4:]) + 1
    assert sorted(OrderInvoice.objects.values_list("order_id", "invoice_id")) == sorted(
        [
            (first.pk, acme_invoice.pk),
            (second.pk, acme_invoice.pk),
            (third.pk, globex_invoice.pk),
        ]
    )
    assert set(SalesOrder.objects.values_list("invoice_status", flat=True)) == {"full"}
    assert books_balance(company)


def test_invoiced_per_order_the_batch_makes_what_the_single_action_makes(
    company, wh, gadget, widget, acme, manager
):
    """Given the company invoices per order, and two delivered orders for Acme;
    When one is invoiced with "Invoice" and the other with "Invoice all delivered";
    Then each has its own invoice, with the same lines, total and reference format."""
    SalesSettings.objects.create(company=company, invoice_grouping=InvoiceGrouping.PER_ORDER)
    lines = [{"product": gadget, "quantity": 2}, {"product": widget, "quantity": 1}]
    one = delivered_order(company, wh, acme, lines, manager)
    other = delivered_order(company, wh, acme, lines, manager)
    single = orders.invoice(one.pk, on_date=JUNE_1, by=manager)
    result = batch.invoice_delivered(company, by=manager, on_date=JUNE_1)
    batched = Invoice.objects.get(pk=result.done[other.pk])
    assert list(result.done) == [other.pk]

    def shape(document):
        rows = document.lines.order_by("sequence")
        return (
            document.amount_total,
            list(rows.values_list("description", "quantity", "unit_price", "amount_total")),
        )

    assert (
        shape(batched)
        == shape(single)
        == (
            D("200.00"),
            [("Gadget", D(2), D("50.00"), D("100.00")), ("Widget", D(1), D("100.00"), D("100.00"))],
        )
    )
    assert (single.ref, batched.ref) == (one.number, other.number)


def test_chosen_orders_the_single_action_refuses_are_reported_and_left_as_they_were(
    company, wh, gadget, acme, rep, other_rep
):
    """Given Ann's order on delivered quantities not yet delivered, her order already
    invoiced, and Bob's delivered order;
    When Ann invoices the three with "Invoice all delivered";
    Then none is invoiced: nothing delivered yet, nothing left to invoice, not hers,
    and nothing changed."""
    # Given
    waiting = orders.confirm(
        quotation(
            company,
            acme,
            wh,
            [{"product": gadget, "quantity": 1}],
            by=rep,
            invoicing_policy="delivered",
        ).pk,
        by=rep,
        on_date=JUNE_1,
    )
    billed = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 1}], rep)
    orders.invoice(billed.pk, on_date=JUNE_1, by=rep)
    bobs = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 1}], other_rep)
    before = state()
    # When
    result = batch.invoice_delivered(
        company, by=rep, order_ids=[waiting.pk, billed.pk, bobs.pk], on_date=JUNE_1
    )
    # Then
    assert result.done == {}
    assert [(r.document_id, r.code, r.detail) for r in result.refused] == [
        (
            bobs.pk,
            "permission_denied",
            f"{bobs} belongs to {other_rep}; only its owner or a sales manager can invoice it.",
        ),
        (
            waiting.pk,
            "nothing_to_invoice",
            f"{waiting} has nothing to invoice (nothing delivered yet).",
        ),
        (billed.pk, "nothing_to_invoice", f"{billed} has nothing to invoice."),
    ]
    assert state() == before


def test_pay_many_pays_each_invoice_in_full_and_reports_one_already_paid(
    company, books, wh, gadget, acme, manager
):
    """Given two delivered and invoiced orders for Acme (100.00 and 150.00), the first
    already paid;
    When the manager pays both with "Register payment for selected";
    Then the second gets one payment of 150.00 reconciled with it, its order is done,
    and the first is refused as already paid."""
    one = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 2}], manager)
    two = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 3}], manager)
    first = orders.invoice(one.pk, on_date=JUNE_1, by=manager)
    second = orders.invoice(two.pk, on_date=JUNE_1, by=manager)
    batch.pay_many([first.pk], journal=books["BNK"], by=manager, on_date=JUNE_1)
    result = batch.pay_many([first.pk, second.pk], journal=books["BNK"], by=manager, on_date=JUNE_1)
    payment = Payment.objects.get(pk=result.done[second.pk])
    assert (payment.amount, payment.party, payment.journal) == (D("150.00"), acme, books["BNK"])
    assert [(r.document_id, r.code) for r in result.refused] == [(first.pk, "already_paid")]
    assert Invoice.objects.get(pk=second.pk).payment_status == "paid"
    assert SalesOrder.objects.get(pk=two.pk).status == "done"
    assert Payment.objects.count() == 2
    assert books_balance(company)


def test_invoicing_all_delivered_takes_the_same_queries_for_2_or_6_orders(
    company, wh, gadget, acme, manager
):
    """Given one customer's delivered orders;
    When all delivered are invoiced, for 2 orders and then for 6;
    Then both batches take exactly as many queries (one invoice, whatever the count)."""
    # Given a first batch, which also opens the invoice number series of the year

    def run(n):
        for _ in range(n):
            delivered_order(company, wh, acme, [{"product": gadget, "quantity": 1}], manager)
        with CaptureQueriesContext(connection) as captured:
            result = batch.invoice_delivered(company, by=manager, on_date=JUNE_1)
        assert len(result.done) == n
        return len(captured)

    run(1)
    # When / Then
    assert run(2) == run(6)


def test_one_invoice_for_many_orders_names_the_first_and_counts_the_rest(
    company, wh, gadget, acme, manager
):
    """Given eighteen delivered orders of one gadget each for Acme (their numbers
    together are longer than an invoice reference may be);
    When the manager invoices all delivered, per customer;
    Then Acme gets one invoice of 900.00 whose reference names the first order and
    counts the other seventeen, posted, and the books balance."""
    # Given
    made = [
        delivered_order(company, wh, acme, [{"product": gadget, "quantity": 1}], manager)
        for _ in range(18)
    ]
    # When
    result = batch.invoice_delivered(company, by=manager, on_date=JUNE_1)
    # Then
    assert result.refused == []
    invoice = Invoice.objects.get(pk=result.done[made[0].pk])
    assert {result.done[order.pk] for order in made} == {invoice.pk}
    assert (invoice.ref, invoice.amount_total, invoice.status) == (
        f"{made[0].number} and 17 more",
        D("900.00"),
        "posted",
    )
    assert books_balance(company)
