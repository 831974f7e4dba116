"""Returns and down payments through the API and the workspace: every step answers
with the record, refusals answer 4xx (or a message) and change nothing, lists cost a
fixed number of queries, and a rep sees only the returns of her own orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from ..models import ReturnAuthorisation
from ..services import orders, returns
from .factories import customer, quotation
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1"
JUNE_1, JUNE_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


def delivered(company, wh, gadget, party, owner, quantity=5):
    """`owner`'s order of `quantity` gadgets at 50.00, delivered and invoiced on 2 June."""
    quote = quotation(company, party, wh, [{"product": gadget, "quantity": quantity}], by=owner)
    order = orders.confirm(quote.pk, by=owner, on_date=JUNE_1)
    orders.deliver(order.pk, on_date=JUNE_2, by=owner)
    orders.invoice(order.pk, on_date=JUNE_2, by=owner)
    return order


def test_a_return_goes_from_request_to_credit_through_the_api(
    api_as, company, wh, gadget, acme, rep, manager
):
    """Given Ann's order of 5 gadgets at 50.00, delivered and invoiced (250.00);
    When Ann takes a return of 2 through the API, the manager approves it and the goods
    are received;
    Then the return is credited 100.00 against the invoice and the order shows 2
    returned."""
    order = delivered(company, wh, gadget, acme, rep)
    ann, boss = api_as(rep), api_as(manager)
    line = order.lines.get()
    created = post(
        ann,
        f"{API}/sales-returns/",
        {"order": order.pk, "reason": "Dented", "lines": [{"line": line.pk, "quantity": "2"}]},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["number"], body["status"], body["allowed_transitions"]) == (
        "RMA/00001",
        "draft",
        ["approved", "cancelled"],
    )
    approved = post(boss, f"{API}/sales-returns/{body['id']}/approve/")
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    received = post(boss, f"{API}/sales-returns/{body['id']}/receive/", {"date": "2026-06-05"})
    assert received.status_code == 200, received.json()
    done = received.json()
    assert (done["status"], done["amount_credited"], done["amount_applied"]) == (
        "credited",
        "100.0000",
        "100.0000",
    )
    assert done["lines"][0]["quantity_received"] == "2.0000"
    fetched = ann.get(f"{API}/sales-orders/{order.pk}/").json()
    assert fetched["lines"][0]["quantity_returned"] == "2.0000"


def test_return_api_refusals_answer_4xx_and_change_nothing(
    api_as, company, wh, gadget, acme, rep, other_rep, manager
):
    """Given Ann's delivered order of 5 gadgets and her credited return of 2;
    When she asks 4 more back, asks -1, credits the return again, approves a draft
    herself, asks a down payment of 300.00 on a 250.00 order, and Bob returns goods of
    her order;
    Then each is refused (400, 400, 409, 403, 400, 404) with its code, nothing changed."""
    order = delivered(company, wh, gadget, acme, rep)
    line = order.lines.get()
    credited = returns.create_return(
        order.pk, lines=[{"line": line.pk, "quantity": 2}], reason="Dented", by=rep
    )
    returns.approve(credited.pk, by=manager)
    returns.receive(credited.pk, by=manager)
    draft = returns.create_return(
        order.pk, lines=[{"line": line.pk, "quantity": 1}], reason="Scratched", by=rep
    )
    fresh = orders.confirm(
        quotation(company, acme, wh, [{"product": gadget, "quantity": 5}], by=rep).pk,
        by=rep,
        on_date=JUNE_1,
    )
    ann, bob, boss = api_as(rep), api_as(other_rep), api_as(manager)

    def asking(quantity):
        return {
            "order": order.pk,
            "reason": "More",
            "lines": [{"line": line.pk, "quantity": quantity}],
        }

    before = state()
    answers = [
        post(ann, f"{API}/sales-returns/", asking("4")),
        post(ann, f"{API}/sales-returns/", asking("-1")),
        post(boss, f"{API}/sales-returns/{credited.pk}/credit/"),
        post(ann, f"{API}/sales-returns/{draft.pk}/approve/"),
        post(ann, f"{API}/sales-orders/{fresh.pk}/down-payment/", {"amount": "300"}),
        post(bob, f"{API}/sales-returns/", asking("1")),
    ]
    assert [(a.status_code, a.json().get("code")) for a in answers] == [
        (400, "return_exceeds_delivered"),
        (400, "invalid"),
        (409, "return_already_credited"),
        (403, "permission_denied"),
        (400, "down_payment_refused"),
        (404, "not_found"),
    ]
    assert answers[0].json()["field"] == "lines[1].quantity"
    assert state() == before


