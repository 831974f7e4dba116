"""Replenishment rules (min/max per product x warehouse), the needs they produce, the
Below minimum page, the API and the workspace form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from keel.core.errors import InvalidInput, StaleRecord
from keel.users.roles import Role

from ..errors import DuplicateCode, ProductNotStockable
from ..models import ReplenishmentRule
from ..selectors import replenishment_needs
from ..services import replenishment, transfers
from .factories import MAY_4, delivery, product, receive, warehouse
from .test_refusals import snapshot

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = MAY_4


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def plan(company, wh, widget):
    """Given in WH: 10 Widgets, 3 reserved, a delivery of 12 on day +3, a receipt of 20
    on day +5, and a rule 10-40 with 4 lead days; 5 Gadgets, a delivery of 2 on day +2,
    a rule 5-20 with 3 lead days; 8 Bolts and a rule 2-10 (enough); in EU no Widget and
    a rule 1-5 with no lead days."""
    eu = warehouse(company, "EU", "Europe")
    gadget = product(company, name="Gadget", sku="GAD")
    bolt = product(company, name="Bolt", sku="BOL")
    receive(wh, widget, 10)
    transfers.reserve(transfers.confirm(delivery(wh, widget, 3).pk).pk)
    transfers.confirm(delivery(wh, widget, 12, on_date=day(3)).pk)
    incoming = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=day(5),
        lines=[{"product": widget, "quantity": D(20)}],
    )
    transfers.confirm(incoming.pk)
    receive(wh, gadget, 5)
    transfers.confirm(delivery(wh, gadget, 2, on_date=day(2)).pk)
    receive(wh, bolt, 8)
    rules = {
        "widget": replenishment.save_rule(
            company, product=widget, warehouse=wh, minimum=10, maximum=40, lead_days=4
        ),
        "gadget": replenishment.save_rule(
            company, product=gadget, warehouse=wh, minimum=5, maximum=20, lead_days=3
        ),
        "bolt": replenishment.save_rule(company, product=bolt, warehouse=wh, minimum=2, maximum=10),
        "eu": replenishment.save_rule(company, product=widget, warehouse=eu, minimum=1, maximum=5),
    }
    return rules


def test_needs_order_up_to_the_maximum(company, plan, django_assert_num_queries):
    """When the needs are read on 4 May; Then EU orders 5 Widgets (0 projected), WH 17
    Gadgets (3 on day +3) and 45 Widgets (-5 on day +4: 5 short), and no Bolts; in three
    queries."""
    with django_assert_num_queries(3):
        needs = replenishment_needs(company, today=TODAY)
    assert [
        (n.rule.warehouse.code, n.rule.product.name, n.on_date, n.projected, n.quantity)
        for n in needs
    ] == [
        ("EU", "Widget", day(0), D(0), D(5)),
        ("WH", "Gadget", day(3), D(3), D(17)),
        ("WH", "Widget", day(4), D(-5), D(45)),
    ]


def test_with_a_longer_lead_the_receipt_counts(company, plan):
    """When the Widget rule of WH looks 5 days ahead; Then the receipt of 20 is there
    (15 projected, above the minimum of 10), so WH needs no Widgets."""
    rule = plan["widget"]
    replenishment.save_rule(
        company,
        product=rule.product,
        warehouse=rule.warehouse,
        minimum=10,
        maximum=40,
        lead_days=5,
        rule_id=rule.pk,
    )
    needs = replenishment_needs(company, today=TODAY)
    assert [(n.rule.warehouse.code, n.rule.product.name) for n in needs] == [
        ("EU", "Widget"),
        ("WH", "Gadget"),
    ]


def test_inactive_rules_produce_nothing(company, plan):
    rule = plan["eu"]
    replenishment.save_rule(
        company,
        product=rule.product,
        warehouse=rule.warehouse,
        minimum=1,
        maximum=5,
        active=False,
        rule_id=rule.pk,
    )
    assert [n.rule.pk for n in replenishment_needs(company, today=TODAY)] == [
        plan["gadget"].pk,
        plan["widget"].pk,
    ]


def test_the_rule_guards(company, wh, widget):
    """A minimum above the maximum, a negative or over-precise quantity, negative lead
    days, a service, a second rule for the same product and warehouse and a stale
    version are refused, and nothing changes."""
    from keel.products.models import Product

    rule = replenishment.save_rule(company, product=widget, warehouse=wh, minimum=2, maximum=8)
    before = snapshot(), list(ReplenishmentRule.objects.values())
    service = product(company, name="Install", sku="SRV", kind=Product.Kind.SERVICE)
    refused = [
        (InvalidInput, {"product": widget, "minimum": 9, "maximum": 8, "rule_id": rule.pk}),
        (InvalidInput, {"product": widget, "minimum": -1, "maximum": 8, "rule_id": rule.pk}),
        (InvalidInput, {"product": widget, "minimum": "0.00001", "maximum": 8}),
        (InvalidInput, {"product": widget, "minimum": 1, "maximum": 8, "lead_days": -1}),
        (ProductNotStockable, {"product": service, "minimum": 1, "maximum": 8}),
        (DuplicateCode, {"product": widget, "minimum": 1, "maximum": 8}),
        (
            StaleRecord,
            {
                "product": widget,
                "minimum": 1,
                "maximum": 8,
                "rule_id": rule.pk,
                "expected_version": 7,
            },
        ),
    ]
    for error, kwargs in refused:
        with pytest.raises(error):
            replenishment.save_rule(company, warehouse=wh, **kwargs)
    assert (snapshot(), list(ReplenishmentRule.objects.values())) == before
    changed = replenishment.save_rule(
        company,
        product=widget,
        warehouse=wh,
        minimum=8,
        maximum=8,
        rule_id=rule.pk,
        expected_version=1,
    )
    assert (changed.minimum, changed.maximum, changed.version) == (D(8), D(8), 2)


def test_the_below_minimum_page(users, plan, django_assert_max_num_queries):
    """A clerk (and a sales rep) sees the three needs on the page in a fixed number of
    queries; an accountant is refused."""
    url = reverse("inventory:below-minimum") + "?start=2026-05-04"
    clerk = _client(users[Role.WAREHOUSE_CLERK])
    with django_assert_max_num_queries(12):
        page = clerk.get(url)
    assert page.status_code == 200
    assert [n.quantity for n in page.context["needs"]] == [D(5), D(17), D(45)]
    assert b"[GAD] Gadget" in page.content
    assert _client(users[Role.SALES_REP]).get(url).status_code == 200
    assert _client(users[Role.ACCOUNTANT]).get(url).status_code == 403


def test_rules_and_needs_through_the_api(users, api_as, company, wh, widget):
    """A clerk creates a rule 10-40 (201), lists it, changes it to 12-40 with the right
    version (200, version 2) and is refused a stale version (412) and min > max (400,
    nothing changed); the needs list orders 40 Widgets (none on hand)."""
    api = api_as(users[Role.WAREHOUSE_CLERK])
    created = api.post(
        "/api/v1/replenishment-rules/",
        {"product": widget.pk, "warehouse": wh.pk, "minimum": "10", "maximum": "40"},
        format="json",
    )
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert api.get("/api/v1/replenishment-rules/").json()["results"][0]["minimum"] == "10.0000"
    body = {"product": widget.pk, "warehouse": wh.pk, "minimum": "12", "maximum": "40"}
    changed = api.put(
        f"/api/v1/replenishment-rules/{rule_id}/", body, format="json", HTTP_IF_MATCH='"1"'
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    before = list(ReplenishmentRule.objects.values())
    stale = api.put(
        f"/api/v1/replenishment-rules/{rule_id}/", body, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412
    wrong = api.put(
        f"/api/v1/replenishment-rules/{rule_id}/", {**body, "minimum": "50"}, format="json"
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "minimum"
    assert list(ReplenishmentRule.objects.values()) == before
    needs = api.get("/api/v1/replenishment-rules/needs/").json()
    assert [(n["sku"], n["projected"], n["quantity"]) for n in needs] == [
        ("WID", "0.0000", "40.0000")
    ]


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.ACCOUNTANT])
def test_the_api_refuses_rules_to_other_roles(users, api_as, wh, widget, role):
    """A sales rep may read the needs but not write a rule; an accountant neither (403),
    and nothing changes."""
    api = api_as(users[role])
    created = api.post(
        "/api/v1/replenishment-rules/",
        {"product": widget.pk, "warehouse": wh.pk, "minimum": "1", "maximum": "4"},
        format="json",
    )
    assert created.status_code == 403
    assert not ReplenishmentRule.objects.exists()
    needs = api.get("/api/v1/replenishment-rules/needs/").status_code
    assert needs == (200 if role == Role.SALES_REP else 403)


def test_a_clerk_adds_a_rule_in_the_workspace(users, wh, widget):
    """The workspace form saves through the service; min > max is a message, no rule."""
    client = _client(users[Role.WAREHOUSE_CLERK])
    url = reverse("admin:inventory_replenishmentrule_add")
    form = {
        "product": widget.pk,
        "warehouse": wh.pk,
        "minimum": "4",
        "maximum": "2",
        "lead_days": "0",
        "active": "on",
    }
    client.post(url, form)
    assert not ReplenishmentRule.objects.exists()
    assert client.post(url, {**form, "maximum": "9"}).status_code == 302
    rule = ReplenishmentRule.objects.get()
    assert (rule.minimum, rule.maximum, rule.version) == (D(4), D(9), 1)
    listing = client.get(reverse("admin:inventory_replenishmentrule_changelist"))
    assert listing.status_code == 200 and b"Widget" in listing.content


def test_a_stale_rule_form_is_refused_on_the_form_and_changes_nothing(users, company, wh, widget):
    """Regression: the workspace passed the version it had just loaded to the service,
    so a stale form always looked fresh and overwrote the newer rule.
    Given two clerks who opened the rule at version 1; When the first raises the
    maximum to 12 and the second then saves a maximum of 20; Then the second form comes
    back with the conflict on it, his 20 still in the field, and the rule keeps 12."""
    rule = replenishment.save_rule(company, product=widget, warehouse=wh, minimum=2, maximum=9)
    url = reverse("admin:inventory_replenishmentrule_change", args=[rule.pk])
    form = {
        "product": widget.pk,
        "warehouse": wh.pk,
        "minimum": "2",
        "lead_days": "0",
        "active": "on",
        "seen_version": "1",
    }
    first, second = _client(users[Role.WAREHOUSE_CLERK]), _client(users[Role.ADMINISTRATOR])
    assert b'name="seen_version" value="1"' in first.get(url).content

    assert first.post(url, {**form, "maximum": "12"}).status_code == 302
    refused = second.post(url, {**form, "maximum": "20"})

    assert refused.status_code == 200
    errors = refused.context["adminform"].form.non_field_errors()
    assert [
        e.endswith("(version 2, yours 1). Reload the page and apply your change again.")
        for e in errors
    ] == [True]
    assert refused.context["adminform"].form["maximum"].value() == "20"
    rule.refresh_from_db()
    assert (rule.maximum, rule.version) == (D(12), 2)
