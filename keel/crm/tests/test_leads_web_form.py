"""The public web-to-lead form: validation at the field, honeypot, rate limit, CSRF."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from keel.crm.models import Lead

pytestmark = pytest.mark.django_db
URL = "/w/crm/web-to-lead/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit(company):
    cache.clear()


def test_the_form_opens_without_signing_in_and_carries_utm_tags():
    response = Client().get(URL + "?utm_source=ads&utm_campaign=fall")

    assert response.status_code == 200
    assert b'name="utm_source" value="ads"' in response.content
    assert b'name="utm_campaign" value="fall"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_missing_email_and_oversize_fields_are_refused_at_the_field():
    """Given a visitor who leaves the e-mail out and types a 101-character first name;
    When they send the form; Then each field says what is wrong and no lead exists."""
    response = Client().post(URL, {"first_name": "x" * 101, "last_name": "Roe"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {
        "email": ["Enter your e-mail address so we can reply."],
        "first_name": ["Ensure this value has at most 100 characters (it has 101)."],
    }
    assert b'id="id_email-error" role="alert">Enter your e-mail address so we can reply.' in (
        response.content
    )
    assert Lead.objects.count() == 0


def test_a_bad_email_and_website_say_so():
    response = Client().post(URL, {"email": "nope", "website": "not a site"})

    assert response.context["form"].errors == {
        "email": ["Enter a valid e-mail address, like name@example.com."],
        "website": ["Enter a valid URL."],
    }


def test_a_filled_honeypot_looks_like_success_and_creates_nothing():
    response = Client().post(URL, {"email": "bot@spam.example", "nickname": "buy now"})

    assert response.status_code == 302
    assert response["Location"] == "/w/crm/web-to-lead/thanks/"
    assert Lead.objects.count() == 0


def test_the_eleventh_post_in_a_minute_is_answered_429(settings):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(10):
        assert client.post(URL, {"email": f"p{n}@example.com"}).status_code == 302

    response = client.post(URL, {"email": "p11@example.com"})

    assert response.status_code == 429
    assert b"Too many submissions from your address. Please wait a minute" in response.content
    assert Lead.objects.count() == 10
    other = Client(REMOTE_ADDR="203.0.113.10").post(URL, {"email": "other@example.com"})
    assert other.status_code == 302


def test_a_post_without_the_csrf_token_is_refused():
    response = Client(enforce_csrf_checks=True).post(URL, {"email": "a@example.com"})

    assert response.status_code == 403
    assert Lead.objects.count() == 0


def test_the_thank_you_page_is_public():
    response = Client().get("/w/crm/web-to-lead/thanks/")

    assert response.status_code == 200
    assert b"Thank you" in response.content
