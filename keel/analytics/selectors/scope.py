"""Who sees which customers and orders in the reports.

Managers and accountants (`sales.view_all_sales`) see every customer and order of
their company. A sales rep sees the customers they own (the party's owner) or have
sold to (they own one of its quotations or orders), and of those only their own
opportunities, quotations and orders; the customer's invoices, balance and credit
are the customer's, shown whole, since the rep must know them to sell.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from keel.parties.models import Party
from keel.sales.models import Quotation, SalesOrder
from keel.sales.selectors import orders_visible_to, quotations_visible_to, sees_all

__all__ = ["customers_visible_to", "orders_visible_to", "quotations_visible_to", "sees_all"]


def customers_visible_to(user) -> QuerySet[Party]:
    """The parties whose customer 360 `user` may open."""
    parties = Party.objects.filter(company_id=user.company_id)
    if sees_all(user):
        return parties
    own_orders = SalesOrder.objects.filter(party=OuterRef("pk"), owner=user)
    own_quotes = Quotation.objects.filter(party=OuterRef("pk"), owner=user)
    return parties.filter(Q(owner=user) | Exists(own_orders) | Exists(own_quotes))
