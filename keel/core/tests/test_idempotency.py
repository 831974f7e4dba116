"""Idempotency-Key: a replayed request has exactly one effect."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from keel.core.models import WebhookSubscription
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    """A session-signed client, as the workspace's own pages and scripts call the API."""
    client = APIClient()
    client.force_login(user)
    return client


BODY = {"name": "Bridge", "target_url": "http://127.0.0.1:9000/h", "event_types": ["*"]}


def test_the_same_action_replayed_ten_times_has_one_effect(users):
    """Given an integration that retries its POST ten times with one key; Then one
    subscription exists and every answer is the first one, marked as replayed."""
    client = signed_in(users[Role.ADMINISTRATOR])
    answers = [
        client.post(
            "/api/v1/webhook-subscriptions/",
            BODY,
            format="json",
            HTTP_IDEMPOTENCY_KEY="create-bridge-1",
        )
        for _ in range(10)
    ]
    assert WebhookSubscription.objects.count() == 1
    assert {a.status_code for a in answers} == {201}
    assert {a.json()["id"] for a in answers} == {WebhookSubscription.objects.get().pk}
    assert [a.get("Idempotent-Replayed") for a in answers] == [None] + ["true"] * 9


def test_without_a_key_each_post_acts(users):
    client = signed_in(users[Role.ADMINISTRATOR])
    client.post("/api/v1/webhook-subscriptions/", BODY, format="json")
    client.post("/api/v1/webhook-subscriptions/", BODY, format="json")
    assert WebhookSubscription.objects.count() == 2


def test_a_key_reused_for_another_request_is_refused(users):
    client = signed_in(users[Role.ADMINISTRATOR])
    client.post("/api/v1/webhook-subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    other = client.post(
        "/api/v1/webhook-subscriptions/",
        {**BODY, "name": "Other"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert list(WebhookSubscription.objects.values_list("name", flat=True)) == ["Bridge"]


def test_keys_are_scoped_to_the_caller(users):
    signed_in(users[Role.ADMINISTRATOR]).post(
        "/api/v1/webhook-subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    from keel.users.tests.factories import user_with_role

    second_admin = user_with_role(Role.ADMINISTRATOR, username="admin2")
    signed_in(second_admin).post(
        "/api/v1/webhook-subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert WebhookSubscription.objects.count() == 2


def test_token_clients_are_covered_too(users):
    token = Token.objects.create(user=users[Role.ADMINISTRATOR])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for _ in range(3):
        client.post(
            "/api/v1/webhook-subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="tok-1"
        )
    assert WebhookSubscription.objects.count() == 1


def test_a_refusal_is_replayed_as_the_same_refusal(users):
    client = signed_in(users[Role.AUDITOR])
    answers = [
        client.post("/api/v1/webhook-subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [403, 403]
    assert WebhookSubscription.objects.count() == 0
