"""CSRF on every form: each page of the workspace (every admin view and action, every
custom page, the public quotation and web-to-lead forms), found from the URL resolver,
refuses a POST that carries no CSRF token with 403, even from a signed-in
Administrator, and nothing changes. The REST API is left out: it takes tokens, and DRF's
SessionAuthentication enforces the CSRF check on session-authenticated writes itself."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse

from keel.users.roles import Role

from .routes import _walk
from .world import build_world, fingerprint

pytestmark = pytest.mark.django_db
NOT_FORMS = ("api:", "schema", "swagger-ui", "redoc")


def _url(name: str, pattern) -> str | None:
    """The page's URL, with an id of 1 (or a made-up token) for each argument."""
    kwargs = {key: "1" for key in pattern.pattern.regex.groupindex}
    for key in kwargs:
        if "token" in key:
            kwargs[key] = "not-a-real-token"
        elif key == "app_label":
            kwargs[key] = "sales"
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def form_pages() -> list[tuple[str, str]]:
    pages = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith(NOT_FORMS) or name in pages:
            continue
        url = _url(name, pattern)
        if url is not None:
            pages[name] = url
    return sorted(pages.items())


def test_every_form_refuses_a_post_without_the_csrf_token(company, users):
    """Given a signed-in Administrator and the access matrix's records
    When their browser is made to POST to each page without the CSRF token (as a forged
    cross-site form would)
    Then every page answers 403 and no record changed."""
    build_world(company, users)
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.ADMINISTRATOR])
    pages = form_pages()
    before = fingerprint()

    answers = {name: client.post(url, {"name": "forged"}).status_code for name, url in pages}

    print(f"\nCSRF: {len(pages)} pages refused a POST without the token")
    assert len(pages) > 200
    assert {name: status for name, status in answers.items() if status != 403} == {}
    assert fingerprint() == before


def test_the_same_post_with_the_token_gets_past_the_check(company, users):
    """The check can fail: with the token, the sign-out form does its work (302)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.ADMINISTRATOR])
    client.get(reverse("admin:index"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("admin:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session
