"""Vendor prices: save one (with its quantity break, validity, lead time, minimum)."""

from __future__ import annotations

import datetime as dt

from keel.core.errors import InvalidInput
from keel.core.models import Company
from keel.core.transactions import atomic_service

from ..models import VendorPrice
from .common import decimal_of, product_of, vendor_of


@atomic_service
def save_vendor_price(
    company: Company,
    *,
    vendor,
    product,
    price,
    currency: str | None = None,
    min_quantity=0,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    lead_days: int = 0,
    minimum_order_quantity=0,
    preferred: bool = False,
    by=None,
) -> VendorPrice:
    """A vendor's price for a product from a quantity on; marked preferred, it makes
    that vendor the product's only preferred one (reorders go there)."""
    vendor = vendor_of(company, vendor)
    product = product_of(company, product, field="product")
    currency = (currency or company.currency).upper()
    if len(currency) != 3:
        raise InvalidInput("A currency is a 3-letter ISO code.", field="currency")
    if valid_from and valid_to and valid_to < valid_from:
        raise InvalidInput("The price must end on or after it starts.", field="valid_to")
    if int(lead_days) < 0:
        raise InvalidInput("A lead time cannot be negative.", field="lead_days")
    row = VendorPrice.objects.create(
        company=company,
        vendor=vendor,
        product=product,
        currency=currency,
        price=decimal_of(price, field="price", allow_zero=True),
        min_quantity=decimal_of(min_quantity, field="min_quantity", allow_zero=True),
        valid_from=valid_from,
        valid_to=valid_to,
        lead_days=int(lead_days),
        minimum_order_quantity=decimal_of(
            minimum_order_quantity, field="minimum_order_quantity", allow_zero=True
        ),
        preferred=preferred,
        created_by=by,
        updated_by=by,
    )
    if preferred:
        VendorPrice.objects.filter(company=company, product=product, preferred=True).exclude(
            vendor=vendor
        ).update(preferred=False)
        VendorPrice.objects.filter(company=company, product=product, vendor=vendor).update(
            preferred=True
        )
    return row
