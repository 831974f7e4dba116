"""Sales through the API: every action answers with the record, refusals answer 4xx
with a stable code and change nothing, lists cost a fixed number of queries, and a
rep sees only their own quotations and orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ..services import orders
from .factories import customer, quotation
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1"
JUNE_1 = dt.date(2026, 6, 1)


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


def test_a_rep_quotes_confirms_delivers_and_invoices_through_the_api(
    api_as, company, wh, widget, gadget, price_list, acme, rep
):
    """Given 6 widgets and 20 gadgets on hand and a 10%-off widget rule;
    When Ann quotes 2 widgets and 3 gadgets on delivered quantities, sends, confirms,
    delivers everything and invoices;
    Then the quotation shows prices, the rule, availability and promise dates, the
    order is delivered and invoiced for 330.00."""
    client = api_as(rep)
    created = post(
        client,
        f"{API}/quotations/",
        {
            "party": acme.pk,
            "warehouse": wh.pk,
            "quote_date": "2026-06-01",
            "invoicing_policy": "delivered",
            "lines": [
                {"product": widget.pk, "quantity": "2"},
                {"product": gadget.pk, "quantity": "3"},
            ],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["number"], body["amount_total"], body["allowed_transitions"]) == (
        "SQ/00001",
        "330.0000",
        ["cancelled", "confirmed", "sent", "to_approve"],
    )
    assert [
        (ln["unit_price"], ln["atp_quantity"], ln["promise_date"], ln["price_explanation"][:22])
        for ln in body["lines"]
    ] == [
        ("90.0000", "6.0000", "2026-06-01", "Rule 'Widgets 10% off'"),
        ("50.0000", "20.0000", "2026-06-01", "List price (no price-l"),
    ]
    sent = post(client, f"{API}/quotations/{body['id']}/send/")
    assert sent.json()["status"] == "sent"
    confirmed = post(client, f"{API}/quotations/{body['id']}/confirm/", {"date": "2026-06-01"})
    assert confirmed.status_code == 201, confirmed.json()
    order = confirmed.json()
    assert (order["number"], order["status"]) == ("SO/00001", "confirmed")
    delivered = post(client, f"{API}/sales-orders/{order['id']}/deliver/", {"date": "2026-06-02"})
    assert delivered.status_code == 200, delivered.json()
    assert delivered.json()["delivery_status"] == "full"
    invoiced = post(client, f"{API}/sales-orders/{order['id']}/invoice/", {"date": "2026-06-02"})
    assert invoiced.status_code == 201, invoiced.json()
    assert (invoiced.json()["status"], invoiced.json()["amount_total"]) == ("posted", "330.0000")
    fetched = client.get(f"{API}/sales-orders/{order['id']}/").json()
    assert (fetched["invoice_status"], fetched["payment_status"]) == ("full", "not_paid")


def test_api_refusals_answer_4xx_and_change_nothing(
    api_as, company, wh, widget, acme, rep, other_rep
):
    """Given Ann's expired quotation and her order on delivered quantities, nothing
    delivered;
    When she confirms the expired one, invoices the order, quotes -2 widgets, releases
    a hold she may not release, and Bob reaches for her quotation;
    Then each is refused with its code (409, 400, 400, 403, 404) and nothing changed."""
    expired = quotation(
        company,
        acme,
        wh,
        [{"product": widget, "quantity": 1}],
        by=rep,
        valid_until=dt.date(2026, 6, 5),
    )
    live = quotation(
        company,
        acme,
        wh,
        [{"product": widget, "quantity": 1}],
        by=rep,
        invoicing_policy="delivered",
    )
    order = orders.confirm(live.pk, by=rep, on_date=JUNE_1)
    ann, bob = api_as(rep), api_as(other_rep)
    before = state()
    answers = [
        post(ann, f"{API}/quotations/{expired.pk}/confirm/", {"date": "2026-06-06"}),
        post(ann, f"{API}/sales-orders/{order.pk}/invoice/"),
        post(
            ann,
            f"{API}/quotations/",
            {
                "party": acme.pk,
                "warehouse": wh.pk,
                "lines": [{"product": widget.pk, "quantity": "-2"}],
            },
        ),
        post(ann, f"{API}/sales-orders/{order.pk}/release-hold/"),
        post(bob, f"{API}/quotations/{expired.pk}/confirm/"),
    ]
    assert [(a.status_code, a.json().get("code")) for a in answers] == [
        (409, "quotation_expired"),
        (400, "nothing_to_invoice"),
        (400, "invalid"),
        (403, "permission_denied"),
        (404, "not_found"),
    ]
    assert state() == before


def test_a_rep_lists_only_her_own_and_a_manager_all_in_fixed_queries(
    api_as, company, wh, widget, gadget, rep, other_rep, manager, django_assert_max_num_queries
):
    """Given 3 quotations and orders of Ann and 2 of Bob, two lines each;
    When each lists quotations and orders;
    Then Ann sees her 3, Bob his 2, the manager all 5, each list in at most 8 queries."""
    for index, owner in enumerate([rep, rep, rep, other_rep, other_rep]):
        party = customer(company, f"Customer {index}")
        quote = quotation(
            company,
            party,
            wh,
            [{"product": widget, "quantity": 1}, {"product": gadget, "quantity": 1}],
            by=owner,
        )
        orders.confirm(quote.pk, by=owner, on_date=JUNE_1)
    for user, expected in ((rep, 3), (other_rep, 2), (manager, 5)):
        client = api_as(user)
        for url in (f"{API}/quotations/", f"{API}/sales-orders/"):
            with django_assert_max_num_queries(8):
                listed = client.get(url)
            assert listed.status_code == 200, listed.json()
            rows = listed.json()["results"]
            assert len(rows) == expected
            assert {len(row["lines"]) for row in rows} == {2}
