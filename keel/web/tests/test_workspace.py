"""The workspace shell: dashboard figures, navigation per role, search, the approvals page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from keel.core.models import ApprovalRequest
from keel.core.services import approvals
from keel.core.tests.factories import ApprovalRuleFactory
from keel.users.roles import Role
from keel.web.navigation import sidebar_navigation

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pending(pending_approval):
    return pending_approval


def titles(user, rf):
    request = rf.get("/")
    request.user = user
    return {
        group["title"]: [item["title"] for item in group["items"]]
        for group in sidebar_navigation(request)
    }


def test_sales_rep_navigation_shows_only_what_the_role_allows(users, rf):
    assert titles(users[Role.SALES_REP], rf) == {
        "Workspace": ["Dashboard", "Approvals inbox"],
        "Parties": [
            "Parties",
            "Regions",
            "Sales channels",
            "Industries",
            "Tags",
            "Customer groups",
        ],
        "Products": [
            "Products",
            "Product categories",
            "Price lists",
            "Price groups",
            "Units of measure",
        ],
        "CRM": [
            "Pipeline board",
            "My activities",
            "CRM dashboard",
            "Leads",
            "Opportunities",
            "Activities",
            "Pipelines",
            "Sales targets",
        ],
        "Inventory": [
            "Transfers",
            "Stock on hand",
            "Stock by location",
            "Move history",
            "Stock forecast",
            "Below minimum",
            "Replenishment rules",
        ],
        "Sales": ["Quotations", "Sales orders"],
        "Analytics": ["Sales analysis", "Lead-to-cash time"],
        "Approvals": ["Approval requests"],
        "Integrations": ["API documentation"],
    }


def test_the_warehouse_pages_are_in_the_clerks_navigation(users, rf):
    """A clerk's Inventory menu links stock by location, move history, the stock
    valuation, the count sheets, landed costs and the put-away rules."""
    from django.urls import reverse

    request = rf.get("/")
    request.user = users[Role.WAREHOUSE_CLERK]
    inventory = next(g for g in sidebar_navigation(request) if g["title"] == "Inventory")
    links = {item["title"]: item["link"](request) for item in inventory["items"]}
    assert [
        links[title]
        for title in (
            "Stock by location",
            "Move history",
            "Stock valuation",
            "Inventory counts",
            "Landed costs",
            "Put-away rules",
        )
    ] == [
        reverse("inventory:on-hand"),
        reverse("inventory:moves"),
        reverse("inventory:valuation"),
        reverse("admin:inventory_inventorycount_changelist"),
        reverse("admin:inventory_landedcost_changelist"),
        reverse("admin:inventory_putawayrule_changelist"),
    ]


def test_administrator_navigation_has_every_module(users, rf):
    assert list(titles(users[Role.ADMINISTRATOR], rf)) == [
        "Workspace",
        "Parties",
        "Products",
        "CRM",
        "Accounting",
        "Inventory",
        "Purchasing",
        "Sales",
        "Analytics",
        "Approvals",
        "Integrations",
        "Administration",
    ]


def test_dashboard_shows_real_counts_for_the_role(pending, users):
    """Given one request waiting for a Sales Manager; Then the manager's dashboard says 1
    waiting, the rep's says 1 open request of their own, and only admins see user counts."""
    manager_page = signed_in(users[Role.SALES_MANAGER]).get("/")
    kpis = {k["title"]: k["value"] for k in manager_page.context["kpis"]}
    assert kpis == {"Approvals waiting for you": 1, "Your open requests": 0}

    rep_kpis = {
        k["title"]: k["value"] for k in signed_in(users[Role.SALES_REP]).get("/").context["kpis"]
    }
    assert rep_kpis == {"Approvals waiting for you": 0, "Your open requests": 1}

    admin_kpis = {
        k["title"]: k["value"]
        for k in signed_in(users[Role.ADMINISTRATOR]).get("/").context["kpis"]
    }
    assert admin_kpis["Active users"] == 13
    assert admin_kpis["Events waiting for dispatch"] == 1  # the request's event, not yet sent


