"""The customer 360 page."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from keel.core.charts import PRIMARY, SECOND, chart_data
from keel.core.db_routing import reads_from_replica
from keel.core.params import date_param

from ..selectors.customer import customer_360 as read_customer_360
from ..selectors.scope import customers_visible_to
from .common import PERM, page_context


@login_required
@permission_required(PERM, raise_exception=True)
@reads_from_replica
def customer_360(request, party_id: int):
    """`?as_of=YYYY-MM-DD`: one customer's contacts, pipeline, documents, balance by
    age, credit, timeline and sales charts. A customer the user may not see is a 404
    (a rep cannot even learn that a colleague's customer exists)."""
    party = get_object_or_404(
        customers_visible_to(request.user).select_related("company", "region", "channel", "owner"),
        pk=party_id,
    )
    as_of = date_param(request.GET.get("as_of")) or timezone.localdate()
    view = read_customer_360(party, request.user, as_of)
    products = view.by_product[:10]
    context = page_context(
        request,
        f"Customer 360: {party.name}",
        view=view,
        party=party,
        currency=party.company.currency,
        revenue=sum((row.revenue for row in view.by_product), Decimal(0)),
        margin=sum((row.margin for row in view.by_product), Decimal(0)),
        product_chart=chart_data(
            [row.label for row in products],
            ("Revenue", [row.revenue for row in products], SECOND),
            ("Margin", [row.margin for row in products], PRIMARY),
        ),
        month_chart=chart_data(
            [row.label for row in view.by_month],
            ("Revenue", [row.revenue for row in view.by_month], SECOND),
            ("Margin", [row.margin for row in view.by_month], PRIMARY),
        ),
    )
    return TemplateResponse(request, "analytics/customer_360.html", context)
