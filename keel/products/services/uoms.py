"""Units of measure: categories and units, kept consistent with their reference unit."""

from __future__ import annotations

from keel.core.errors import InvalidInput
from keel.core.transactions import atomic_service

from ..errors import DuplicateCode, InUse
from ..models import Product, Uom, UomCategory
from .common import as_decimal, require_text, save_guarded


@atomic_service
def save_uom_category(category: UomCategory, *, by) -> UomCategory:
    """Create or rename a UoM category; names are unique."""
    category.name = require_text(category.name, "name", "Name")
    clash = UomCategory.objects.filter(name__iexact=category.name).exclude(pk=category.pk)
    if clash.exists():
        raise DuplicateCode(f"A UoM category named '{category.name}' exists.", field="name")
    save_guarded(category, by=by, duplicate_message="Name taken.", field="name")
    return category


def check_uom(uom: Uom) -> None:
    """A reference unit has ratio 1 and is its category's only one; a unit products
    use keeps its category and ratio (their quantities depend on it)."""
    uom.name = require_text(uom.name, "name", "Name")
    uom.ratio = as_decimal(uom.ratio, "ratio")
    uom.rounding = as_decimal(uom.rounding, "rounding")
    if uom.ratio is None or uom.ratio <= 0:
        raise InvalidInput("Ratio must be greater than zero.", field="ratio")
    if uom.rounding is None or uom.rounding <= 0:
        raise InvalidInput("Rounding must be greater than zero.", field="rounding")
    if uom.is_reference and uom.ratio != 1:
        raise InvalidInput("The reference unit has ratio 1.", field="ratio")
    siblings = Uom.objects.filter(category_id=uom.category_id).exclude(pk=uom.pk)
    if siblings.filter(name__iexact=uom.name).exists():
        raise DuplicateCode(f"'{uom.name}' already exists in {uom.category}.", field="name")
    if uom.is_reference:
        other = siblings.filter(is_reference=True).first()
        if other is not None:
            raise DuplicateCode(
                f"{uom.category} already has a reference unit ({other.name}).",
                field="is_reference",
            )
    if uom.pk is not None:
        before = Uom.objects.get(pk=uom.pk)
        moved = before.category_id != uom.category_id or before.ratio != uom.ratio
        used = Product.objects.filter(uom_id=uom.pk).count()
        if moved and used:
            raise InUse(
                f"{before.name} is the unit of {used} product(s); its category and ratio "
                "cannot change. Create a new unit instead.",
                field="ratio",
            )


@atomic_service
def save_uom(uom: Uom, *, by) -> Uom:
    """Create or change a unit once `check_uom` passes."""
    check_uom(uom)
    save_guarded(uom, by=by, duplicate_message="Unit name taken.", field="name")
    return uom


@atomic_service
def delete_uom(uom: Uom) -> None:
    """Remove a unit no product uses."""
    used = Product.objects.filter(uom_id=uom.pk).count()
    if used:
        raise InUse(f"{uom.name} is the unit of {used} product(s); archive it instead.")
    uom.delete()


@atomic_service
def delete_uom_category(category: UomCategory) -> None:
    """Remove a category that has no units left."""
    if Uom.objects.filter(category_id=category.pk).exists():
        raise InUse(f"{category.name} still has units; delete them first.")
    category.delete()
