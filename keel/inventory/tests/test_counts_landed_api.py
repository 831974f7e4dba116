"""Counts and landed costs through the API: a clerk starts a count sheet, enters what
was found and posts it (the difference is an adjustment, valued and booked); an
accountant lands freight on a receipt (split, valued, booked). Refusals are 4xx
JSON and change nothing; roles without the permission get 403."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.accounting.models import JournalEntry, JournalLine
from keel.accounting.tests.factories import books
from keel.core.models import OutboxEvent, StatusChange
from keel.products.models import ProductCategory
from keel.products.tests.factories import ProductCategoryFactory
from keel.users.roles import Role

from ..models import CountLine, InventoryCount, LandedCost, StockLevel, ValuationLayer
from ..selectors import check_valuation, level_differences
from ..services import transfers
from .factories import MAY_4, product, receive

pytestmark = pytest.mark.django_db
D = Decimal
COUNTS = "/api/v1/inventory-counts/"
LANDED = "/api/v1/landed-costs/"


def books_snapshot():
    """Everything a refused count or landed cost could have touched."""
    return (
        list(StockLevel.objects.values_list("pk", "on_hand", "reserved")),
        list(InventoryCount.objects.values_list("pk", "status", "adjustment_id")),
        list(CountLine.objects.values_list("pk", "expected", "counted")),
        list(LandedCost.objects.values_list("pk", "amount")),
        list(ValuationLayer.objects.values_list("pk", "value", "remaining_value")),
        JournalEntry.objects.count(),
        StatusChange.objects.count(),
        OutboxEvent.objects.count(),
    )


def stock_balance(company) -> Decimal:
    sums = JournalLine.objects.filter(company=company, account__role="stock").aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return sums["d"] - sums["c"]


@pytest.fixture
def gears(company, wh):
    """Books, and 10 gears in WH/Stock at 11.50 (the stock account holds 115.00)."""
    books(company)
    gear = product(company, name="Gear", sku="GEAR")
    receive(wh, gear, 10, unit_cost="11.50")
    return gear


@pytest.fixture
def clerk(api_as, users):
    return api_as(users[Role.WAREHOUSE_CLERK])


@pytest.fixture
def accountant(api_as, users):
    return api_as(users[Role.ACCOUNTANT])


def test_a_clerk_counts_a_location_and_posts_the_difference(
    clerk, company, wh, gears, django_assert_max_num_queries
):
    """Given 10 gears at 11.50 in WH/Stock; When a clerk starts a count of WH/Stock,
    enters 8 found and posts it; Then the sheet expected 10, the difference -2 went to
    inventory loss on adjustment WH/INT/00001, 8 are on hand, the stock account
    holds 92.00 as the valuation, and the list costs a fixed number of queries."""
    # When the count starts
    started = clerk.post(
        COUNTS, {"location": wh.stock_location.pk, "date": "2026-05-09"}, format="json"
    )
    assert started.status_code == 201, started.json()
    sheet = started.json()
    assert (sheet["location_name"], sheet["status"]) == ("WH/Stock", "draft")
    assert [(ln["sku"], ln["expected"], ln["counted"]) for ln in sheet["lines"]] == [
        ("GEAR", "10.0000", None)
    ]
    # And 8 are counted
    counted = clerk.post(
        f"{COUNTS}{sheet['id']}/count/",
        {"lines": [{"product": gears.pk, "counted": "8"}]},
        format="json",
    )
    assert counted.status_code == 200, counted.json()
    assert [(ln["counted"], ln["difference"]) for ln in counted.json()["lines"]] == [
        ("8.0000", "-2.0000")
    ]
    # And posted
    posted = clerk.post(f"{COUNTS}{sheet['id']}/validate/", {}, format="json")
    assert posted.status_code == 200, posted.json()
    assert (posted.json()["status"], posted.json()["adjustment_number"]) == (
        "done",
        "WH/INT/00001",
    )
    # Then
    level = StockLevel.objects.get(product=gears, location=wh.stock_location, lot_key=0)
    assert level.on_hand == D(8)
    assert stock_balance(company) == D("92.00")
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account, check.sound) == (D("92.00"), D("92.00"), True)
    assert level_differences(company.pk) == []
    with django_assert_max_num_queries(8):
        listed = clerk.get(COUNTS)
    assert [c["status"] for c in listed.json()["results"]] == ["done"]


def test_a_cycle_count_of_a_category_lists_only_its_products(clerk, company, wh, gears):
    """Given gears (no category) and 3 screws of Hardware / Screws on hand; When a
    clerk starts a cycle count of Hardware in WH/Stock; Then it lists only the screws,
    expecting 3."""
    hardware = ProductCategoryFactory(company=company, name="Hardware")
    screws = ProductCategoryFactory(company=company, name="Screws", parent=hardware)
    screw = product(company, name="Screw", sku="SCR", category=screws)
    receive(wh, screw, 3, unit_cost="0.10")
    started = clerk.post(
        COUNTS, {"location": wh.stock_location.pk, "category": hardware.pk}, format="json"
    )
    assert started.status_code == 201, started.json()
    body = started.json()
    assert [(ln["sku"], ln["expected"]) for ln in body["lines"]] == [("SCR", "3.0000")]
    assert body["note"] == "Cycle count of Hardware"


def test_posting_a_count_twice_or_counting_it_after_is_refused(clerk, wh, gears):
    """Given a count of 8 gears posted; When the clerk posts it again, or enters a
    count on it; Then 409 transition_not_allowed and 400 invalid, and nothing
    changed."""
    sheet = clerk.post(COUNTS, {"location": wh.stock_location.pk}, format="json").json()
    clerk.post(
        f"{COUNTS}{sheet['id']}/count/",
        {"lines": [{"product": gears.pk, "counted": "8"}]},
        format="json",
    )
    assert clerk.post(f"{COUNTS}{sheet['id']}/validate/").status_code == 200
    before = books_snapshot()
    again = clerk.post(f"{COUNTS}{sheet['id']}/validate/")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")
    late = clerk.post(
        f"{COUNTS}{sheet['id']}/count/",
        {"lines": [{"product": gears.pk, "counted": "7"}]},
        format="json",
    )
    assert (late.status_code, late.json()["code"]) == (400, "invalid")
    assert books_snapshot() == before


def test_a_negative_count_is_refused_and_changes_nothing(clerk, wh, gears):
    """When a clerk enters -1 gears on a draft count; Then 400 and nothing changed."""
    sheet = clerk.post(COUNTS, {"location": wh.stock_location.pk}, format="json").json()
    before = books_snapshot()
    refused = clerk.post(
        f"{COUNTS}{sheet['id']}/count/",
        {"lines": [{"product": gears.pk, "counted": "-1"}]},
        format="json",
    )
    assert refused.status_code == 400
    assert books_snapshot() == before


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.ACCOUNTANT])
def test_roles_that_do_not_run_the_warehouse_may_not_count(api_as, users, wh, gears, role):
    """Sales reps and accountants are refused (403) starting, counting and posting a
    count, and nothing changes."""
    sheet = (
        api_as(users[Role.WAREHOUSE_CLERK])
        .post(COUNTS, {"location": wh.stock_location.pk}, format="json")
        .json()
    )
    client = api_as(users[role])
    before = books_snapshot()
    assert client.post(COUNTS, {"location": wh.stock_location.pk}, format="json").status_code == 403
    counted = client.post(
        f"{COUNTS}{sheet['id']}/count/",
        {"lines": [{"product": gears.pk, "counted": "8"}]},
        format="json",
    )
    assert counted.status_code == 403
    assert client.post(f"{COUNTS}{sheet['id']}/validate/").status_code == 403
    assert books_snapshot() == before


@pytest.fixture
def spares(company, wh):
    """Books; an axle and a bolt of the FIFO category Spares received at 20.00 each on
    WH/IN/00001."""
    books(company)
    fifo = ProductCategoryFactory(
        company=company, name="Spares", costing_method=ProductCategory.CostingMethod.FIFO
    )
    axle = product(company, name="Axle", sku="AXLE", category=fifo)
    bolt = product(company, name="Bolt", sku="BOLT", category=fifo)
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=MAY_4,
        lines=[
            {"product": item, "quantity": D(1), "unit_cost": D("20.00")} for item in (axle, bolt)
        ],
    )
    transfers.confirm(receipt.pk)
    from ..services import validation

    return validation.validate(receipt.pk, on_date=MAY_4), axle, bolt


def test_an_accountant_lands_freight_on_a_receipt(
    accountant, company, spares, django_assert_max_num_queries
):
    """Given a receipt of an axle (weight 3) and a bolt (weight 1) at 20.00 each; When
    an accountant lands 100.01 of freight on it by weight; Then the axle carries 75.01
    and the bolt 25.00, the stock account rises by 100.01 to 140.01 as the valuation,
    and the list costs a fixed number of queries."""
    receipt, axle, bolt = spares
    moves = {m.product_id: m.pk for m in receipt.moves.all()}
    created = accountant.post(
        LANDED,
        {
            "receipt": receipt.pk,
            "amount": "100.01",
            "split_by": "weight",
            "weights": {str(moves[axle.pk]): "3", str(moves[bolt.pk]): "1"},
            "date": "2026-05-08",
            "description": "Freight DHL 4711",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["receipt_number"], body["amount"], body["split_by"]) == (
        "WH/IN/00001",
        "100.01",
        "weight",
    )
    assert [(ln["product_name"], ln["amount"]) for ln in body["lines"]] == [
        ("Axle", "75.01"),
        ("Bolt", "25.00"),
    ]
    assert stock_balance(company) == D("140.01")
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account, check.sound) == (
        D("140.01"),
        D("140.01"),
        True,
    )
    with django_assert_max_num_queries(8):
        listed = accountant.get(LANDED)
    assert [c["amount"] for c in listed.json()["results"]] == ["100.01"]


def test_a_landed_cost_on_a_receipt_not_done_is_refused_and_changes_nothing(
    accountant, company, wh, spares
):
    """Given a confirmed receipt of an axle, not yet validated; When an accountant
    lands 10.00 on it; Then 400 invalid on field receipt naming it, and nothing
    changed."""
    _, axle, _ = spares
    waiting = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=MAY_4,
        lines=[{"product": axle, "quantity": D(1)}],
    )
    transfers.confirm(waiting.pk)
    before = books_snapshot()
    refused = accountant.post(
        LANDED,
        {"receipt": waiting.pk, "amount": "10.00", "split_by": "quantity"},
        format="json",
    )
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("invalid", "receipt")
    assert "WH/IN/00002 is not a done receipt" in refused.json()["detail"]
    assert books_snapshot() == before


@pytest.mark.parametrize("role", [Role.WAREHOUSE_CLERK, Role.SALES_REP])
def test_only_accountants_land_costs(api_as, users, spares, role):
    """A warehouse clerk or a sales rep is refused (403) landing a cost on a done
    receipt, and nothing changes."""
    receipt, _, _ = spares
    before = books_snapshot()
    refused = api_as(users[role]).post(
        LANDED, {"receipt": receipt.pk, "amount": "10.00", "split_by": "quantity"}, format="json"
    )
    assert refused.status_code == 403
    assert books_snapshot() == before


def test_a_landed_cost_posted_twice_with_one_idempotency_key_lands_once(users, company, spares):
    """Given a done receipt; When an accountant's client sends the same landed cost of
    10.00 twice with one Idempotency-Key (a double click); Then one landed cost is
    written, both answers name it, and the stock account rose by 10.00 only."""
    from rest_framework.test import APIClient

    accountant = APIClient()
    accountant.force_login(users[Role.ACCOUNTANT])  # a session: the middleware sees who
    receipt, _, _ = spares
    body = {"receipt": receipt.pk, "amount": "10.00", "split_by": "quantity"}
    first = accountant.post(LANDED, body, format="json", HTTP_IDEMPOTENCY_KEY="freight-4711")
    again = accountant.post(LANDED, body, format="json", HTTP_IDEMPOTENCY_KEY="freight-4711")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert LandedCost.objects.count() == 1
    assert stock_balance(company) == D("50.00")
