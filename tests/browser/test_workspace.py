"""The workspace in a real browser: signing in, the sidebar per role, the htmx approvals inbox."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from keel.core.models import ApprovalRequest
from keel.core.services.approvals import request_approval
from keel.core.tests.factories import ApprovalRuleFactory
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sidebar_links(page) -> list[str]:
    """The labels of the sidebar's links, in order (icons left out)."""
    labels = page.locator("#nav-sidebar-apps li a > span:not(.material-symbols-outlined)")
    return [label.strip() for label in labels.all_inner_texts()]


def sidebar_groups(page) -> list[str]:
    return [title.strip() for title in page.locator("#nav-sidebar-apps h2").all_inner_texts()]


def test_sales_rep_logs_in_and_sees_dashboard_and_allowed_navigation(
    page, live_server, log_in, company, doc_screenshot
):
    """A Sales Rep signs in and sees their dashboard and only what their role allows.

    Given a Sales Rep of a company (and an Administrator they must not see listed),
    When they sign in through the real login form,
    Then the dashboard greets them with their role, the sidebar offers the approvals
    pages but no integration or administration page, and the user list refuses them.
    """
    # Given
    rep = user_with_role(Role.SALES_REP, company=company, first_name="Rita", last_name="Rep")
    user_with_role(Role.ADMINISTRATOR, username="the.admin", company=company)

    # When
    log_in(rep, PASSWORD)

    # Then: the dashboard, styled by unfold's CSS, names their role
    expect(page).to_have_url(f"{live_server.url}/")
    assert page.evaluate("getComputedStyle(document.getElementById('nav-sidebar')).position") == (
        "fixed"
    )
    expect(page.get_by_test_id("roles")).to_have_text("Your roles: Sales Rep")
    expect(page.get_by_role("heading", name="Welcome, Rita Rep")).to_be_visible()
    # And: the sidebar holds exactly what a Sales Rep may open
    assert sidebar_groups(page) == [
        "Workspace",
        "Parties",
        "Products",
        "CRM",
        "Inventory",
        "Sales",
        "Analytics",
        "Approvals",
        "Integrations",
    ]
    links = sidebar_links(page)
    assert links == [
        "Dashboard",
        "Approvals inbox",
        "Parties",
        "Regions",
        "Sales channels",
        "Industries",
        "Tags",
        "Customer groups",
        "Products",
        "Product categories",
        "Price lists",
        "Price groups",
        "Units of measure",
        "Pipeline board",
        "My activities",
        "CRM dashboard",
        "Leads",
        "Opportunities",
        "Activities",
        "Pipelines",
        "Sales targets",
        "Transfers",
        "Stock on hand",
        "Stock by location",
        "Move history",
        "Stock forecast",
        "Below minimum",
        "Replenishment rules",
        "Quotations",
        "Sales orders",
        "Sales analysis",
        "Lead-to-cash time",
        "Approval requests",
        "API documentation",
    ]
    for hidden in ("Webhook subscriptions", "Users", "Number series", "Approval rules"):
        assert hidden not in links
    doc_screenshot("dashboard-sales-rep")

    # And: typing the user list's address is refused, and no user is listed
    response = page.goto("/users/user/")
    assert response.status == 403
    expect(page.locator("#result_list")).to_have_count(0)
    expect(page.get_by_text("the.admin")).to_have_count(0)


@pytest.fixture
def pending_request(company):
    """A 12,500.00 USD "confirm" a Sales Rep asked for, above a Sales Manager's 10,000 rule."""
    ApprovalRuleFactory(company=company)  # Sales Manager, from 10,000.00, on companies
    rep = user_with_role(Role.SALES_REP, company=company, first_name="Rita", last_name="Rep")
    return request_approval(
        company=company,
        document=company,
        action="confirm",
        amount=Decimal("12500.00"),
        currency="USD",
        requested_by=rep,
    )


def open_inbox(page, log_in, company):
    manager = user_with_role(
        Role.SALES_MANAGER, company=company, first_name="Max", last_name="Manager"
    )
    log_in(manager, PASSWORD)
    page.get_by_role("link", name="Approvals inbox").click()
    expect(page.get_by_test_id("approvals-inbox")).to_be_visible()
    # htmx and Alpine both came from unfold's static files and started
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.Alpine") == "object"
    # A marker that only survives if the page is never reloaded
    page.evaluate("window.__keelNoReload = 'still here'")
    return manager


def test_manager_approves_from_inbox_with_htmx(
    page, log_in, company, pending_request, doc_screenshot
):
    """A Sales Manager approves a large deal from the inbox; only the row changes.

    Given a pending 12,500.00 USD request a Sales Rep made under a Sales Manager rule,
    When the Sales Manager opens the approvals inbox and clicks Approve,
    Then htmx swaps that row to "Approved" without reloading the page,
    and the request is approved in the database, decided by the manager.
    """
    # Given
    manager = open_inbox(page, log_in, company)
    row = page.locator(f"#approval-{pending_request.pk}")
    expect(row.get_by_test_id("approval-status")).to_have_text("Pending")
    expect(row.locator("td").nth(2)).to_have_text("12500.00 USD")
    doc_screenshot("approvals-inbox")

    # When
    with page.expect_response(f"**/w/approvals/{pending_request.pk}/approve/") as answer:
        row.get_by_role("button", name="Approve", exact=True).click()

    # Then: the row changed in place
    assert answer.value.status == 200
    expect(row.get_by_test_id("approval-status")).to_have_text("Approved")
    expect(row.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    assert page.evaluate("window.__keelNoReload") == "still here"
    # And: the database agrees
    pending_request.refresh_from_db()
    assert pending_request.status == ApprovalRequest.Status.APPROVED
    assert pending_request.decided_by == manager


def test_manager_rejecting_without_a_reason_is_refused_in_the_row(
    page, log_in, company, pending_request
):
    """Rejecting needs a reason; the refusal shows in the row and nothing changes.

    Given a pending request in the Sales Manager's inbox,
    When they open the reject form and submit it with no reason,
    Then the row says "Say why you reject the request." without a page reload,
    and the request is still pending in the database.
    """
    # Given
    open_inbox(page, log_in, company)
    row = page.locator(f"#approval-{pending_request.pk}")

    # When
    row.get_by_role("button", name="Reject…").click()
    expect(row.get_by_label("Reason for rejecting")).to_be_visible()
    with page.expect_response(f"**/w/approvals/{pending_request.pk}/reject/") as answer:
        row.get_by_role("button", name="Reject", exact=True).click()

    # Then
    assert answer.value.status == 200
    expect(row.get_by_test_id("approval-error")).to_have_text("Say why you reject the request.")
    expect(row.get_by_test_id("approval-status")).to_have_text("Pending")
    assert page.evaluate("window.__keelNoReload") == "still here"
    # And: nothing changed
    pending_request.refresh_from_db()
    assert pending_request.status == ApprovalRequest.Status.PENDING
    assert pending_request.decided_by is None
    assert pending_request.decision_note == ""
