"""`keel demo`: a deterministic demo company with one user per role who can sign in."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from keel.core.models import Company
from keel.core.tests.invariants import assert_invariants_hold
from keel.users.roles import Role
from keel.web.demo import COMPANY_NAME, DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db


def people():
    return list(
        get_user_model()
        .objects.order_by("username")
        .values_list("username", "first_name", "last_name", "groups__name")
    )


def books():
    """What the accounting demo posted: entries, documents, payments, statements."""
    from keel.accounting.models import BankStatement, Invoice, JournalEntry, Payment

    return (
        JournalEntry.objects.count(),
        Invoice.objects.count(),
        Payment.objects.count(),
        list(BankStatement.objects.values_list("status", flat=True)),
    )


def stock():
    """What the inventory demo moved: warehouses, transfers, valuation layers."""
    from keel.inventory.models import Transfer, ValuationLayer, Warehouse

    return Warehouse.objects.count(), Transfer.objects.count(), ValuationLayer.objects.count()


def test_the_demo_loads_once_signs_in_keeps_every_promise_and_reloads_to_the_same(capsys):
    """Given an empty database; When `keel demo` runs, Then it prints the login, makes
    the demo company with one user per role, its printed login signs in, and `keel
    check` finds every promise kept; When it runs again, Then nothing changes (one
    load for all of it: the demo takes a minute)."""
    # When
    call_command("demo", "--no-serve")
    # Then: the login printed, one user per role
    out = capsys.readouterr().out
    assert "Open   http://127.0.0.1:8000/" in out
    assert f"Log in as  admin / {DEMO_PASSWORD}" in out
    assert list(Company.objects.values_list("name", flat=True)) == [COMPANY_NAME]
    User = get_user_model()
    assert User.objects.count() == len(Role) == 13
    for role, username in DEMO_USERS.items():
        user = User.objects.get(username=username)
        assert [g.name for g in user.groups.all()] == [str(role)]
        assert user.is_staff and not user.is_superuser
    # Purchasing: an order in each state a buyer meets, and an RFQ with three replies.
    from keel.purchasing.models import PurchaseOrder, Rfq

    assert {"confirmed", "done", "received", "to_approve"} <= set(
        PurchaseOrder.objects.values_list("status", flat=True)
    )
    assert Rfq.objects.get().vendors.filter(replied_at__isnull=False).count() == 3
    # And the printed login works
    client = Client()
    page = client.post("/login/", {"username": "admin", "password": DEMO_PASSWORD}, follow=True)
    assert page.status_code == 200
    assert page.context["user"].username == "admin"
    assert client.get("/").status_code == 200
    # And the demo keeps every promise `keel check` verifies
    assert_invariants_hold()
    # When it runs again, Then nothing changes
    first, first_books, first_stock = people(), books(), stock()
    call_command("demo", "--no-serve")
    assert (people(), books(), stock()) == (first, first_books, first_stock)
    # A year of books for the CRM's customers, with last month's statement confirmed.
    assert first_books[1] > 150 and first_books[3] == ["confirmed"]
    # A year of stock in two warehouses, valued exactly as the stock account says.
    assert first_stock[0] == 2 and first_stock[1] > 300
    out = io.StringIO()
    call_command("check-stock-valuation", stdout=out)
    assert "equals the stock account" in out.getvalue()
    # Faker's fixed seed gives the same names on every machine.
    assert User.objects.get(username="admin").get_full_name() == "David Shaw"
    assert User.objects.get(username="sales.rep").get_full_name() == "William Heath"
