"""Quote to cash, end to end: a web lead becomes an opportunity, a quotation priced
by the price list with stock and promise dates, an order that reserves what is on
hand, two deliveries each invoiced on what left, two payments, and the books
balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.accounting.models import AccountRole, Invoice, JournalLine
from keel.accounting.selectors.reports import trial_balance
from keel.accounting.services.payments import register_payment
from keel.core.models import OutboxEvent
from keel.crm.models import Opportunity
from keel.crm.services import conversion, leads
from keel.inventory.models import Transfer
from keel.inventory.services import transfers, validation

from ...models import Quotation, SalesOrder
from ...selectors import deliveries_of
from ...services import orders, quotations

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_2, JUNE_3, JUNE_20, JUNE_21, JUNE_30 = (
    dt.date(2026, 6, d) for d in (1, 2, 3, 20, 21, 30)
)


def balance(company, role: str) -> Decimal:
    """Debit minus credit of the account with `role`."""
    sums = JournalLine.objects.filter(company=company, account__role=role).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (sums["d"] or D(0)) - (sums["c"] or D(0))


def test_web_lead_to_paid_invoices(
    company, books, wh, widget, gadget, price_list, vat, pipeline, rep
):
    """Given 6 widgets (list 100.00, the price list takes 10% off) and 20 gadgets (50.00)
    on hand, 10 widgets arriving on 20 June, and a web lead from Acme owned by Ann;
    When Ann converts it, quotes 10 widgets at 5% off and 4 gadgets with 10% tax,
    sends and confirms it "on delivered quantities", 6 widgets and 4 gadgets leave on 2
    June and are invoiced (784.30), the receipt arrives, the last 4 widgets leave on 21
    June and are invoiced (376.20), and Acme pays both;
    Then every figure is exact, the opportunity is won, the order is delivered,
    invoiced, paid and done, and the books balance."""
    # Given a web lead, converted by its owner into an opportunity
    incoming = transfers.create_transfer(
        company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=wh,
        scheduled_date=JUNE_20,
        lines=[{"product": widget, "quantity": D(10), "unit_cost": D("60.00")}],
    )
    transfers.confirm(incoming.pk)
    captured = leads.capture_lead(
        company=company,
        source="web_form",
        owner=rep,
        first_name="Jane",
        last_name="Roe",
        email="jane.roe@acme.example",
        organisation_name="Acme Corp",
    )
    lead = conversion.convert_lead(
        captured.lead.pk, by=rep, opportunity_name="Acme widgets", amount=D("1160.50")
    )
    opportunity = Opportunity.objects.get(lead=lead)
    acme = opportunity.party
    assert (acme.name, opportunity.contact.name, opportunity.owner) == (
        "Acme Corp",
        "Jane Roe",
        rep,
    )

    # When Ann quotes from the opportunity
    quotation = quotations.create_quotation(
        company,
        opportunity=opportunity,
        warehouse=wh,
        quote_date=JUNE_1,
        invoicing_policy="delivered",
        lines=[
            {"product": widget, "quantity": 10, "discount": "5", "taxes": [vat]},
            {"product": gadget, "quantity": 4, "taxes": [vat]},
        ],
        by=rep,
    )
    # Then the customer and contact came over, and each line says where its price came
    # from, what is available and when the whole quantity can be promised
    assert (quotation.number, quotation.party, quotation.contact_id, quotation.owner) == (
        "SQ/00001",
        acme,
        opportunity.contact_id,
        rep,
    )
    assert (quotation.valid_until, quotation.amount_untaxed, quotation.amount_tax) == (
        dt.date(2026, 7, 1),
        D("1055.00"),
        D("105.50"),
    )
    assert quotation.amount_total == D("1160.50")
    assert [
        (
            line.product.sku,
            line.list_price,
            line.unit_price,
            line.price_explanation,
            line.subtotal,
            line.atp_quantity,
            line.promise_date,
        )
        for line in quotation.lines.select_related("product")
    ] == [
        (
            "WDG",
            D("100.00"),
            D("90.00"),
            "Rule 'Widgets 10% off' of price list 'Standard': 10% off list price 100.00 for "
            "any quantity",
            D("855.00"),
            D(6),
            JUNE_20,
        ),
        (
            "GDG",
            D("50.00"),
            D("50.00"),
            "List price (no price-list rule applies)",
            D("200.00"),
            D(20),
            JUNE_1,
        ),
    ]

    # When she sends and confirms it
    quotations.send(quotation.pk, by=rep)
    assert Quotation.objects.get(pk=quotation.pk).status == "sent"
    order = orders.confirm(quotation.pk, by=rep, on_date=JUNE_1)

    # Then the deal is won and what is on hand is reserved for the order
    assert (order.number, order.status, order.amount_total) == (
        "SO/00001",
        "confirmed",
        D("1160.50"),
    )
    assert Opportunity.objects.get(pk=opportunity.pk).status == "won"
    (delivery,) = deliveries_of(order)
    assert sorted(
        (m.product.sku, m.quantity, m.quantity_reserved)
        for m in delivery.moves.select_related("product")
    ) == [("GDG", D(4), D(4)), ("WDG", D(10), D(6))]

    # When what is reserved leaves on 2 June
    orders.deliver(order.pk, on_date=JUNE_2, by=rep)
    order.refresh_from_db()
    assert (order.delivery_status, order.invoice_status) == ("partial", "nothing")
    assert [(ln.product.sku, ln.quantity_delivered) for ln in order.lines.all()] == [
        ("WDG", D(6)),
        ("GDG", D(4)),
    ]
    # and is invoiced on the delivered quantities
    first = orders.invoice(order.pk, on_date=JUNE_3, by=rep)
    assert (first.status, first.amount_untaxed, first.amount_tax, first.amount_total) == (
        "posted",
        D("713.00"),
        D("71.30"),
        D("784.30"),
    )
    assert [(ln.quantity, ln.amount_untaxed) for ln in first.lines.order_by("sequence")] == [
        (D(6), D("513.00")),
        (D(4), D("200.00")),
    ]

    # When the widgets arrive and the backorder leaves on 21 June
    validation.validate(incoming.pk, on_date=JUNE_20)
    orders.deliver(order.pk, on_date=JUNE_21, by=rep)
    second = orders.invoice(order.pk, on_date=JUNE_21, by=rep)
    assert (second.amount_untaxed, second.amount_tax, second.amount_total) == (
        D("342.00"),
        D("34.20"),
        D("376.20"),
    )
    order.refresh_from_db()
    assert (order.delivery_status, order.invoice_status, order.payment_status) == (
        "full",
        "full",
        "not_paid",
    )

    # When Acme pays both invoices
    register_payment(company, party=acme, amount=D("784.30"), date=JUNE_21, invoices=[first.pk])
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("confirmed", "partial")
    register_payment(company, party=acme, amount=D("376.20"), date=JUNE_30, invoices=[second.pk])

    # Then the order is paid and done, and the books balance
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (SalesOrder.Status.DONE, "paid")
    invoiced = Invoice.objects.filter(sales_order_link__order=order)
    assert invoiced.aggregate(total=Sum("amount_total"))["total"] == order.amount_total
    assert balance(company, AccountRole.RECEIVABLE) == D("0.00")
    assert balance(company, AccountRole.REVENUE) == D("-1055.00")
    # 10 widgets at 60.00 and 4 gadgets at 30.00 left the stock account for COGS
    assert balance(company, AccountRole.COGS) == D("720.00")
    report = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert report["totals"]["debit"] == report["totals"]["credit"]
    topics = set(OutboxEvent.objects.values_list("topic", flat=True))
    assert {"sales.quotation.sent", "sales.order.confirmed", "sales.order.invoiced"} <= topics
