"""Put-away rules: a receipt without a destination stores each product where its most
specific rule says (product, then nearest category, then the warehouse's stock);
rules pointing outside the warehouse are refused; clerks keep them through the API
and the workspace, sales roles cannot."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.core.errors import NotFound
from keel.core.tests.factories import CompanyFactory
from keel.products.tests.factories import ProductCategoryFactory
from keel.users.roles import Role

from ..errors import DuplicateCode, OutsideWarehouse
from ..models import PutawayRule, StockLevel, Transfer
from ..selectors import level_differences
from ..services import locations, transfers, validation
from ..services.putaway import remove_putaway_rule, save_putaway_rule
from .factories import MAY_4, bin_in, deliver, product, warehouse

pytestmark = pytest.mark.django_db
D = Decimal
RULES = "/api/v1/putaway-rules/"


def rules_snapshot():
    return (
        list(
            PutawayRule.objects.values_list(
                "pk", "warehouse_id", "product_id", "category_id", "location_id", "version"
            )
        ),
        PutawayRule.history.count(),
    )


@pytest.fixture
def shelves(company, wh):
    """Hardware > Fasteners; bins A1, B2, C3 under WH/Stock; a Screw with its own rule
    (B2), a Bolt in Fasteners (C3), a Hammer in Hardware (A1), and a Widget with no
    category and no rule."""
    hardware = ProductCategoryFactory(company=company, name="Hardware")
    fasteners = ProductCategoryFactory(company=company, name="Fasteners", parent=hardware)
    a1, b2, c3 = (bin_in(wh, name) for name in ("A1", "B2", "C3"))
    items = {
        "screw": product(company, name="Screw", sku="SCR", category=fasteners),
        "bolt": product(company, name="Bolt", sku="BLT", category=fasteners),
        "hammer": product(company, name="Hammer", sku="HAM", category=hardware),
        "widget": product(company, name="Widget", sku="WID"),
    }
    save_putaway_rule(company, warehouse=wh, category=hardware, location=a1)
    save_putaway_rule(company, warehouse=wh, category=fasteners, location=c3)
    save_putaway_rule(company, warehouse=wh, product=items["screw"], location=b2)
    return items, {"hardware": hardware, "fasteners": fasteners, "A1": a1, "B2": b2, "C3": c3}


def _receipt(wh, items, **kw):
    return transfers.create_transfer(
        wh.company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=wh,
        scheduled_date=MAY_4,
        lines=[{"product": item, "quantity": D(qty)} for item, qty in items],
        **kw,
    )


def test_a_receipt_stores_each_product_where_its_most_specific_rule_says(shelves, wh):
    """Given a product rule for Screw (B2), a Fasteners rule (C3) and a Hardware rule
    (A1); When a receipt of Screw 5, Bolt 6, Hammer 7 and Widget 8 is created without a
    destination and validated; Then Screw is on hand in WH/Stock/B2 (product beats
    category), Bolt in WH/Stock/C3 (nearest category beats its parent), Hammer in
    WH/Stock/A1, Widget in WH/Stock; a delivery from WH/Stock still finds the Bolts,
    and stock levels match the moves."""
    items, _ = shelves
    # Given / When
    receipt = _receipt(
        wh,
        [(items[name], qty) for name, qty in (("screw", "5"), ("bolt", "6"), ("hammer", "7"))]
        + [(items["widget"], "8")],
    )
    assert [
        (m.product.sku, m.destination.full_name)
        for m in receipt.moves.select_related("product", "destination").order_by("sequence")
    ] == [
        ("SCR", "WH/Stock/B2"),
        ("BLT", "WH/Stock/C3"),
        ("HAM", "WH/Stock/A1"),
        ("WID", "WH/Stock"),
    ]
    transfers.confirm(receipt.pk)
    validation.validate(receipt.pk, on_date=MAY_4)
    # Then
    on_hand = sorted(
        StockLevel.objects.filter(on_hand__gt=0).values_list(
            "product__sku", "location__full_name", "on_hand"
        )
    )
    assert on_hand == [
        ("BLT", "WH/Stock/C3", D(6)),
        ("HAM", "WH/Stock/A1", D(7)),
        ("SCR", "WH/Stock/B2", D(5)),
        ("WID", "WH/Stock", D(8)),
    ]
    deliver(wh, items["bolt"], 4)
    assert StockLevel.objects.get(product=items["bolt"], location__name="C3").on_hand == D(2)
    assert level_differences(wh.company_id) == []


def test_an_explicit_destination_inactive_rules_and_other_warehouses_are_not_followed(
    shelves, company, wh
):
    """Given the rules of WH, Hardware's rule made inactive, and warehouse EU without
    rules; When a receipt of Screw names WH/Stock/A1, a receipt of Hammer has no
    destination, and a receipt of Screw goes to EU; Then the Screw goes to A1 as
    told, the Hammer to WH/Stock, and the Screw in EU to EU/Stock."""
    items, places = shelves
    hardware_rule = PutawayRule.objects.get(category=places["hardware"])
    save_putaway_rule(
        company,
        warehouse=wh,
        category=places["hardware"],
        location=places["A1"],
        active=False,
        rule_id=hardware_rule.pk,
    )
    told = _receipt(wh, [(items["screw"], "1")], destination=places["A1"])
    assert told.moves.get().destination.full_name == "WH/Stock/A1"
    untold = _receipt(wh, [(items["hammer"], "1")])
    assert untold.moves.get().destination.full_name == "WH/Stock"
    eu = warehouse(company, code="EU", name="Europe")
    assert _receipt(eu, [(items["screw"], "1")]).moves.get().destination.full_name == "EU/Stock"


def test_a_rule_pointing_outside_the_warehouse_is_refused_and_nothing_changes(shelves, company, wh):
    """Given the rules of WH and warehouse EU with bin EU/Stock/X; When a Widget rule
    of WH points at EU/Stock/X, at WH/Stock itself or at the customers' location, and
    a second Screw rule is added; Then each is refused (location_outside_warehouse,
    duplicate) with a message naming the place, and no rule changed."""
    items, places = shelves
    eu = warehouse(company, code="EU", name="Europe")
    x = locations.create_location(company, name="X", parent=eu.stock_location)
    before = rules_snapshot()
    with pytest.raises(OutsideWarehouse) as refused:
        save_putaway_rule(company, warehouse=wh, product=items["widget"], location=x)
    assert refused.value.code == "location_outside_warehouse"
    assert "EU/Stock/X is not a location under WH/Stock" in refused.value.detail
    with pytest.raises(OutsideWarehouse):
        save_putaway_rule(
            company, warehouse=wh, product=items["widget"], location=wh.stock_location
        )
    with pytest.raises(OutsideWarehouse):
        save_putaway_rule(
            company,
            warehouse=wh,
            product=items["widget"],
            location=locations.virtual_location(company, "customer"),
        )
    with pytest.raises(DuplicateCode):
        save_putaway_rule(company, warehouse=wh, product=items["screw"], location=places["A1"])
    assert rules_snapshot() == before


@pytest.fixture
def clerk(api_as, users):
    return api_as(users[Role.WAREHOUSE_CLERK])


def test_a_clerk_keeps_put_away_rules_through_the_api(
    clerk, shelves, wh, django_assert_max_num_queries
):
    """Given the rules of WH; When a clerk lists them, adds one for Widget into A1,
    moves it to C3 with the version they read, then deletes it; Then the list shows
    the three rules in the order they were made in a fixed number of queries, the Widget rule
    reaches version 2 in C3 and is gone after the delete."""
    items, places = shelves
    with django_assert_max_num_queries(8):
        listed = clerk.get(RULES)
    assert listed.status_code == 200
    assert [
        (r["product_name"], r["category_name"], r["location_name"])
        for r in listed.json()["results"]
    ] == [
        (None, "Hardware", "WH/Stock/A1"),
        (None, "Hardware / Fasteners", "WH/Stock/C3"),
        ("Screw", None, "WH/Stock/B2"),
    ]
    created = clerk.post(
        RULES,
        {"warehouse": wh.pk, "product": items["widget"].pk, "location": places["A1"].pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    rule = created.json()
    changed = clerk.put(
        f"{RULES}{rule['id']}/",
        {"warehouse": wh.pk, "product": items["widget"].pk, "location": places["C3"].pk},
        format="json",
        HTTP_IF_MATCH=f'"{rule["version"]}"',
    )
    assert (changed.status_code, changed.json()["location_name"], changed["ETag"]) == (
        200,
        "WH/Stock/C3",
        '"2"',
    )
    stale = clerk.put(
        f"{RULES}{rule['id']}/",
        {"warehouse": wh.pk, "product": items["widget"].pk, "location": places["A1"].pk},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert stale.status_code == 412
    assert clerk.delete(f"{RULES}{rule['id']}/").status_code == 204
    assert not PutawayRule.objects.filter(pk=rule["id"]).exists()


def test_the_api_refuses_a_rule_outside_the_warehouse_and_changes_nothing(
    clerk, shelves, company, wh
):
    """When a clerk POSTs a Widget rule of WH into EU/Stock/X; Then 400 with code
    location_outside_warehouse on field location, and no rule changed."""
    items, _ = shelves
    eu = warehouse(company, code="EU", name="Europe")
    x = locations.create_location(company, name="X", parent=eu.stock_location)
    before = rules_snapshot()
    refused = clerk.post(
        RULES, {"warehouse": wh.pk, "product": items["widget"].pk, "location": x.pk}, format="json"
    )
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == (
        "location_outside_warehouse",
        "location",
    )
    assert rules_snapshot() == before


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.SALES_MANAGER])
def test_sales_roles_may_not_see_or_change_put_away_rules(api_as, users, shelves, wh, role):
    """Sales roles are refused (403) listing, adding and deleting put-away rules, and
    nothing changes."""
    items, places = shelves
    client = api_as(users[role])
    rule = PutawayRule.objects.get(product=items["screw"])
    before = rules_snapshot()
    assert client.get(RULES).status_code == 403
    body = {"warehouse": wh.pk, "product": items["widget"].pk, "location": places["A1"].pk}
    assert client.post(RULES, body, format="json").status_code == 403
    assert client.delete(f"{RULES}{rule.pk}/").status_code == 403
    assert rules_snapshot() == before


def test_a_clerk_adds_and_removes_a_rule_in_the_workspace(users, shelves, company, wh):
    """When a clerk adds a Widget rule into B2 in the workspace, then deletes it; Then
    the service saved it (version 1, by the clerk) and removed it."""
    items, places = shelves
    client = Client()
    clerk = users[Role.WAREHOUSE_CLERK]
    client.force_login(clerk)
    listing = client.get(reverse("admin:inventory_putawayrule_changelist"))
    assert listing.status_code == 200 and b"WH/Stock/B2" in listing.content
    added = client.post(
        reverse("admin:inventory_putawayrule_add"),
        {
            "warehouse": wh.pk,
            "product": items["widget"].pk,
            "location": places["B2"].pk,
            "active": "on",
        },
    )
    assert added.status_code == 302
    rule = PutawayRule.objects.get(product=items["widget"])
    assert (rule.location.full_name, rule.version, rule.created_by) == ("WH/Stock/B2", 1, clerk)
    deleted = client.post(
        reverse("admin:inventory_putawayrule_delete", args=[rule.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not PutawayRule.objects.filter(pk=rule.pk).exists()


def test_removing_a_rule_of_another_company_is_refused(shelves, wh):
    """A rule id of no rule of the company is not found, and nothing changes."""
    before = rules_snapshot()
    with pytest.raises(NotFound):
        remove_putaway_rule(CompanyFactory(name="Other Co"), PutawayRule.objects.first().pk)
    assert rules_snapshot() == before


def test_the_workspace_refuses_a_rule_outside_the_warehouse_with_a_message(
    users, shelves, company, wh
):
    """When a clerk adds a Widget rule of WH into EU/Stock/X in the workspace; Then the
    page says why (EU/Stock/X is not a location under WH/Stock) and no rule changed."""
    items, _ = shelves
    eu = warehouse(company, code="EU", name="Europe")
    x = locations.create_location(company, name="X", parent=eu.stock_location)
    client = Client()
    client.force_login(users[Role.WAREHOUSE_CLERK])
    before = rules_snapshot()
    refused = client.post(
        reverse("admin:inventory_putawayrule_add"),
        {"warehouse": wh.pk, "product": items["widget"].pk, "location": x.pk, "active": "on"},
        follow=True,
    )
    assert refused.redirect_chain[-1][0] == reverse("admin:inventory_putawayrule_add")
    assert b"EU/Stock/X is not a location under WH/Stock" in refused.content
    assert rules_snapshot() == before


def test_finding_the_bins_of_a_receipt_costs_the_same_for_3_or_30_lines(shelves, company, wh):
    """Given the rules of WH; When receipts of 3 and of 30 products (10 Screws-like
    product rules, categories and none) are created; Then both take the same number of
    queries: the put-away rules are read once per receipt, not once per line."""
    items, places = shelves
    fasteners = places["fasteners"]
    more = [product(company, name=f"Nut {n}", sku=f"NUT{n}", category=fasteners) for n in range(27)]
    few = [items["screw"], items["bolt"], items["widget"]]
    _receipt(wh, [(items["hammer"], "1")])  # the first draws a new number series
    with CaptureQueriesContext(connection) as small:
        _receipt(wh, [(item, "1") for item in few])
    with CaptureQueriesContext(connection) as large:
        receipt = _receipt(wh, [(item, "1") for item in few + more])
    assert len(large.captured_queries) == len(small.captured_queries)
    assert receipt.moves.filter(destination=places["C3"]).count() == 28
