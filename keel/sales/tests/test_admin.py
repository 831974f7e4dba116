"""Workspace pages of sales: lists in a fixed number of queries, buttons only for the
steps a record allows and the user may take, steps through services, refusals that
change nothing, and a rep who sees only her own records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..models import SalesOrder
from ..services import orders
from .factories import customer, quotation
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name, *args):
    return reverse(f"admin:sales_{name}", args=args)


@pytest.fixture
def held(company, books, wh, gadget, rep):
    """Ann's order of 15 gadgets (750.00) for a customer allowed 500.00: on hold."""
    party = customer(company, "Tight Ltd", credit_limit=D("500.00"))
    quote = quotation(company, party, wh, [{"product": gadget, "quantity": 15}], by=rep)
    return orders.confirm(quote.pk, by=rep, on_date=JUNE_1)


def test_lists_answer_in_fixed_queries_and_a_rep_sees_her_own(
    company, wh, widget, acme, rep, other_rep, manager, django_assert_max_num_queries
):
    """Given 3 quotations of Ann and 1 of Bob;
    Then the lists answer within 25 queries, as many for 4 rows as for 6; Ann's shows
    her 3, and Bob's page of Ann's quotation is refused."""
    mine = [
        quotation(company, acme, wh, [{"product": widget, "quantity": 1}], by=rep) for _ in range(3)
    ]
    quotation(company, acme, wh, [{"product": widget, "quantity": 1}], by=other_rep)
    spent = {}
    for user, count in ((rep, 3), (manager, 4)):
        for name in ("quotation", "salesorder"):
            client = _client(user)
            client.get(_url(f"{name}_changelist"))  # the session and menu warm up once
            with django_assert_max_num_queries(25), CaptureQueriesContext(connection) as seen:
                response = client.get(_url(f"{name}_changelist"))
            assert response.status_code == 200, name
            spent[(user.pk, name)] = len(seen)
        listed = _client(user).get(_url("quotation_changelist"))
        assert listed.context["cl"].result_count == count
    # Two more rows cost no more queries (no query per row)
    for _ in range(2):
        quotation(company, acme, wh, [{"product": widget, "quantity": 1}], by=rep)
    client = _client(manager)
    client.get(_url("quotation_changelist"))
    with CaptureQueriesContext(connection) as seen:
        client.get(_url("quotation_changelist"))
    assert len(seen) == spent[(manager.pk, "quotation")]
    page = _client(rep).get(_url("quotation_change", mine[0].pk))
    assert page.status_code == 200 and mine[0].number.encode() in page.content
    assert _client(other_rep).get(_url("quotation_change", mine[0].pk)).status_code in (302, 404)


def test_a_manager_releases_a_held_order_with_the_button_a_rep_has_none(held, rep, manager):
    """Given Ann's order on credit hold;
    When Ann opens it and posts to the release step, and the manager presses Release;
    Then Ann sees no button and is refused with nothing changed; the manager's release
    confirms the order."""
    release = _url("salesorder_release_order", held.pk)
    page = _client(rep).get(_url("salesorder_change", held.pk))
    assert page.status_code == 200 and release.encode() not in page.content
    before = state()
    assert _client(rep).post(release, {"note": "Trust me"}).status_code == 403
    assert state() == before
    page = _client(manager).get(_url("salesorder_change", held.pk))
    assert release.encode() in page.content
    answer = _client(manager).post(release, {"note": "Deposit received"})
    assert answer.status_code == 302
    order = SalesOrder.objects.get(pk=held.pk)
    assert (order.status, order.release_note) == ("confirmed", "Deposit received")
