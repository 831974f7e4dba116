"""Guards shared by the transfer services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from keel.core.errors import NotFound
from keel.core.numbering import next_number
from keel.core.rows import build
from keel.products.models import Product, ProductCategory

from ..errors import InvalidLocation, InvalidQuantity, ProductNotStockable
from ..fields import to_units
from ..models import Location, StockMove, Transfer, Warehouse
from .levels import Key

ZERO = Decimal(0)
OPEN = (Transfer.Status.WAITING, Transfer.Status.READY)


def quantity_of(value, *, field: str = "quantity", allow_zero: bool = False) -> Decimal:
    """A positive Decimal with at most 4 decimal places (what the columns keep)."""
    try:
        quantity = Decimal(str(value))
        to_units(quantity)
    except (InvalidOperation, ValueError) as error:
        raise InvalidQuantity(
            f"'{value}' is not a quantity with at most 4 decimals.", field=field
        ) from error
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise InvalidQuantity(f"The quantity must be positive, not {value}.", field=field)
    return quantity


def check_stockable(product: Product, company_id: int, *, field: str = "product") -> None:
    if product.company_id != company_id:
        raise ProductNotStockable(f"{product} belongs to another company.", field=field)
    if not product.active:
        raise ProductNotStockable(f"{product} is archived; stock of it cannot move.", field=field)
    if product.kind == Product.Kind.SERVICE:
        raise ProductNotStockable(f"{product} is a service and has no stock.", field=field)


def check_location(location: Location, company_id: int, field: str) -> None:
    if location.company_id != company_id:
        raise InvalidLocation(f"{location} belongs to another company.", field=field)
    if not location.active:
        raise InvalidLocation(f"{location} is archived.", field=field)
    if location.usage == Location.Usage.VIEW:
        raise InvalidLocation(f"{location} only groups locations; pick one below it.", field=field)


def needs_reservation(move: StockMove) -> bool:
    """Stock leaves a location Keel counts, so it must be reserved first."""
    return move.source.keeps_stock


def lock_transfer(transfer_id: int) -> Transfer:
    try:
        return (
            Transfer.objects.select_for_update(of=("self",))
            .select_related("company", "warehouse", "source", "destination")
            .get(pk=transfer_id)
        )
    except Transfer.DoesNotExist as missing:
        raise NotFound(f"No transfer {transfer_id}.") from missing


# What the services read of a move's product (guards, labels, tracking): loading
# whole products costs more than the rest of validating a 5,000-line transfer.
PRODUCT_FIELDS = ("company", "active", "kind", "tracking", "sku", "name", "cost_price", "category")


def with_locations(moves: list[StockMove]) -> list[StockMove]:
    """Attach each move's source and destination from one query (a transfer's moves
    share a few locations; joining them would build one Location per move)."""
    ids = {m.source_id for m in moves} | {m.destination_id for m in moves}
    places = Location.objects.in_bulk(ids)
    source_cache = StockMove.source.field.cache_name
    destination_cache = StockMove.destination.field.cache_name
    for move in moves:
        move._state.fields_cache[source_cache] = places[move.source_id]
        move._state.fields_cache[destination_cache] = places[move.destination_id]
    return moves


def moves_of(queryset, *, transfer: Transfer | None = None) -> list[StockMove]:
    """Moves with their product (the fields the services use), its category's costing
    method and their locations; `transfer`: the one they belong to. One query, read as
    values (a thousand moves built by Model.__init__ cost more than validating them)."""
    move_fields = [f.attname for f in StockMove._meta.concrete_fields]
    product_fields = ["id", *(Product._meta.get_field(n).attname for n in PRODUCT_FIELDS)]
    rows = queryset.values_list(
        *move_fields,
        *(f"product__{name}" for name in product_fields),
        "product__category__costing_method",
    )
    split = len(move_fields)
    move_rows, product_rows, costing = [], {}, {}
    for row in rows:
        move_rows.append(row[:split])
        if row[split] not in product_rows:
            product_rows[row[split]] = row[split:-1]
            costing[row[split]] = row[-1]
    products = {p.pk: p for p in build(Product, product_fields, product_rows.values())}
    categories: dict[int, ProductCategory] = {}
    category_cache = Product.category.field.cache_name
    for product in products.values():
        category_id = product.category_id
        if category_id is not None and category_id not in categories:
            [categories[category_id]] = build(
                ProductCategory, ["id", "costing_method"], [(category_id, costing[product.pk])]
            )
        product._state.fields_cache[category_cache] = categories.get(category_id)
    moves = build(StockMove, move_fields, move_rows)
    product_cache = StockMove.product.field.cache_name
    transfer_cache = StockMove.transfer.field.cache_name
    for move in moves:
        cache = move._state.fields_cache
        cache[product_cache] = products[move.product_id]
        if transfer is not None:
            cache[transfer_cache] = transfer
    return with_locations(moves)


def open_moves(transfer: Transfer) -> list[StockMove]:
    return moves_of(
        transfer.moves.filter(status__in=OPEN).order_by("sequence", "id"), transfer=transfer
    )


def label(move: StockMove) -> str:
    return str(move.product)


def number_for(warehouse: Warehouse, kind: str) -> str:
    """The next number of the warehouse's series for `kind` (WH/IN/00001); gapless, it
    must be drawn inside the transaction that creates the transfer."""
    return next_number(
        warehouse.company,
        f"inventory.{warehouse.code}.{kind}",
        None,
        prefix=f"{warehouse.code}/{Transfer.PREFIXES[kind]}/",
        yearly=False,
    )


def forecast_keys(moves: list[StockMove]) -> list[Key]:
    """The levels (without lot) a move counts as outgoing from or incoming to."""
    keys = []
    for move in moves:
        if move.source.keeps_stock:
            keys.append(Key(move.product_id, move.source_id))
        if move.destination.keeps_stock:
            keys.append(Key(move.product_id, move.destination_id))
    return keys
