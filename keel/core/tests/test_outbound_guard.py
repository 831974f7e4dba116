"""The SSRF guard (keel.core.http.check_target): the server calls a URL a user gave only
when it is http(s) and its host resolves to the public internet, or the host is listed
in KEEL_OUTBOUND_ALLOWED_HOSTS; checked when a webhook is saved and again before every
delivery."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest
from django.db import transaction

from keel.core.errors import InvalidInput
from keel.core.events import Event, publish
from keel.core.http import Target, check_target
from keel.core.models import WebhookAttempt, WebhookSubscription
from keel.core.services import webhooks
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_allowed(settings):
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://files.example.com/x",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "javascript:alert(1)",
        "http:///no-host",
        "http://example.com:99999/",
    ],
)
def test_a_url_that_is_not_http_is_refused(nothing_allowed, url):
    with pytest.raises(InvalidInput) as refused:
        check_target(url)
    assert (refused.value.code, refused.value.field) == ("invalid_url", "target_url")


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8000/admin", "127.0.0.1"),  # loopback
        ("http://localhost/", None),  # loopback by name
        ("http://[::1]/", "::1"),
        ("http://10.1.2.3/", "10.1.2.3"),  # private
        ("http://172.16.0.9/", "172.16.0.9"),
        ("https://192.168.1.10/", "192.168.1.10"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),  # link-local: cloud metadata
        ("http://[fe80::1]/", "fe80::1"),
        ("http://0.0.0.0/", "0.0.0.0"),  # noqa: S104 (unspecified: a target, not a bind)
        ("http://240.0.0.1/", "240.0.0.1"),  # reserved
        ("http://224.0.0.1/", "224.0.0.1"),  # multicast
        ("http://100.64.0.1/", "100.64.0.1"),  # carrier-grade NAT
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),  # IPv4-mapped loopback
        ("http://[::ffff:10.0.0.1]/", "::ffff:a00:1"),  # IPv4-mapped private
        ("http://[2002:7f00:1::]/", "2002:7f00:1::"),  # 6to4 carrying 127.0.0.1
        ("http://[::127.0.0.1]/", "::7f00:1"),  # IPv4-compatible (reserved ::/8)
        ("http://2130706433/", "127.0.0.1"),  # decimal loopback
        ("http://0177.0.0.1/", "127.0.0.1"),  # octal loopback
        ("http://0x7f.1/", "127.0.0.1"),  # hexadecimal, short form
        ("http://127.1/", "127.0.0.1"),
        ("http://0xa9fea9fe/", "169.254.169.254"),  # cloud metadata, hexadecimal
    ],
)
def test_a_host_resolving_to_a_non_public_address_is_refused(nothing_allowed, url, address):
    with pytest.raises(InvalidInput) as refused:
        check_target(url)
    assert (refused.value.code, refused.value.field) == ("private_target", "target_url")
    assert "KEEL_OUTBOUND_ALLOWED_HOSTS" in refused.value.detail
    if address:
        assert f"resolves to a non-public address ({address})" in refused.value.detail


def test_a_name_that_does_not_resolve_is_refused(nothing_allowed):
    with pytest.raises(InvalidInput) as refused:
        check_target("https://no-such-host.invalid/hook")
    assert refused.value.code == "invalid_url"
    assert refused.value.detail == "no-such-host.invalid cannot be resolved."


def test_a_public_address_passes_and_a_listed_host_passes_whatever_it_resolves_to(settings):
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = ["LocalHost", "10.0.0.7"]
    # The addresses checked are returned: the call connects to those, not to a new look-up.
    assert check_target("https://93.184.215.14/hook") == Target("93.184.215.14", ("93.184.215.14",))
    assert check_target("http://LOCALHOST:9000/hook").host == "localhost"
    assert "127.0.0.1" in check_target("http://localhost:9000/hook").addresses
    assert check_target("http://10.0.0.7/hook") == Target("10.0.0.7", ("10.0.0.7",))
    with pytest.raises(InvalidInput):
        check_target("http://10.0.0.8/hook")


def test_saving_a_webhook_to_a_private_address_is_a_400_at_the_field(
    nothing_allowed, company, users, api_as
):
    """Given no allowed hosts; When an Administrator subscribes the cloud metadata
    address through the API; Then 400 at target_url, and no subscription is stored."""
    response = api_as(users[Role.ADMINISTRATOR]).post(
        "/api/v1/webhook-subscriptions/",
        {"name": "meta", "target_url": "http://169.254.169.254/", "event_types": ["*"]},
        format="json",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("private_target", "target_url")
    assert WebhookSubscription.objects.count() == 0


@dataclasses.dataclass(frozen=True)
class Pinged(Event):
    topic: ClassVar[str] = "test.pinged"
    n: int


def test_delivery_checks_the_target_again(
    settings, company, receiver, django_capture_on_commit_callbacks
):
    """Given a subscription saved while its host was allowed;
    When the host is no longer allowed (as when a name starts resolving to a private
    address) and an event is delivered;
    Then the receiver hears nothing and the attempt records the refusal."""
    subscription = WebhookSubscription(
        company=company, name="local", target_url=receiver.url, event_types=["test.pinged"]
    )
    webhooks.save_subscription(subscription, by=None)
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            publish(Pinged(n=1), company=company)

    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert (attempt.succeeded, attempt.status_code) == (False, None)
    assert attempt.error.startswith("127.0.0.1 resolves to a non-public address (127.0.0.1)")


def test_the_workspace_shows_the_refusal_at_the_target_url_field(nothing_allowed, users):
    """When an Administrator adds a webhook to 10.0.0.5 in the workspace; then the form
    comes back with the SSRF refusal at the target URL and nothing is stored."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(users[Role.ADMINISTRATOR])
    response = client.post(
        reverse("admin:core_webhooksubscription_add"),
        {"name": "intranet", "target_url": "http://10.0.0.5/hook", "event_types": '["*"]'},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["target_url"] == [
        "10.0.0.5 resolves to a non-public address (10.0.0.5); Keel does not call private "
        "networks unless the host is in KEEL_OUTBOUND_ALLOWED_HOSTS."
    ]
    assert WebhookSubscription.objects.count() == 0
