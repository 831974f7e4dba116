"""The facts sales announces reach a subscribed webhook, with stable topics and
payloads: quotation sent, order confirmed, delivered, invoiced, paid, and a return
credited."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from keel.accounting.services.payments import register_payment
from keel.core.models import OutboxEvent
from keel.core.services import webhooks
from keel.core.tests.factories import WebhookSubscriptionFactory
from keel.core.tests.receiver import Receiver

from ..services import orders, quotations, returns
from .factories import quotation

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_2, JUNE_3, JUNE_5 = (dt.date(2026, 6, d) for d in (1, 2, 3, 5))
TOPICS = [
    "sales.quotation.sent",
    "sales.order.confirmed",
    "sales.order.delivered",
    "sales.order.invoiced",
    "sales.order.paid",
    "sales.return.credited",
]


@pytest.fixture
def receiver():
    found = Receiver().start()
    yield found
    found.stop()


def test_a_webhook_hears_the_order_from_quotation_to_paid_and_its_return(
    company, wh, gadget, acme, rep, manager, vat, receiver
):
    """Given a webhook subscribed to the six sales topics;
    When Ann sends and confirms a quotation of 5 gadgets (275.00 with tax), delivers 3
    then 2, invoices them, takes 2 back (credited 110.00 on the invoice), and Acme pays
    the 165.00 left;
    Then the receiver gets each fact once, in order, with its payload (amounts as exact
    decimal strings); the order is announced delivered only when the last gadgets
    left."""
    # Given
    WebhookSubscriptionFactory(company=company, target_url=receiver.url, event_types=TOPICS)
    # When
    quote = quotation(
        company, acme, wh, [{"product": gadget, "quantity": 5, "taxes": [vat]}], by=rep
    )
    quotations.send(quote.pk, by=rep)
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    orders.deliver(order.pk, quantities={gadget.pk: 3}, on_date=JUNE_2, by=rep)
    orders.deliver(order.pk, on_date=JUNE_3, by=rep)
    invoice = orders.invoice(order.pk, on_date=JUNE_3, by=rep)
    rma = returns.create_return(
        order.pk, lines=[{"line": order.lines.get().pk, "quantity": 2}], reason="Dents", by=rep
    )
    returns.approve(rma.pk, by=manager)
    returns.receive(rma.pk, on_date=JUNE_5, by=manager)
    rma.refresh_from_db()
    register_payment(company, party=acme, amount=D("165.00"), date=JUNE_5, invoices=[invoice.pk])
    webhooks.dispatch_outbox()
    webhooks.deliver_due()

    # Then
    heard = [json.loads(request.body) for request in receiver.requests]
    assert [(body["topic"], body["data"]) for body in heard] == [
        (
            "sales.quotation.sent",
            {
                "quotation_id": quote.pk,
                "number": "SQ/00001",
                "party_id": acme.pk,
                "total": "275.00",
                "currency": "USD",
            },
        ),
        (
            "sales.order.confirmed",
            {
                "order_id": order.pk,
                "number": "SO/00001",
                "party_id": acme.pk,
                "total": "275.00",
                "currency": "USD",
                "on_hold": False,
            },
        ),
        (
            "sales.order.delivered",
            {"order_id": order.pk, "number": "SO/00001", "party_id": acme.pk},
        ),
        (
            "sales.order.invoiced",
            {
                "order_id": order.pk,
                "number": "SO/00001",
                "invoice_id": invoice.pk,
                "total": "275.00",
            },
        ),
        (
            "sales.return.credited",
            {
                "return_id": rma.pk,
                "number": "RMA/00001",
                "order_id": order.pk,
                "credit_note_id": rma.credit_note_id,
                "total": "110.00",
                "applied": "110.00",
                "refunded": "0.00",
                "currency": "USD",
            },
        ),
        (
            "sales.order.paid",
            {
                "order_id": order.pk,
                "number": "SO/00001",
                "party_id": acme.pk,
                "total": "275.00",
                "currency": "USD",
            },
        ),
    ]
    assert {request.headers["X-Keel-Event"] for request in receiver.requests} == set(TOPICS)
    assert OutboxEvent.objects.filter(topic__startswith="sales.").count() == 6
