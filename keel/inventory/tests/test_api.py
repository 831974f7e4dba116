"""The inventory API: clerks receive, reserve and deliver; sales roles only read;
refusals are 4xx JSON and leave the database as it was; lists cost a fixed number
of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.accounting.tests.factories import books
from keel.products.tests.factories import ProductFactory
from keel.users.roles import Role

from ..models import StockLevel, Transfer
from ..selectors import check_valuation
from .factories import bin_in, product, receive
from .test_refusals import snapshot

pytestmark = pytest.mark.django_db
D = Decimal
TRANSFERS = "/api/v1/transfers/"
LEVELS = "/api/v1/stock-levels/"


@pytest.fixture
def clerk(api_as, users):
    return api_as(users[Role.WAREHOUSE_CLERK])


def _transfer(wh, kind, item, quantity):
    return {
        "kind": kind,
        "warehouse": wh.pk,
        "scheduled_date": "2026-05-04",
        "lines": [{"product": item.pk, "quantity": str(quantity)}],
    }


def test_a_clerk_receives_and_delivers_through_the_api(clerk, wh, widget):
    """Given a Warehouse Clerk; When they POST a receipt of 10 with its line, confirm
    and validate it, then POST a delivery of 5, confirm, reserve and validate 3;
    Then 7 are on hand, 2 reserved for the backorder WH/OUT/00002."""
    created = clerk.post(TRANSFERS, _transfer(wh, "receipt", widget, 10), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["number"], body["status"], body["allowed_transitions"]) == (
        "WH/IN/00001",
        "draft",
        ["cancelled", "waiting"],
    )
    assert [(m["product"], m["quantity"]) for m in body["moves"]] == [(widget.pk, "10.0000")]
    receipt = body["id"]
    assert clerk.post(f"{TRANSFERS}{receipt}/confirm/").json()["status"] == "ready"
    done = clerk.post(f"{TRANSFERS}{receipt}/validate/", {"date": "2026-05-04"}, format="json")
    assert (done.status_code, done.json()["status"]) == (200, "done")

    out = clerk.post(TRANSFERS, _transfer(wh, "delivery", widget, 5), format="json").json()
    assert clerk.post(f"{TRANSFERS}{out['id']}/confirm/").json()["status"] == "waiting"
    reserved = clerk.post(f"{TRANSFERS}{out['id']}/reserve/").json()
    assert (reserved["status"], reserved["moves"][0]["quantity_reserved"]) == ("ready", "5.0000")
    move = reserved["moves"][0]["id"]
    validated = clerk.post(
        f"{TRANSFERS}{out['id']}/validate/",
        {"done": [{"move": move, "quantity": "3"}]},
        format="json",
    )
    assert validated.status_code == 200, validated.json()
    backorder = Transfer.objects.get(backorder_of_id=out["id"])
    assert (backorder.number, backorder.status) == ("WH/OUT/00002", "ready")
    rows = clerk.get(LEVELS, {"product": widget.pk, "location": wh.stock_location.pk}).json()
    assert [
        (r["location_name"], r["on_hand"], r["reserved"], r["available"]) for r in rows["results"]
    ] == [("WH/Stock", "7.0000", "2.0000", "5.0000")]


def test_a_receipt_posted_with_a_unit_cost_is_valued_at_it(clerk, company, wh, widget):
    """Given books; When a clerk POSTs a receipt of 4 at 2.50 and validates it; Then the
    move shows unit cost 2.5000 and the stock is worth 10.00, as the stock account."""
    books(company)
    body = _transfer(wh, "receipt", widget, 4)
    body["lines"][0]["unit_cost"] = "2.50"
    created = clerk.post(TRANSFERS, body, format="json")
    assert created.status_code == 201, created.json()
    assert [m["unit_cost"] for m in created.json()["moves"]] == ["2.5000"]
    clerk.post(f"{TRANSFERS}{created.json()['id']}/confirm/")
    done = clerk.post(
        f"{TRANSFERS}{created.json()['id']}/validate/", {"date": "2026-05-04"}, format="json"
    )
    assert done.status_code == 200, done.json()
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account) == (D("10.00"), D("10.00"))


def test_delivering_more_than_reserved_answers_400_and_changes_nothing(clerk, wh, widget):
    """Given 4 on hand, reserved for a delivery; When a clerk validates 5; Then 400
    more_than_reserved on the field done, and nothing changed."""
    receive(wh, widget, 4)
    out = clerk.post(TRANSFERS, _transfer(wh, "delivery", widget, 4), format="json").json()
    clerk.post(f"{TRANSFERS}{out['id']}/confirm/")
    move = clerk.post(f"{TRANSFERS}{out['id']}/reserve/").json()["moves"][0]["id"]
    before = snapshot()
    response = clerk.post(
        f"{TRANSFERS}{out['id']}/validate/",
        {"done": [{"move": move, "quantity": "5"}]},
        format="json",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("more_than_reserved", "done")
    assert snapshot() == before


def test_reserving_without_stock_answers_409(clerk, wh, widget):
    """Given no stock and a confirmed delivery; When it is reserved; Then 409
    insufficient_stock and nothing changed."""
    out = clerk.post(TRANSFERS, _transfer(wh, "delivery", widget, 1), format="json").json()
    clerk.post(f"{TRANSFERS}{out['id']}/confirm/")
    before = snapshot()
    response = clerk.post(f"{TRANSFERS}{out['id']}/reserve/")
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert snapshot() == before


def test_a_product_of_another_company_is_refused(clerk, wh):
    """Given a product of another company; When a clerk posts a receipt of it; Then
    400 on the lines and no transfer exists."""
    from keel.core.tests.factories import CompanyFactory

    foreign = ProductFactory(company=CompanyFactory(name="Other Co"), sku="F-1")
    before = snapshot()
    response = clerk.post(TRANSFERS, _transfer(wh, "receipt", foreign, 1), format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "lines"
    assert snapshot() == before


def test_an_archived_product_answers_400(clerk, wh, company):
    """Given an archived product; When a clerk posts a receipt of it; Then 400
    product_not_stockable and nothing changed."""
    old = product(company, name="Old", sku="OLD", active=False)
    before = snapshot()
    response = clerk.post(TRANSFERS, _transfer(wh, "receipt", old, 1), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "product_not_stockable"
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.SALES_MANAGER])
def test_sales_roles_read_stock_and_transfers_but_change_nothing(role, users, api_as, wh, widget):
    """Given stock and a confirmed receipt; Then a sales role lists stock levels and
    transfers, and is refused (403) creating, confirming or validating, with nothing
    changed, and does not see the warehouse set-up."""
    receive(wh, widget, 3)
    client = api_as(users[role])
    assert client.get(LEVELS).status_code == 200
    listed = client.get(TRANSFERS).json()["results"]
    assert [t["number"] for t in listed] == ["WH/IN/00001"]
    before = snapshot()
    refused = [
        client.post(TRANSFERS, _transfer(wh, "delivery", widget, 1), format="json"),
        client.post(f"{TRANSFERS}{listed[0]['id']}/cancel/"),
        client.post(f"{TRANSFERS}{listed[0]['id']}/validate/"),
        client.post("/api/v1/warehouses/", {"code": "EU", "name": "Europe"}),
        client.get("/api/v1/warehouses/"),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert {r.json()["code"] for r in refused} == {"permission_denied"}
    assert snapshot() == before


def test_an_accountant_does_not_see_stock(users, api_as):
    """An Accountant holds no inventory permission: the stock list is 403."""
    response = api_as(users[Role.ACCOUNTANT]).get(LEVELS)
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_a_clerk_creates_a_warehouse_and_lists_locations(clerk, company):
    """When a clerk creates warehouse EU; Then it has EU/Stock, a second EU is 409
    duplicate, and the internal locations list EU/Stock."""
    created = clerk.post("/api/v1/warehouses/", {"code": "eu", "name": "Europe"}, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["code"], created.json()["stock_location_name"]) == ("EU", "EU/Stock")
    again = clerk.post("/api/v1/warehouses/", {"code": "EU", "name": "Again"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "duplicate")
    names = [
        r["full_name"] for r in clerk.get("/api/v1/locations/?usage=internal").json()["results"]
    ]
    assert names == ["EU/Stock"]


def test_stock_levels_filter_and_cost_a_fixed_number_of_queries(
    clerk, company, wh, django_assert_max_num_queries
):
    """Given 6 products in 2 bins of WH and 1 in another warehouse; Then the list filters
    by product, location (with the bins below it) and warehouse, in at most 8 queries
    whatever the number of rows."""
    from ..services.locations import create_warehouse

    a1, b1 = bin_in(wh, "A1"), bin_in(wh, "B1")
    items = [product(company, name=f"Item {n}", sku=f"IT-{n}") for n in range(6)]
    for n, item in enumerate(items):
        receive(wh, item, n + 1, destination=a1 if n % 2 else b1)
    eu = create_warehouse(company, code="EU", name="Europe")
    receive(eu, items[0], 9)
    with django_assert_max_num_queries(8):
        every = clerk.get(LEVELS, {"page_size": 100}).json()
    on_hand = [r for r in every["results"] if r["on_hand"] != "0.0000"]
    assert len(on_hand) == 7
    with django_assert_max_num_queries(8):
        in_a1 = clerk.get(LEVELS, {"location": a1.pk}).json()["results"]
    assert sorted((r["sku"], r["on_hand"]) for r in in_a1 if r["on_hand"] != "0.0000") == [
        ("IT-1", "2.0000"),
        ("IT-3", "4.0000"),
        ("IT-5", "6.0000"),
    ]
    in_eu = clerk.get(LEVELS, {"warehouse": eu.pk, "product": items[0].pk}).json()["results"]
    assert [(r["location_name"], r["on_hand"]) for r in in_eu] == [("EU/Stock", "9.0000")]
    bad = clerk.get(LEVELS, {"product": "x"})
    assert (bad.status_code, bad.json()["field"]) == (400, "product")


def test_transfer_lists_cost_a_fixed_number_of_queries(
    clerk, wh, widget, django_assert_max_num_queries
):
    """Given 5 receipts; Then the list (newest first) and a detail with moves and lines
    each cost a fixed number of queries."""
    for _ in range(5):
        receive(wh, widget, 1)
    with django_assert_max_num_queries(8):
        rows = clerk.get(TRANSFERS).json()["results"]
    assert [r["number"] for r in rows] == [f"WH/IN/0000{n}" for n in (5, 4, 3, 2, 1)]
    with django_assert_max_num_queries(10):
        detail = clerk.get(f"{TRANSFERS}{rows[0]['id']}/").json()
    assert detail["moves"][0]["lines"][0]["quantity_done"] == "1.0000"
    assert StockLevel.objects.get(product=widget, location=wh.stock_location).on_hand == D(5)


def test_a_double_click_on_validate_with_an_idempotency_key_delivers_once(users, wh, widget):
    """Given a reserved delivery of 4 out of 10; When "validate" is clicked twice with
    one Idempotency-Key; Then the second answer replays the first and 6 stay on hand."""
    from rest_framework.test import APIClient

    clerk = APIClient()
    clerk.force_login(users[Role.WAREHOUSE_CLERK])
    receive(wh, widget, 10)
    out = clerk.post(TRANSFERS, _transfer(wh, "delivery", widget, 4), format="json").json()
    clerk.post(f"{TRANSFERS}{out['id']}/confirm/")
    clerk.post(f"{TRANSFERS}{out['id']}/reserve/")
    url = f"{TRANSFERS}{out['id']}/validate/"
    first = clerk.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="click-1")
    second = clerk.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="click-1")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    level = StockLevel.objects.get(product=widget, location=wh.stock_location)
    assert (level.on_hand, level.reserved) == (D(6), D(0))
    again = clerk.post(url, {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")
