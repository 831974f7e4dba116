"""Hostile markup in a customer's name never runs in a real browser, under the
workspace's Content-Security-Policy, and the pages still work under that policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from keel.sales.tests.factories import customer
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = "Acme <img src=x onerror=\"alert('xss')\"><script>alert('xss')</script>"


def test_a_script_in_a_customer_name_never_runs(page, live_server, log_in, company):
    """Given a customer named with an <img onerror> and a <script> payload
    When an administrator opens the parties list and the party's page
    Then no dialog ever opens, the name shows as text, and the browser reports no
    content-security-policy violation (the workspace's own scripts all load)."""
    # Given
    admin = user_with_role(Role.ADMINISTRATOR, company=company)
    party = customer(company, PAYLOAD)
    dialogs, violations = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # When
    log_in(admin, PASSWORD)
    page.goto("/parties/party/?q=Acme")
    expect(page.get_by_text(PAYLOAD).first).to_be_visible()
    page.goto(f"/parties/party/{party.pk}/change/")
    expect(page.locator("input[name=name]")).to_have_value(PAYLOAD)

    # Then
    assert dialogs == []
    assert violations == []
