"""The access matrix: every role x every API endpoint and workspace page x (the rep's
own record, a colleague's record, a missing record) is allowed or refused exactly as
the role's definition says (keel/users/roles.py, each domain's GRANTS and object
rules). A rep never sees a colleague's private records; a role without a write
permission (an Auditor above all) is refused with 403 and nothing changes.

Endpoints and pages are found from the URL resolver and the admin registry: a new
one is covered without editing this file."""

from __future__ import annotations

import pytest
import rules
from django.test import Client
from django.urls import reverse
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from keel.users.roles import Role

from .routes import admin_models, api_routes, custom_pages
from .world import MISSING_PK, build_world, fingerprint

pytestmark = pytest.mark.django_db
WRITE_METHODS = ("post", "put", "patch", "delete")
# Pages open to the public by design: the web-to-lead form a company embeds on its site.
# Open by design: the web-to-lead form, and the health check load balancers call
# (it says only whether the database answers and is migrated).
PUBLIC_PAGES = {"crm:web-to-lead", "crm:web-to-lead-thanks", "healthz"}


@pytest.fixture
def world(company, users):
    return build_world(company, users)


def _sees_all_sales(user, record) -> bool:
    return record.owner_id == user.pk or user.has_perm("sales.view_all_sales")


def _sees_invoice_side(user, invoice) -> bool:
    side = "view_customer_invoices" if invoice.is_customer else "view_vendor_bills"
    return user.has_perm(f"accounting.{side}")


# Scoping the domains define in their permissions (not as django-rules object rules):
# a rep sees their own quotations and orders (keel/sales/permissions.py), invoices are
# seen by side (keel/accounting/permissions.py).
SCOPES = {
    "sales.quotation": _sees_all_sales,
    "sales.salesorder": _sees_all_sales,
    "accounting.invoice": _sees_invoice_side,
}


def is_scoped(model, perm: str | None) -> bool:
    return bool(perm) and (rules.perm_exists(perm) or model._meta.label_lower in SCOPES)


def may(user, perm: str | None, record=None) -> bool:
    """What the role's definition says: the model permission, then the object rule and
    the domain's scoping of records."""
    if perm is None or not user.has_perm(perm):
        return False
    if record is None:
        return True
    scope = SCOPES.get(type(record)._meta.label_lower)
    if scope is not None and not scope(user, record):
        return False
    return not rules.perm_exists(perm) or user.has_perm(perm, record)


class Matrix:
    """Counts the cells checked and collects every cell that breaks the definition."""

    def __init__(self):
        self.cells = 0
        self.leaks: list[str] = []
        self.errors: list[str] = []

    def check(self, cell: str, status: int, allowed: bool, refused=(403, 404), passed=(200,)):
        """`passed`: the answers that show the role got through (a 400 for a missing
        query parameter is past the permission check)."""
        self.cells += 1
        if status >= 500:
            self.errors.append(f"{cell}: {status}")
        elif allowed and status not in passed:
            self.errors.append(f"{cell}: allowed but got {status}")
        elif not allowed and status not in refused:
            self.leaks.append(f"{cell}: refused but got {status}")

    def assert_clean(self, what: str):
        print(f"\naccess matrix ({what}): {self.cells} cells checked, {len(self.leaks)} leaks")
        assert self.cells > 0
        assert self.leaks == [], "\n".join(self.leaks)
        assert self.errors == [], "\n".join(self.errors)


def _ids(payload) -> set:
    rows = payload.get("results", payload) if isinstance(payload, dict) else payload
    if not isinstance(rows, list):
        return set()
    return {row["id"] for row in rows if isinstance(row, dict) and "id" in row}


