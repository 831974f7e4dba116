"""The customer 360 page: what a customer owes and how late, its credit, documents,
pipeline and what it earns us, shown to whoever may see it and to no one else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from keel.analytics.selectors.customer import customer_360
from keel.parties.services.parties import update_party
from keel.sales.models import SalesOrder
from keel.sales.services import orders
from keel.sales.tests.factories import quotation

from .conftest import day

pytestmark = pytest.mark.django_db
D = Decimal


def page(client, user, party, as_of="2026-07-31"):
    client.force_login(user)
    return client.get(reverse("analytics:customer_360", args=[party.pk]), {"as_of": as_of})


def test_the_figures_of_a_paid_and_an_overdue_customer(sold, manager):
    """Given Acme (invoiced 500.00 on 8 June, paid on 20 June) and Globex (invoiced
    200.00 on 1 July, unpaid, credit limit 1,000.00);
    When the manager reads both customers' 360 on 31 July;
    Then Acme owes nothing and earned 500.00 revenue and 200.00 margin (3 widgets at
    100.00 costing 60.00, 4 gadgets at 50.00 costing 30.00), all in June; Globex owes
    200.00 that is 30 days late, with 800.00 of credit left."""
    # When
    acme = customer_360(sold.acme, manager, day(7, 31))
    globex = customer_360(sold.globex, manager, day(7, 31))

    # Then
    assert (acme.balance, acme.credit.status) == (D("0"), "No limit")
    assert [(r.label, r.quantity, r.revenue, r.cost, r.margin) for r in acme.by_product] == [
        ("WDG Widget", D(3), D("300.00"), D("180.00"), D("120.00")),
        ("GDG Gadget", D(4), D("200.00"), D("120.00"), D("80.00")),
    ]
    assert [(r.label, r.revenue, r.cost, r.margin) for r in acme.by_month] == [
        ("2026-06", D("500.00"), D("300.00"), D("200.00"))
    ]
    assert [
        (str(o), o.delivery_status, o.invoice_status, o.payment_status) for o in acme.orders
    ] == [("SO/00001", "full", "full", "paid")]
    assert [o.name for o in acme.opportunities] == []  # won: no longer open
    assert globex.balance == D("200.00")
    assert globex.ageing == [
        ("Current", D(0)),
        ("1-30", D("200.00")),
        ("31-60", D(0)),
        ("61-90", D(0)),
        ("> 90", D(0)),
    ]
    assert (globex.credit.limit, globex.credit.available, globex.credit.status) == (
        D("1000.00"),
        D("800.00"),
        "Within limit",
    )
    assert [(str(i), i.open_amount) for i in globex.invoices] == [("INV/2026/00002", D("200.00"))]


def test_the_page_costs_the_same_queries_however_much_the_customer_bought(
    client, company, sold, manager, gadget, rep, django_assert_max_num_queries
):
    """Given Acme's paid order; When the manager opens Acme's 360, Ann then sells Acme a
    second order (2 gadgets, delivered and invoiced) and the manager opens it again;
    Then the page shows the balance, revenue, margin and orders with their trail links,
    in 22 queries both times (each list is one query, never one per row; the timeline
    reads quotations accepted or declined online in one query of its own)."""
    url = reverse("analytics:customer_360", args=[sold.acme.pk])
    as_of = {"as_of": "2026-07-31"}
    # When (a first visit fills the content-type cache, as any running server has)
    page(client, manager, sold.acme)
    with django_assert_max_num_queries(22) as first:
        response = client.get(url, as_of)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kpi-balance">0.00 USD' in html
    assert 'data-testid="kpi-revenue">500.00 USD' in html
    assert 'data-testid="kpi-margin">200.00 USD' in html
    assert reverse("analytics:order_trail", args=[sold.acme_order.pk]) in html
    assert "Jane Roe" in html  # the contact

    # Given a second order
    offer = quotation(
        company,
        sold.acme,
        sold.acme_order.warehouse,
        [{"product": gadget, "quantity": 2}],
        by=rep,
        quote_date=day(7, 2),
    )
    second = orders.confirm(offer.pk, by=rep, on_date=day(7, 2))
    orders.deliver(second.pk, on_date=day(7, 3), by=rep)
    orders.invoice(second.pk, on_date=day(7, 3), by=rep)

    # Then
    with django_assert_max_num_queries(22) as again:
        response = client.get(url, as_of)
    html = response.content.decode()
    assert 'data-testid="kpi-revenue">600.00 USD' in html
    assert html.count('data-testid="order-row"') == 2
    assert len(first.captured_queries) == len(again.captured_queries)


def test_a_rep_sees_only_their_own_customers(client, sold, rep):
    """Given Acme owned by Ann and Globex owned by Bob; When Ann opens both 360 pages;
    Then Acme's opens, and Globex's is a 404 that names nothing of Globex."""
    # When
    own = page(client, rep, sold.acme)
    other = page(client, rep, sold.globex)

    # Then
    assert own.status_code == 200
    assert other.status_code == 404
    assert b"Globex" not in other.content and b"200.00" not in other.content


def test_a_rep_who_sold_to_a_customer_sees_only_their_own_orders(sold, rep, other_rep, company):
    """Given Bob also sold to Acme (Ann's customer) on credit hold; When Bob reads Acme's
    360; Then he sees his order only, not Ann's, and the hold counts in the credit."""

    # Given
    update_party(sold.acme.pk, credit_limit=D("100.00"))
    offer = quotation(
        company,
        sold.acme,
        sold.acme_order.warehouse,
        [{"product": sold.acme_order.lines.first().product, "quantity": 2}],
        by=other_rep,
        quote_date=day(7, 1),
    )
    held = orders.confirm(offer.pk, by=other_rep, on_date=day(7, 1))
    assert held.status == SalesOrder.Status.ON_HOLD

    # When
    seen = customer_360(sold.acme, other_rep, day(7, 31))

    # Then
    assert [str(o) for o in seen.orders] == [str(held)]
    assert (seen.credit.on_hold, seen.credit.status) == (1, "On hold")
    assert seen.by_product == []  # Ann's invoiced sales are hers


@pytest.mark.parametrize("who", ["clerk", "anonymous"])
def test_who_may_not_see_sales_cannot_open_a_customer_360(client, sold, clerk, who):
    """Given a warehouse clerk (no sales permission) and a visitor who is not signed in;
    When either opens Acme's 360; Then the clerk gets 403 and the visitor the sign-in
    page, and neither sees a figure."""
    # When
    if who == "clerk":
        response = page(client, clerk, sold.acme)
    else:
        response = client.get(reverse("analytics:customer_360", args=[sold.acme.pk]))

    # Then
    assert response.status_code == (403 if who == "clerk" else 302)
    assert b"500.00" not in response.content
