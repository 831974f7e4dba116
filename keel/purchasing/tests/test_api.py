"""Purchasing through the API: every action answers with the record, refusals answer
4xx with a stable code and change nothing, lists cost a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ..models import PurchaseOrder, Requisition, Rfq
from .factories import confirmed_order, price
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1"


@pytest.fixture
def as_buyer(api_as, buyer):
    return api_as(buyer)


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


def test_a_buyer_orders_receives_and_bills_through_the_api(
    as_buyer, company, books, wh, bracket, vendors
):
    """Given Acme's 9.50 bracket price (5 days); When the buyer orders 40, submits,
    receives 30 and bills; Then the order is confirmed at 380.00, 30 arrived, and the
    bill of 285.00 is matched and posted."""
    made = post(
        as_buyer,
        f"{API}/vendor-prices/",
        {"vendor": vendors["acme"].pk, "product": bracket.pk, "price": "9.50", "lead_days": 5},
    )
    assert made.status_code == 201, made.json()
    created = post(
        as_buyer,
        f"{API}/purchase-orders/",
        {
            "vendor": vendors["acme"].pk,
            "warehouse": wh.pk,
            "order_date": "2026-06-01",
            "lines": [{"product": bracket.pk, "quantity": "40"}],
        },
    )
    assert created.status_code == 201, created.json()
    order = created.json()
    assert (order["amount_total"], order["lines"][0]["expected_date"]) == ("380.0000", "2026-06-06")
    submitted = post(as_buyer, f"{API}/purchase-orders/{order['id']}/submit/")
    assert submitted.json()["status"] == "confirmed"
    line_id = order["lines"][0]["id"]
    received = post(
        as_buyer,
        f"{API}/purchase-orders/{order['id']}/receive/",
        {"date": "2026-06-06", "lines": [{"line": line_id, "quantity": "30"}]},
    )
    assert received.status_code == 200, received.json()
    assert (
        received.json()["receipt_status"],
        received.json()["lines"][0]["quantity_received"],
    ) == (
        "partial",
        "30.0000",
    )
    billed = post(as_buyer, f"{API}/purchase-orders/{order['id']}/bill/", {"date": "2026-06-06"})
    assert billed.status_code == 201, billed.json()
    assert (
        billed.json()["status"],
        billed.json()["bill_status"],
        billed.json()["amount_total"],
    ) == (
        "matched",
        "posted",
        "285.0000",
    )


def test_an_rfq_is_sent_answered_compared_and_awarded(
    as_buyer, company, books, wh, bracket, vendors
):
    """Given an RFQ for 10 brackets to Acme and Bolt; When both reply (12.00 in 3 days,
    11.00 in 9 days) and Bolt is awarded; Then the bids list Bolt first (110.00) and the
    award answers 201 with a draft order at 11.00."""
    rfq = post(
        as_buyer,
        f"{API}/rfqs/",
        {
            "warehouse": wh.pk,
            "vendors": [vendors["acme"].pk, vendors["bolt"].pk],
            "lines": [{"product": bracket.pk, "quantity": "10"}],
        },
    ).json()
    assert post(as_buyer, f"{API}/rfqs/{rfq['id']}/send/").json()["status"] == "sent"
    line = rfq["lines"][0]["id"]
    for name, amount, days in (("acme", "12.00", 3), ("bolt", "11.00", 9)):
        replied = post(
            as_buyer,
            f"{API}/rfqs/{rfq['id']}/reply/",
            {
                "vendor": vendors[name].pk,
                "quotes": [{"line": line, "unit_price": amount, "lead_days": days}],
            },
        )
        assert replied.status_code == 200, replied.json()
    bids = as_buyer.get(f"{API}/rfqs/{rfq['id']}/bids/").json()
    assert [(b["vendor"], b["total"], b["longest_lead_days"]) for b in bids] == [
        ("Bolt & Co", "110.00", 9),
        ("Acme Metals", "120.00", 3),
    ]
    awarded = post(as_buyer, f"{API}/rfqs/{rfq['id']}/award/", {"vendor": vendors["bolt"].pk})
    assert awarded.status_code == 201, awarded.json()
    assert (awarded.json()["status"], awarded.json()["lines"][0]["unit_price"]) == (
        "draft",
        "11.0000",
    )
    assert Rfq.objects.get(pk=rfq["id"]).status == "awarded"


def test_an_employees_requisition_is_approved_and_ordered(
    api_as, employee, as_buyer, company, books, wh, bracket, vendors
):
    """Given Acme's 9.00 bracket price; When an employee asks for 5, submits, a buyer
    approves and orders it from Acme; Then the order is a draft of 45.00."""
    price(company, vendors["acme"], bracket, "9.00")
    as_employee = api_as(employee)
    made = post(
        as_employee,
        f"{API}/requisitions/",
        {
            "warehouse": wh.pk,
            "need_by": "2026-06-30",
            "reason": "Repair of line 2",
            "lines": [{"product": bracket.pk, "quantity": "5"}],
        },
    )
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert post(as_employee, f"{API}/requisitions/{pk}/submit/").json()["status"] == "to_approve"
    assert post(as_buyer, f"{API}/requisitions/{pk}/approve/").json()["status"] == "approved"
    ordered = post(as_buyer, f"{API}/requisitions/{pk}/to-order/", {"vendor": vendors["acme"].pk})
    assert ordered.status_code == 201, ordered.json()
    assert (ordered.json()["amount_total"], ordered.json()["requisition"]) == ("45.0000", pk)


@pytest.fixture
def held(company, books, wh, bracket, vendors, buyer, as_buyer):
    """10 brackets ordered and received at 100.00, billed through the API at 108.00."""
    from ..services import receipts

    order = confirmed_order(company, wh, vendors["acme"], [(bracket, 10, "100.00")], by=buyer)
    line = order.lines.get()
    receipts.receive(order.pk, lines=[{"line": line.pk, "quantity": 10}])
    billed = post(
        as_buyer,
        f"{API}/purchase-orders/{order.pk}/bill/",
        {"lines": [{"line": line.pk, "quantity": "10", "unit_price": "108.00"}]},
    )
    assert billed.status_code == 201, billed.json()
    return billed.json()


def test_a_held_bill_is_released_by_an_accountant(held, api_as, accountant):
    """Given a bill held at 8% over the order price; When an accountant releases it;
    Then it is released and posted."""
    assert (held["status"], held["bill_status"]) == ("on_hold", "draft")
    released = post(api_as(accountant), f"{API}/bill-matches/{held['id']}/release/", {"note": "ok"})
    assert released.status_code == 200, released.json()
    assert (released.json()["status"], released.json()["bill_status"]) == ("released", "posted")


def test_the_buyer_cannot_release_a_held_bill(held, as_buyer):
    """Given a held bill; When the buyer releases it; Then 403 and nothing changed."""
    before = state()
    refused = post(as_buyer, f"{API}/bill-matches/{held['id']}/release/")
    assert refused.status_code == 403
    assert state() == before


@pytest.fixture
def order(company, books, wh, bracket, vendors, buyer):
    return confirmed_order(company, wh, vendors["acme"], [(bracket, 10, "100.00")], by=buyer)


def test_billing_a_cancelled_order_answers_409(order, as_buyer):
    """Given a cancelled order; When billed; Then 409 order_not_billable, nothing changed."""
    assert post(as_buyer, f"{API}/purchase-orders/{order.pk}/cancel/").json()["status"] == (
        "cancelled"
    )
    before = state()
    refused = post(as_buyer, f"{API}/purchase-orders/{order.pk}/bill/")
    assert (refused.status_code, refused.json()["code"]) == (409, "order_not_billable")
    assert state() == before


def test_receiving_beyond_the_tolerance_answers_400(order, as_buyer):
    """Given 10 ordered; When 12 arrive; Then 400 over_receipt and nothing changed."""
    before = state()
    refused = post(
        as_buyer,
        f"{API}/purchase-orders/{order.pk}/receive/",
        {"lines": [{"line": order.lines.get().pk, "quantity": "12"}]},
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "over_receipt")
    assert state() == before


def test_approving_ones_own_order_answers_403(
    company, books, wh, bracket, vendors, api_as, manager
):
    """Given a manager's own 12,000.00 order waiting for approval; When the manager
    approves it; Then 403 own_approval and nothing changed."""
    big = confirmed_order(company, wh, vendors["bolt"], [(bracket, 120, "100.00")], by=manager)
    assert big.status == "to_approve"
    before = state()
    refused = post(api_as(manager), f"{API}/purchase-orders/{big.pk}/approve/")
    assert (refused.status_code, refused.json()["code"]) == (403, "own_approval")
    assert state() == before


@pytest.mark.parametrize(
    "role_fixture, action",
    [
        ("employee", "submit"),
        ("employee", "bill"),
        ("accountant", "cancel"),
        ("employee", "receive"),
    ],
)
def test_roles_without_the_permission_are_refused(request, api_as, order, role_fixture, action):
    """Given a confirmed order; When an employee submits/bills/receives it or an
    accountant cancels it; Then 403 and nothing changed."""
    client = api_as(request.getfixturevalue(role_fixture))
    before = state()
    refused = post(client, f"{API}/purchase-orders/{order.pk}/{action}/")
    assert refused.status_code == 403
    assert state() == before


def test_an_employee_cannot_create_an_order(api_as, employee, wh, bracket, vendors):
    """When an employee posts an order; Then 403 and no order exists."""
    refused = post(
        api_as(employee),
        f"{API}/purchase-orders/",
        {
            "vendor": vendors["acme"].pk,
            "warehouse": wh.pk,
            "lines": [{"product": bracket.pk, "quantity": "1"}],
        },
    )
    assert refused.status_code == 403
    assert PurchaseOrder.objects.count() == 0


def test_replenish_through_the_api_answers_the_new_rfqs(
    as_buyer, company, books, wh, bracket, vendors
):
    """Given brackets below their minimum (keep 10-20, none on hand) and Acme preferred
    with a minimum of 25; When the buyer replenishes; Then one draft RFQ for 25."""
    from keel.inventory.services.replenishment import save_rule

    save_rule(company, product=bracket, warehouse=wh, minimum=10, maximum=20)
    price(company, vendors["acme"], bracket, "9.00", minimum_order_quantity=25, preferred=True)
    made = post(as_buyer, f"{API}/rfqs/replenish/")
    assert made.status_code == 201, made.json()
    assert [(r["origin"], r["lines"][0]["quantity"]) for r in made.json()] == [
        ("replenishment", "25.0000")
    ]


def test_lists_cost_a_fixed_number_of_queries(
    as_buyer, company, books, wh, bracket, hinge, vendors, buyer, django_assert_max_num_queries
):
    """Given 6 orders of two lines, 3 RFQs to 3 vendors with replies, prices and bills;
    Then each list costs the same few queries whatever their number."""
    from ..services import bills, receipts, rfqs

    for _ in range(6):
        placed = confirmed_order(
            company, wh, vendors["acme"], [(bracket, 2, "10.00"), (hinge, 3, "5.00")], by=buyer
        )
        receipts.receive(
            placed.pk, lines=[{"line": x.pk, "quantity": x.quantity} for x in placed.lines.all()]
        )
        bills.bill_order(placed.pk, by=buyer)
    for _ in range(3):
        rfq = rfqs.create_rfq(
            company,
            warehouse=wh,
            vendors=list(vendors.values()),
            lines=[{"product": bracket, "quantity": 5}, {"product": hinge, "quantity": 5}],
        )
        rfqs.send_rfq(rfq.pk)
        for vendor in vendors.values():
            rfqs.record_reply(
                rfq.pk,
                vendor=vendor,
                quotes=[{"line": line.pk, "unit_price": "1.00"} for line in rfq.lines.all()],
            )
        price(company, vendors["acme"], bracket, "9.00")
    for url in ("purchase-orders", "rfqs", "vendor-prices", "bill-matches", "requisitions"):
        with django_assert_max_num_queries(10):
            response = as_buyer.get(f"{API}/{url}/")
        assert response.status_code == 200
    assert as_buyer.get(f"{API}/purchase-orders/").json()["count"] == 6
    assert as_buyer.get(f"{API}/rfqs/").json()["count"] == 3


def test_a_double_click_on_receive_with_an_idempotency_key_receives_once(order, buyer, wh):
    """Given 10 brackets ordered; When "receive 4" is clicked twice with one
    Idempotency-Key; Then the second answer replays the first and 4 are on hand."""
    from rest_framework.test import APIClient

    from keel.inventory.models import StockLevel

    client = APIClient()
    client.force_login(buyer)
    url = f"{API}/purchase-orders/{order.pk}/receive/"
    body = {"lines": [{"line": order.lines.get().pk, "quantity": "4"}]}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="click-1")
    second = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="click-1")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    level = StockLevel.objects.get(product=order.lines.get().product, location=wh.stock_location)
    assert level.on_hand == D(4)
    assert order.lines.get().quantity_received == D(4)


def test_an_employee_sees_only_their_own_requisitions(
    api_as, company, wh, bracket, employee, buyer
):
    """Given a requisition by the employee and one by the buyer; Then the employee's
    list holds theirs only, the other answers 404, and the buyer sees both."""
    from keel.users.roles import Role
    from keel.users.tests.factories import user_with_role

    from ..services import requisitions

    colleague = user_with_role(Role.EMPLOYEE, "colleague", company=company)
    for who in (employee, colleague):
        requisitions.create_requisition(
            company,
            requested_by=who,
            warehouse=wh,
            need_by=dt.date(2026, 6, 30),
            reason=f"For {who.username}",
            lines=[{"product": bracket, "quantity": 1}],
        )
    mine = api_as(employee).get(f"{API}/requisitions/").json()["results"]
    assert [r["requested_by"] for r in mine] == [employee.username]
    other = Requisition.objects.get(requested_by=colleague)
    assert api_as(employee).get(f"{API}/requisitions/{other.pk}/").status_code == 404
    assert api_as(buyer).get(f"{API}/requisitions/").json()["count"] == 2