def test_every_role_reads_through_the_api_exactly_what_its_definition_allows(world):
    """Given a user per role, and a rep's and a colleague's record of every owned kind
    When each role lists and opens every API endpoint (own, colleague's, missing record)
    Then each answer is 200 where the role may read, 403/404 where not, and no list
    holds a record the role may not see."""
    matrix = Matrix()
    routes = [r for r in api_routes() if "get" in r.actions or not r.actions]
    for role, user in world.users.items():
        client = APIClient()
        client.force_authenticate(user)
        for route in routes:
            if route.model is None or route.kwargs not in ((), ("pk",)):
                continue
            perm = route.perm("get")
            public = getattr(route.view, "public_to_signed_in", False)
            if not route.is_detail:
                # When the role lists the endpoint
                response = client.get(reverse(route.name))
                matrix.check(
                    f"{role} GET {route.name}",
                    response.status_code,
                    public or may(user, perm),
                    passed=(200, 400, 404),  # a lookup that finds nothing is a 404
                )
                if response.status_code == 200 and is_scoped(route.model, perm):
                    # Then no listed record is one the role may not see
                    shown = route.model._default_manager.filter(pk__in=_ids(response.json()))
                    for record in shown:
                        if not may(user, perm, record):
                            matrix.leaks.append(f"{role} GET {route.name} lists {record!r}")
                continue
            # When the role opens the rep's, the colleague's and a missing record
            for which, record in world.records_of(route.model).items():
                response = client.get(reverse(route.name, kwargs={"pk": record.pk}))
                allowed = public or may(user, perm, record)
                matrix.check(
                    f"{role} GET {route.name} ({which})",
                    response.status_code,
                    allowed,
                    passed=(200, 400),
                )
            response = client.get(reverse(route.name, kwargs={"pk": MISSING_PK}))
            matrix.check(f"{role} GET {route.name} (missing)", response.status_code, False)
    matrix.assert_clean("API reads")


def _open_by_design(view) -> bool:
    classes = tuple(view.permission_classes)
    return not classes or AllowAny in classes


def test_every_api_write_a_role_does_not_hold_is_refused_and_changes_nothing(world):
    """Given every role, and every API endpoint that accepts a write
    When a role without the write permission (an Auditor above all) posts, puts,
    patches or deletes, on its own record, a colleague's or the collection
    Then the answer is 403 every time and not one row of the database changed."""
    matrix = Matrix()
    before = fingerprint()
    for role, user in world.users.items():
        client = APIClient()
        client.force_authenticate(user)
        for route in api_routes():
            if route.kwargs not in ((), ("pk",)) or _open_by_design(route.view):
                continue  # signing in (auth/token) is open by design
            for method in WRITE_METHODS:
                if route.actions and method not in route.actions:
                    continue
                if not route.actions and not hasattr(route.view, method):
                    continue
                perm = route.perm(method)
                if may(user, perm) or (
                    perm is None and route.model is None and role == Role.ADMINISTRATOR
                ):
                    continue  # the role holds the write: the domain tests prove it works
                targets = [None]
                if route.is_detail:
                    targets = (
                        [r.pk for r in world.records_of(route.model).values()]
                        if route.model
                        else []
                    )
                for pk in targets:
                    url = reverse(route.name, kwargs={"pk": pk} if pk else {})
                    response = getattr(client, method)(url, {}, format="json")
                    matrix.check(
                        f"{role} {method.upper()} {url}",
                        response.status_code,
                        False,
                        refused=(403,),
                    )
    # Then nothing changed
    assert fingerprint() == before
    matrix.assert_clean("API writes refused")


def _admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _holds_any(user, model, *verbs) -> bool:
    opts = model._meta
    return any(user.has_perm(f"{opts.app_label}.{verb}_{opts.model_name}") for verb in verbs)


