"""The credit rules on confirmation beyond the limit itself: the hold is part of the
order's history, a foreign-currency order is weighed in the company's currency, and
invoices overdue beyond the company's tolerance hold a customer's new orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.accounting.services.currency import set_rate
from keel.accounting.tests.factories import invoice as posted_invoice
from keel.core.models import StatusChange

from ..models import SalesOrder
from ..selectors import deliveries_of
from ..services import orders, quotations
from .factories import customer, quotation
from .test_refusals import refused

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


def history_of(order) -> list[tuple]:
    return list(
        StatusChange.objects.filter(content_type__model="salesorder", object_id=str(order.pk))
        .order_by("id")
        .values_list("from_status", "to_status", "changed_by__username", "note")
    )


def test_the_hold_is_recorded_in_the_order_history(company, books, wh, gadget, rep, manager):
    """Given a customer with a 500.00 limit and nothing open;
    When Ann confirms 12 gadgets (600.00) and the manager releases the order;
    Then the history shows the order created on hold by Ann with the reason, then
    confirmed by the manager with the note."""
    # Given
    party = customer(company, "Small Co", credit_limit=D("500.00"))
    quote = quotation(company, party, wh, [{"product": gadget, "quantity": 12}], by=rep)
    # When
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    orders.release_hold(order.pk, by=manager, note="Prepaid")
    # Then
    reason = f"{order.number} exceeds Small Co's credit limit by $100.00"
    assert history_of(order) == [
        ("", "on_hold", "rep.ann", reason),
        ("on_hold", "confirmed", "sales.manager", "Released from hold: Prepaid"),
    ]


def test_a_confirmed_order_starts_its_history_confirmed(company, books, wh, gadget, acme, rep):
    """Given no credit limit; When Ann confirms; Then the history starts confirmed."""
    quote = quotation(company, acme, wh, [{"product": gadget, "quantity": 1}], by=rep)
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    assert history_of(order) == [("", "confirmed", "rep.ann", f"From {quote.number}")]


def test_a_foreign_currency_order_is_weighed_in_the_company_currency(
    company, books, wh, gadget, rep
):
    """Given a USD company, 1 EUR = 1.10 USD, a customer with a 1,000.00 USD limit;
    When Ann confirms 20 gadgets at 50.00 EUR (1,000.00 EUR, 1,100.00 USD);
    Then the order is held for exceeding the limit by $100.00 (not confirmed as if
    1,000 EUR were 1,000 USD)."""
    # Given
    set_rate(company, "EUR", dt.date(2026, 5, 1), "1.10")
    party = customer(company, "Euro GmbH", credit_limit=D("1000.00"))
    quote = quotation(
        company,
        party,
        wh,
        [{"product": gadget, "quantity": 20, "unit_price": "50.00"}],
        currency="EUR",
        by=rep,
    )
    assert (quote.currency, quote.amount_total) == ("EUR", D("1000.00"))
    # When
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    # Then
    assert (order.status, order.hold_reason) == (
        "on_hold",
        f"{order.number} exceeds Euro GmbH's credit limit by $100.00",
    )


def test_a_foreign_currency_order_without_a_rate_is_refused(company, books, wh, gadget, rep):
    """Given no CHF rate; When Ann confirms a CHF quotation for a customer with a limit;
    Then it is refused with what to do, and nothing changed."""
    party = customer(company, "Swiss AG", credit_limit=D("1000.00"))
    quote = quotation(
        company,
        party,
        wh,
        [{"product": gadget, "quantity": 1, "unit_price": "50.00"}],
        currency="CHF",
        by=rep,
    )
    refused(
        lambda: orders.confirm(quote.pk, by=rep, on_date=JUNE_1),
        "currency_rate_missing",
        "No CHF rate is known on or before 2026-06-01; add one first.",
    )


@pytest.fixture
def late_payer(company, books):
    """Acme owes 1,500.00 due 1 April, 1,900.00 due 20 April and 500.00 due 20 May
    (invoices due on their date), no credit limit."""
    party = customer(company, "Acme")
    for day, amount in ((dt.date(2026, 4, 1), "1500.00"), (dt.date(2026, 4, 20), "1900.00")):
        posted_invoice(
            company,
            party,
            [{"description": "Goods", "quantity": 1, "unit_price": amount}],
            date=day,
        )
    posted_invoice(
        company,
        party,
        [{"description": "Goods", "quantity": 1, "unit_price": "500.00"}],
        date=dt.date(2026, 5, 20),
    )
    return party


def test_invoices_overdue_beyond_the_tolerance_hold_the_order(
    company, wh, gadget, late_payer, rep, manager
):
    """Given orders are held after 30 days overdue, and Acme's invoices of 1 and 20
    April (61 and 42 days overdue on 1 June) and of 20 May (12 days);
    When Ann confirms 2 gadgets on 1 June, tries to release the hold, and the manager
    releases it;
    Then the order is held naming the two old invoices and their 3,400.00, nothing is
    reserved, Ann is refused, and the manager's release reserves the gadgets."""
    # Given
    quotations.configure(company, overdue_days=30)
    quote = quotation(company, late_payer, wh, [{"product": gadget, "quantity": 2}], by=rep)
    # When
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    # Then
    assert (order.status, order.hold_reason) == (
        "on_hold",
        "Acme has 2 invoices overdue more than 30 days, $3,400.00 in all",
    )
    assert not deliveries_of(order).exists()
    refused(
        lambda: orders.release_hold(order.pk, by=rep),
        "release_not_allowed",
        "Only a sales manager or an accountant",
    )
    orders.release_hold(order.pk, by=manager, note="Cheque in the post")
    order = SalesOrder.objects.get(pk=order.pk)
    assert (order.status, order.released_by) == ("confirmed", manager)
    (delivery,) = deliveries_of(order)
    assert delivery.moves.get().quantity_reserved == D(2)


def test_overdue_and_over_the_limit_give_both_reasons(company, wh, gadget, late_payer, rep):
    """Given the 30-day rule and a 4,000.00 limit on Acme, who owes 3,900.00;
    When Ann confirms 4 gadgets (200.00);
    Then the hold names both the excess (100.00) and the overdue invoices."""
    quotations.configure(company, overdue_days=30)
    late_payer.credit_limit = D("4000.00")
    late_payer.save(update_fields=["credit_limit"])
    quote = quotation(company, late_payer, wh, [{"product": gadget, "quantity": 4}], by=rep)
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    assert order.hold_reason == (
        f"{order.number} exceeds Acme's credit limit by $100.00; "
        "Acme has 2 invoices overdue more than 30 days, $3,400.00 in all"
    )


def test_without_the_overdue_rule_or_within_it_the_order_is_confirmed(
    company, wh, gadget, late_payer, rep
):
    """Given the rule off (the default), then set to 90 days;
    When Ann confirms an order each time;
    Then both are confirmed: nothing is 90 days overdue."""
    first = quotation(company, late_payer, wh, [{"product": gadget, "quantity": 1}], by=rep)
    assert orders.confirm(first.pk, by=rep, on_date=JUNE_1).status == "confirmed"
    quotations.configure(company, overdue_days=90)
    second = quotation(company, late_payer, wh, [{"product": gadget, "quantity": 1}], by=rep)
    assert orders.confirm(second.pk, by=rep, on_date=JUNE_1).status == "confirmed"
