"""The catalogue: the category tree and products, with their guards."""

from __future__ import annotations

from keel.core.errors import InvalidInput, StaleRecord
from keel.core.transactions import atomic_service

from ..errors import DuplicateCode, InUse
from ..models import PriceListRule, Product, ProductCategory
from .common import as_decimal, require_text, same_company, save_guarded


def _place(category: ProductCategory) -> None:
    """Set path and full name from the (already placed) parent."""
    parent = category.parent
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.full_name = f"{parent.full_name} / {category.name}" if parent else category.name


def check_category(category: ProductCategory) -> None:
    """A unique name among its siblings and no move under its own subtree."""
    category.name = require_text(category.name, "name", "Name")
    parent = category.parent
    same_company(parent, category.company_id, "parent", "Parent category")
    if parent is not None and category.pk is not None and f"/{category.pk}/" in parent.path:
        raise InvalidInput(
            f"'{category.name}' cannot move under '{parent}': that is inside its own subtree.",
            field="parent",
        )
    siblings = ProductCategory.objects.filter(
        company_id=category.company_id, parent=parent, name__iexact=category.name
    ).exclude(pk=category.pk)
    if siblings.exists():
        where = f"under '{parent}'" if parent else "at the top level"
        raise DuplicateCode(f"A category '{category.name}' exists {where}.", field="name")


@atomic_service
def save_category(category: ProductCategory, *, by) -> ProductCategory:
    """Create, rename or move a category; keeps every descendant's path and full name
    in step."""
    check_category(category)
    old_path = category.path
    save_guarded(category, by=by, duplicate_message="Category name taken.", field="name")
    _place(category)
    category.save(update_fields=["path", "full_name"])
    if old_path:
        # A rename changes descendants' full names, a move their paths too.
        _replace_descendants(category, old_path)
    return category


def _replace_descendants(category: ProductCategory, old_path: str) -> None:
    """Recompute every descendant's path and full name, parents before children."""
    below = list(
        ProductCategory.objects.filter(
            company_id=category.company_id, path__startswith=old_path
        ).exclude(pk=category.pk)
    )
    placed = {category.pk: category}
    for node in sorted(below, key=lambda c: c.path.count("/")):
        node.parent = placed[node.parent_id]
        _place(node)
        placed[node.pk] = node
    ProductCategory.objects.bulk_update(below, ["path", "full_name"])


@atomic_service
def delete_category(category: ProductCategory) -> None:
    """Remove a category nothing hangs on: no sub-categories, products or price rules."""
    if ProductCategory.objects.filter(parent_id=category.pk).exists():
        raise InUse(f"'{category}' has sub-categories; move or delete them first.")
    used = Product.objects.filter(category_id=category.pk).count()
    if used:
        raise InUse(f"'{category}' holds {used} product(s); move them first.")
    if PriceListRule.objects.filter(category_id=category.pk).exists():
        raise InUse(f"Price-list rules point at '{category}'; change them first.")
    category.delete()


def check_product(product: Product) -> None:
    """Every guard a product must pass before it is saved (reads only)."""
    product.name = require_text(product.name, "name", "Name")
    product.sku = require_text(product.sku, "sku", "Internal reference (SKU)")
    product.barcode = (product.barcode or "").strip()
    if product.kind not in Product.Kind.values:
        raise InvalidInput(f"Unknown product kind '{product.kind}'.", field="kind")
    if product.supply_route not in Product.SupplyRoute.values:
        raise InvalidInput(f"Unknown supply route '{product.supply_route}'.", field="supply_route")
    for field in ("sale_price", "cost_price"):
        setattr(product, field, as_decimal(getattr(product, field), field))
        if getattr(product, field) is None or getattr(product, field) < 0:
            raise InvalidInput("Prices cannot be negative.", field=field)
    same_company(product.category, product.company_id, "category", "Category")
    others = Product.objects.filter(company_id=product.company_id).exclude(pk=product.pk)
    taken = others.filter(sku=product.sku).first()
    if taken is not None:
        raise DuplicateCode(f"SKU '{product.sku}' is already used by '{taken.name}'.", field="sku")
    if product.barcode:
        taken = others.filter(barcode=product.barcode).first()
        if taken is not None:
            raise DuplicateCode(
                f"Barcode '{product.barcode}' is already used by [{taken.sku}] {taken.name}.",
                field="barcode",
            )


@atomic_service
def save_product(product: Product, *, by, expected_version: int | None = None) -> Product:
    """Create or change a product. An edit based on an older version is refused
    (412), and a product keeps its unit's category (Weight stays Weight)."""
    check_product(product)
    if product.pk is None:
        if not product.uom.active:
            raise InvalidInput(f"Unit {product.uom} is archived.", field="uom")
        product.version = 1
    else:
        current = (
            Product.objects.select_for_update(of=("self",)).select_related("uom").get(pk=product.pk)
        )
        if expected_version is not None and expected_version != current.version:
            raise StaleRecord(
                f"'{current.name}' was changed by someone else (version {current.version}, "
                f"you edited version {expected_version}); reload and try again."
            )
        if current.uom.category_id != product.uom.category_id:
            raise InvalidInput(
                f"The unit can only change within {current.uom.category} "
                f"(from {current.uom} to another {current.uom.category} unit).",
                field="uom",
            )
        product.version = current.version + 1
    save_guarded(product, by=by, duplicate_message="SKU or barcode already used.", field="sku")
    return product