def test_a_down_payment_through_the_api(api_as, company, wh, gadget, acme, rep):
    """Given Ann's confirmed order of 5 gadgets (250.00);
    When she asks 20% down through the API;
    Then a posted invoice of 50.00 answers."""
    order = orders.confirm(
        quotation(company, acme, wh, [{"product": gadget, "quantity": 5}], by=rep).pk,
        by=rep,
        on_date=JUNE_1,
    )
    answer = post(api_as(rep), f"{API}/sales-orders/{order.pk}/down-payment/", {"percent": "20"})
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["status"], answer.json()["amount_total"]) == ("posted", "50.0000")


def test_returns_list_in_fixed_queries_and_a_rep_sees_her_own(
    api_as, company, wh, gadget, rep, other_rep, manager, django_assert_max_num_queries
):
    """Given 2 returns on Ann's orders and 1 on Bob's;
    When each lists returns through the API and the workspace;
    Then Ann sees her 2, Bob his 1, the manager all 3, each API list in at most 8
    queries and each page in at most 25."""
    for index, owner in enumerate([rep, rep, other_rep]):
        order = delivered(company, wh, gadget, customer(company, f"Customer {index}"), owner, 2)
        returns.create_return(
            order.pk, lines=[{"line": order.lines.get().pk, "quantity": 1}], reason="Dent", by=owner
        )
    for user, expected in ((rep, 2), (other_rep, 1), (manager, 3)):
        with django_assert_max_num_queries(8):
            listed = api_as(user).get(f"{API}/sales-returns/")
        assert listed.status_code == 200, listed.json()
        assert len(listed.json()["results"]) == expected
        client = Client()
        client.force_login(user)
        client.get(reverse("admin:sales_returnauthorisation_changelist"))  # warm-up
        with django_assert_max_num_queries(25):
            page = client.get(reverse("admin:sales_returnauthorisation_changelist"))
        assert page.context["cl"].result_count == expected


def test_the_workspace_takes_a_return_and_a_rep_cannot_approve_it(
    company, wh, gadget, acme, rep, manager
):
    """Given Ann's delivered order of 5 gadgets;
    When Ann takes a return of 2 on the order's page, then posts to the approve step,
    and the manager approves and receives it;
    Then the return exists as a draft, Ann has no approve button and is refused with
    nothing changed, and the manager's steps credit it."""
    order = delivered(company, wh, gadget, acme, rep)
    line = order.lines.get()
    ann, boss = Client(), Client()
    ann.force_login(rep)
    boss.force_login(manager)
    answer = ann.post(
        reverse("admin:sales_salesorder_take_return_order", args=[order.pk]),
        {"reason": "Dented", "settlement": "credit", f"line_{line.pk}": "2"},
    )
    assert answer.status_code == 302
    rma = ReturnAuthorisation.objects.get()
    assert (rma.status, rma.lines.get().quantity) == ("draft", D(2))
    approve = reverse("admin:sales_returnauthorisation_approve_return", args=[rma.pk])
    page = ann.get(reverse("admin:sales_returnauthorisation_change", args=[rma.pk]))
    assert page.status_code == 200 and approve.encode() not in page.content
    before = state()
    assert ann.post(approve).status_code == 403
    assert state() == before
    assert boss.post(approve).status_code == 302
    boss.post(reverse("admin:sales_returnauthorisation_receive_return", args=[rma.pk]))
    rma.refresh_from_db()
    assert (rma.status, rma.amount_credited) == ("credited", D("100.00"))
    # A refused step is a message on the page and changes nothing
    before = state()
    answer = ann.post(
        reverse("admin:sales_salesorder_take_return_order", args=[order.pk]),
        {"reason": "More", "settlement": "credit", f"line_{line.pk}": "4"},
    )
    assert answer.status_code == 302
    assert [str(m) for m in get_messages(answer.wsgi_request)] == [
        f"Only 3 of [GDG] Gadget on {order} can be returned (5 delivered, 2 returned or on "
        "open returns); 4 asked."
    ]
    assert state() == before