def test_global_search_finds_records_the_user_may_see(pending, users):
    page = signed_in(users[Role.SALES_MANAGER]).get("/w/search/", {"q": "acme"})
    assert [hit.title for hit in page.context["hits"]] == [str(pending.document_label)]
    # The warehouse clerk is neither requester nor approver: no hit.
    page = signed_in(users[Role.WAREHOUSE_CLERK]).get("/w/search/", {"q": "acme"})
    assert page.context["hits"] == []


def test_command_palette_search_uses_the_same_providers(users):
    response = signed_in(users[Role.ADMINISTRATOR]).get(
        "/search/", {"s": "sales.man", "extended": "1"}
    )
    assert response.status_code == 200
    assert b"sales.manager@example.com" in response.content


def test_manager_approves_from_the_inbox_with_htmx(pending, users):
    client = signed_in(users[Role.SALES_MANAGER])
    inbox = client.get("/w/approvals/")
    assert [row.pk for row in inbox.context["to_decide"]] == [pending.pk]

    row = client.post(f"/w/approvals/{pending.pk}/approve/", HTTP_HX_REQUEST="true")

    assert row.status_code == 200
    assert b'data-testid="approval-status">Approved<' in row.content
    assert b"<html" not in row.content  # only the row, for htmx to swap
    pending.refresh_from_db()
    assert pending.status == "approved"


def test_a_refusal_is_shown_in_the_row_and_changes_nothing(pending, users):
    client = signed_in(users[Role.SALES_MANAGER])
    row = client.post(f"/w/approvals/{pending.pk}/reject/", {"note": ""}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert b"Say why you reject the request." in row.content
    assert ApprovalRequest.objects.get().status == "pending"


def test_a_rep_cannot_decide_from_the_inbox(pending, users):
    response = signed_in(users[Role.SALES_REP]).post(f"/w/approvals/{pending.pk}/approve/")
    assert response.status_code == 403
    assert b"Your role cannot decide approval requests." in response.content
    assert ApprovalRequest.objects.get().status == "pending"


def test_domain_errors_in_admin_actions_become_messages(pending, users):
    """Given a request the manager already rejected; When the manager runs the list's
    'approve' action on it; Then the refusal comes back as a message, not a 500, and
    nothing changes."""
    manager = users[Role.SALES_MANAGER]
    approvals.reject(pending.pk, by=manager, note="Too cheap")
    client = signed_in(manager)
    response = client.post(
        "/core/approvalrequest/",
        {"action": "approve_selected", "_selected_action": [pending.pk]},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert any("only a pending request can be decided" in text for text in texts)
    assert ApprovalRequest.objects.get().status == "rejected"


def test_approvals_inbox_lists_without_n_plus_one(company, users, django_assert_max_num_queries):
    from django.contrib.contenttypes.models import ContentType

    rule = ApprovalRuleFactory(company=company)
    for n in range(25):
        ApprovalRequest.objects.create(
            company=company,
            rule=rule,
            content_type=ContentType.objects.get_for_model(company),
            object_id=str(n),
            document_label=f"Deal {n}",
            action="confirm",
            amount=Decimal("20000"),
            currency="USD",
            requested_by=users[Role.SALES_REP],
        )
    client = signed_in(users[Role.SALES_MANAGER])
    with django_assert_max_num_queries(20):
        response = client.get("/w/approvals/")
    assert len(response.context["to_decide"]) == 25


def test_no_role_sees_two_links_of_the_same_name(users, rf):
    """Given every role; When its sidebar is built; Then each link's title is its own
    (an accountant once saw two 'Dashboard' links, the workspace's and accounting's)."""
    repeated = {}
    for role, user in users.items():
        names = [name for items in titles(user, rf).values() for name in items]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            repeated[role] = twice
    assert repeated == {}
