"""Every role against a sample of API endpoints and workspace pages: allowed or refused
exactly as the role's definition says."""

from __future__ import annotations

import pytest
from django.test import Client

from keel.core.models import WebhookSubscription
from keel.users.roles import Role

pytestmark = pytest.mark.django_db

R = Role
EVERYONE = set(Role)
ADMINS_AND_AUDITORS = {R.ADMINISTRATOR, R.AUDITOR}
APPROVERS = {R.ADMINISTRATOR, R.AUDITOR, R.SALES_MANAGER, R.ACCOUNTANT}
WAREHOUSE = {R.ADMINISTRATOR, R.AUDITOR, R.WAREHOUSE_CLERK}
STOCK_READERS = WAREHOUSE | {R.SALES_REP, R.SALES_MANAGER}
# Accountants see transfers: the receipts they land freight and duty on.
TRANSFER_READERS = STOCK_READERS | {R.ACCOUNTANT}
LANDED_COST_READERS = WAREHOUSE | {R.ACCOUNTANT}

# (method, path, roles allowed). Allowed means 2xx; refused means 403.
API_MATRIX = [
    ("get", "/api/v1/me/", EVERYONE),
    ("get", "/api/v1/companies/", EVERYONE),
    ("get", "/api/v1/approval-requests/", EVERYONE),
    ("get", "/api/v1/approval-rules/", APPROVERS),
    ("get", "/api/v1/users/", ADMINS_AND_AUDITORS),
    ("get", "/api/v1/webhook-subscriptions/", ADMINS_AND_AUDITORS),
    ("get", "/api/v1/webhook-deliveries/", ADMINS_AND_AUDITORS),
    ("get", "/api/v1/status-changes/", ADMINS_AND_AUDITORS),
    ("post", "/api/v1/webhook-subscriptions/", {R.ADMINISTRATOR}),
    ("get", "/api/v1/stock-levels/", STOCK_READERS),
    ("get", "/api/v1/transfers/", TRANSFER_READERS),
    ("get", "/api/v1/warehouses/", WAREHOUSE),
    ("get", "/api/v1/putaway-rules/", WAREHOUSE),
    ("get", "/api/v1/inventory-counts/", WAREHOUSE),
    ("get", "/api/v1/landed-costs/", LANDED_COST_READERS),
]

UI_MATRIX = [
    ("/", EVERYONE),
    ("/w/approvals/", EVERYONE),
    ("/w/search/?q=ad", EVERYONE),
    ("/core/approvalrequest/", EVERYONE),
    ("/core/approvalrule/", APPROVERS),
    ("/users/user/", ADMINS_AND_AUDITORS),
    ("/auth/group/", ADMINS_AND_AUDITORS),
    ("/core/webhooksubscription/", ADMINS_AND_AUDITORS),
    ("/core/webhooksubscription/add/", {R.ADMINISTRATOR}),
    ("/core/outboxevent/", ADMINS_AND_AUDITORS),
    ("/inventory/transfer/", TRANSFER_READERS),
    ("/inventory/stocklevel/", STOCK_READERS),
    ("/inventory/warehouse/", WAREHOUSE),
]


def _cases(matrix):
    for *request, allowed in matrix:
        for role in Role:
            yield pytest.param(*request, role, role in allowed, id=f"{request[-1]}-{role.name}")


@pytest.mark.parametrize(("method", "path", "role", "allowed"), list(_cases(API_MATRIX)))
def test_api_access(method, path, role, allowed, users, api_as):
    client = api_as(users[role])
    before = WebhookSubscription.objects.count()
    body = {"name": "Bridge", "target_url": "http://127.0.0.1:9000/h", "event_types": ["*"]}
    response = getattr(client, method)(path, body if method == "post" else None, format="json")
    if allowed:
        assert 200 <= response.status_code < 300, response.content
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert WebhookSubscription.objects.count() == before


@pytest.mark.parametrize(("path", "role", "allowed"), list(_cases(UI_MATRIX)))
def test_workspace_access(path, role, allowed, users):
    client = Client()
    client.force_login(users[role])
    response = client.get(path)
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("path", [path for path, _ in UI_MATRIX])
def test_anonymous_visitors_are_sent_to_login(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_an_auditor_reads_but_never_writes(users, api_as):
    client = api_as(users[R.AUDITOR])
    assert client.get("/api/v1/webhook-subscriptions/").status_code == 200
    response = client.post(
        "/api/v1/webhook-subscriptions/",
        {"name": "x", "target_url": "http://127.0.0.1:1/", "event_types": ["*"]},
        format="json",
    )
    assert response.status_code == 403
    assert WebhookSubscription.objects.count() == 0


def test_a_rep_sees_their_own_requests_and_not_a_colleagues(company, users, api_as):
    """Given two Sales Reps who each asked for approval; Then each lists only their own,
    a colleague's is 404, and the Sales Manager (the approver) sees both."""
    from decimal import Decimal

    from keel.core.services import approvals
    from keel.core.tests.factories import ApprovalRuleFactory
    from keel.users.tests.factories import user_with_role

    ApprovalRuleFactory(company=company)
    colleague = user_with_role(R.SALES_REP, username="colleague.rep", company=company)
    mine = approvals.request_approval(
        company=company,
        document=company,
        action="confirm",
        amount=Decimal("20000"),
        currency="USD",
        requested_by=users[R.SALES_REP],
    )
    # The colleague's request is about another document of the same type.
    from keel.core.tests.factories import CompanyFactory

    other_deal = CompanyFactory(name="Other Deal Co")
    theirs = approvals.request_approval(
        company=company,
        document=other_deal,
        action="confirm",
        amount=Decimal("30000"),
        currency="USD",
        requested_by=colleague,
    )

    rep_client = api_as(users[R.SALES_REP])
    listed = [row["id"] for row in rep_client.get("/api/v1/approval-requests/").json()["results"]]
    assert listed == [mine.pk]
    assert rep_client.get(f"/api/v1/approval-requests/{theirs.pk}/").status_code == 404
    manager_rows = api_as(users[R.SALES_MANAGER]).get("/api/v1/approval-requests/").json()
    assert sorted(row["id"] for row in manager_rows["results"]) == sorted([mine.pk, theirs.pk])
