"""The customer 360 and the trail are one click from the records they are about: the
party, the quotation and the order (their workspace pages' buttons)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_buttons_of_a_party_a_quotation_and_an_order_lead_to_the_analytics(client, sold, rep):
    """Given Ann's customer Acme, her quotation and her order; When she clicks their
    buttons; Then each leads to Acme's 360, and the order's also to its trail."""
    client.force_login(rep)
    order = sold.acme_order
    expected = {
        ("parties_party_customer_360", sold.acme.pk): ("analytics:customer_360", sold.acme.pk),
        ("sales_quotation_customer_360", order.quotation_id): (
            "analytics:customer_360",
            sold.acme.pk,
        ),
        ("sales_salesorder_customer_360", order.pk): ("analytics:customer_360", sold.acme.pk),
        ("sales_salesorder_lead_to_cash_trail", order.pk): ("analytics:order_trail", order.pk),
    }
    for (button, record), (target, target_id) in expected.items():
        # When
        response = client.get(reverse(f"admin:{button}", args=[record]))

        # Then
        assert (response.status_code, response["Location"]) == (
            302,
            reverse(target, args=[target_id]),
        )


def test_a_rep_cannot_follow_a_colleagues_order_button(client, sold, rep):
    """Given Bob's Globex order; When Ann opens its trail button; Then she is refused."""
    client.force_login(rep)
    response = client.get(
        reverse("admin:sales_salesorder_lead_to_cash_trail", args=[sold.globex_order.pk])
    )
    assert response.status_code == 403
