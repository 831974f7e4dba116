"""Warehouses, their location trees, the company's virtual locations, and lots."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from keel.core.errors import InvalidInput
from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.products.models import Product

from ..errors import DuplicateCode, InvalidLocation, LotRequired
from ..models import Location, Lot, Warehouse

U = Location.Usage
# The company's virtual locations: (parent, name, usage, allow_negative).
VIRTUAL = [
    ("Partners", "Suppliers", U.SUPPLIER),
    ("Partners", "Customers", U.CUSTOMER),
    ("Virtual", "Inventory loss", U.INVENTORY_LOSS),
    ("Virtual", "Production", U.PRODUCTION),
    ("Virtual", "Transit", U.TRANSIT),
]


def _place(location: Location) -> None:
    parent = location.parent
    location.path = f"{parent.path if parent else '/'}{location.pk}/"
    location.full_name = f"{parent.full_name}/{location.name}" if parent else location.name


def _get_or_create(company: Company, parent: Location | None, name: str, **fields) -> Location:
    full_name = f"{parent.full_name}/{name}" if parent else name
    found = Location.objects.filter(company=company, full_name=full_name).first()
    return found or create_location(company, name=name, parent=parent, **fields)


@atomic_service
def create_location(
    company: Company,
    *,
    name: str,
    parent: Location | None = None,
    usage: str = U.INTERNAL,
    allow_negative: bool = False,
    warehouse: Warehouse | None = None,
    by=None,
) -> Location:
    """A new location under `parent` (a bin under WH/Stock, say); its full name is the
    chain of names ('WH/Stock/Shelf 1'), unique in the company."""
    name = (name or "").strip()
    if not name or "/" in name:
        raise InvalidInput("A location needs a name without '/'.", field="name")
    if usage not in U.values:
        raise InvalidInput(f"Unknown usage '{usage}'.", field="usage")
    if parent is not None and parent.company_id != company.pk:
        raise InvalidLocation(f"{parent} belongs to another company.", field="parent")
    if parent is not None and not parent.active:
        raise InvalidLocation(f"{parent} is archived.", field="parent")
    full_name = f"{parent.full_name}/{name}" if parent else name
    if Location.objects.filter(company=company, full_name=full_name).exists():
        raise DuplicateCode(f"A location '{full_name}' exists.", field="name")
    location = Location(
        company=company,
        name=name,
        parent=parent,
        usage=usage,
        allow_negative=allow_negative,
        warehouse=warehouse or (parent.warehouse if parent else None),
        created_by=by,
        updated_by=by,
    )
    location.save()
    _place(location)
    location.save(update_fields=["path", "full_name"])
    return location


@atomic_service
def ensure_locations(company: Company) -> dict[str, Location]:
    """The company's virtual locations (Partners/Suppliers, Partners/Customers,
    Virtual/Inventory loss, Virtual/Production, Virtual/Transit), created if missing;
    keyed by usage."""
    made: dict[str, Location] = {}
    for parent_name, name, usage in VIRTUAL:
        parent = _get_or_create(company, None, parent_name, usage=U.VIEW)
        made[usage] = _get_or_create(company, parent, name, usage=usage)
    return made


def virtual_location(company: Company, usage: str) -> Location:
    """The company's virtual location of `usage` (Partners/Suppliers …), in one query
    once it exists."""
    full_name = next(f"{parent}/{name}" for parent, name, u in VIRTUAL if u == usage)
    found = Location.objects.filter(company=company, full_name=full_name).first()
    return found or ensure_locations(company)[usage]


@atomic_service
def create_warehouse(company: Company, *, code: str, name: str, by=None) -> Warehouse:
    """A warehouse with its tree CODE (view) / CODE/Stock (internal), and the company's
    virtual locations if they are missing."""
    code = (code or "").strip().upper()
    if not code or "/" in code or len(code) > 10:
        raise InvalidInput("A warehouse code is 1 to 10 characters without '/'.", field="code")
    if Warehouse.objects.filter(company=company, code=code).exists():
        raise DuplicateCode(f"A warehouse with code {code} exists.", field="code")
    if Location.objects.filter(company=company, full_name=code).exists():
        raise DuplicateCode(f"A location named {code} exists already.", field="code")
    ensure_locations(company)
    warehouse = Warehouse.objects.create(
        company=company, code=code, name=name.strip() or code, created_by=by, updated_by=by
    )
    view = create_location(company, name=code, usage=U.VIEW, warehouse=warehouse, by=by)
    stock = create_location(company, name="Stock", parent=view, warehouse=warehouse, by=by)
    warehouse.view_location, warehouse.stock_location = view, stock
    warehouse.save(update_fields=["view_location", "stock_location"])
    return warehouse


def lot_for(
    product: Product,
    name: str | None,
    *,
    expiry_date: dt.date | None = None,
    received_at: dt.datetime | None = None,
) -> Lot | None:
    """The lot or serial `name` of `product`, created on first receipt (dated
    `received_at`, by default now). Untracked products have no lot; tracked ones
    must name one."""
    name = (name or "").strip()
    if product.tracking == Product.Tracking.NONE:
        if name:
            raise InvalidInput(f"{product} is not tracked by lot or serial.", field="lot")
        return None
    if not name:
        kind = "serial number" if product.tracking == Product.Tracking.SERIAL else "lot"
        raise LotRequired(f"{product} needs a {kind} on every line.", field="lot")
    found = Lot.objects.filter(product=product, name=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Lot.objects.create(
                company_id=product.company_id,
                product=product,
                name=name,
                kind=Lot.Kind.SERIAL
                if product.tracking == Product.Tracking.SERIAL
                else Lot.Kind.LOT,
                expiry_date=expiry_date,
                received_at=received_at or timezone.now(),
            )
    except IntegrityError:  # created by a concurrent receipt; use theirs
        return Lot.objects.get(product=product, name=name)
