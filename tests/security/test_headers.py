"""Every answer carries the security headers: a Content-Security-Policy that lets
nothing load from another origin, and a Permissions-Policy; only the web-to-lead
form, made to be embedded on a company's own site, may be framed elsewhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from keel.users.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("where", ["dashboard", "api", "sign-in"])
def test_every_answer_carries_a_content_security_policy(users, where):
    """When a signed-in user opens the dashboard or the API, or a stranger the sign-in
    Then the answer says: only our own origin, no plugins, framed only by Keel."""
    client = Client()
    if where != "sign-in":
        client.force_login(users[Role.SALES_REP])
    url = {"dashboard": "/", "api": "/api/v1/me/", "sign-in": "/login/"}[where]

    # When
    response = client.get(url)

    # Then
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'; ")
    assert "object-src 'none'" in policy
    assert policy.endswith("frame-ancestors 'self'")
    assert response["Permissions-Policy"].startswith("camera=(self), microphone=()")


def test_the_web_to_lead_form_may_be_framed_by_a_company_site(company):
    """When a visitor's browser loads the web-to-lead form inside a company's site
    Then the policy names no frame ancestors (the form is made to be embedded), and
    still lets nothing load from another origin."""
    response = Client().get(reverse("crm:web-to-lead"))

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors" not in policy
    assert policy.startswith("default-src 'self'; ")