def test_every_role_opens_exactly_the_workspace_pages_its_definition_allows(world):
    """Given a user per role, and a rep's and a colleague's record of every owned kind
    When each role opens every list and record page of the workspace, and every page
    of the workspace's own (dashboards, reports, customer 360 lists)
    Then a list opens where the role may view the model and is refused (403) where not,
    a record opens only where its object rule and scoping allow, a missing record is
    never shown, and no page answers 500."""
    matrix = Matrix()
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        for model, _model_admin in admin_models():
            # When the role opens the list
            may_list = _holds_any(user, model, "view", "change")
            response = client.get(_admin_url(model, "changelist"))
            matrix.check(f"{role} list {model._meta.label}", response.status_code, may_list)
            # When the role opens the rep's, the colleague's and a missing record
            perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
            for which, record in world.records_of(model).items():
                allowed = may_list and (may(user, perm, record) or _may_change(user, model, record))
                response = client.get(_admin_url(model, "change", record.pk))
                matrix.check(
                    f"{role} open {model._meta.label} ({which})",
                    response.status_code,
                    allowed,
                    refused=(302, 403, 404),  # the admin sends you back when it finds no record
                )
            response = client.get(_admin_url(model, "change", MISSING_PK))
            matrix.check(
                f"{role} open {model._meta.label} (missing)",
                response.status_code,
                False,
                refused=(302, 403, 404),
            )
    matrix.assert_clean("workspace pages")


def test_the_workspace_own_pages_answer_every_role_and_turn_away_strangers(world):
    """Given the workspace's own pages (dashboards, reports, analyses)
    When someone not signed in opens them, and then each role does
    Then the stranger is sent to sign in, and no role meets a 500."""
    matrix = Matrix()
    stranger = Client()
    for name in custom_pages():
        if name in PUBLIC_PAGES:
            continue
        response = stranger.get(reverse(name))
        matrix.check(f"stranger page {name}", response.status_code, False, refused=(302, 403))
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        for name in custom_pages():
            response = client.get(reverse(name))
            matrix.check(f"{role} page {name}", response.status_code, True, passed=range(200, 500))
    matrix.assert_clean("workspace own pages")


def test_a_stranger_is_refused_by_every_api_endpoint(world):
    """When someone not signed in calls every API endpoint (but signing in itself)
    Then each answer is 401 or 403."""
    matrix = Matrix()
    client = APIClient()
    for route in api_routes():
        if route.kwargs not in ((), ("pk",)) or _open_by_design(route.view):
            continue
        url = reverse(route.name, kwargs={"pk": MISSING_PK} if route.is_detail else {})
        for method in route.actions or {"get": None}:
            response = getattr(client, method)(url, {}, format="json")
            matrix.check(
                f"stranger {method.upper()} {url}", response.status_code, False, refused=(401, 403)
            )
    matrix.assert_clean("strangers")


def _may_change(user, model, record) -> bool:
    return may(user, f"{model._meta.app_label}.change_{model._meta.model_name}", record)


def test_every_page_write_a_role_does_not_hold_is_refused_and_changes_nothing(world):
    """Given every role, and every add, change and delete page of the workspace
    When a role without that permission (an Auditor above all) submits the form, on
    the rep's record, a colleague's record or a new one
    Then the answer is 403 every time and not one row of the database changed."""
    matrix = Matrix()
    clients = {}
    for role, user in world.users.items():
        clients[role] = Client()
        clients[role].force_login(user)  # signing in writes last_login: before the fingerprint
    before = fingerprint()
    for role, user in world.users.items():
        client = clients[role]
        for model, _model_admin in admin_models():
            records = list(world.records_of(model).values())
            forms = [("add", "add", ())]
            forms += [("change", "change", (r.pk,)) for r in records]
            forms += [("delete", "delete", (r.pk,)) for r in records]
            for verb, view, args in forms:
                if _holds_any(user, model, verb):
                    continue  # the role holds the write: the domain tests prove it works
                url = _admin_url(model, view, *args)
                response = client.post(url, {"post": "yes"})
                matrix.check(f"{role} POST {url}", response.status_code, False, refused=(403,))
    # Then nothing changed
    assert fingerprint() == before
    matrix.assert_clean("page writes refused")
