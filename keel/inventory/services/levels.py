"""Stock levels: lock rows that always exist, in one fixed order.

Locking the rows you read protects nothing when the row you are about to
change does not exist yet, so `lock_levels` first inserts every missing row
(INSERT ... ON CONFLICT DO NOTHING; two creators race safely) and then locks
them all with SELECT ... FOR UPDATE ordered by (product, location, lot):
every writer takes its locks in the same order, so they queue instead of
deadlocking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction

from keel.core.bulk_insert import insert_objects, pg_array, update_rows
from keel.core.rows import load

from ..errors import InsufficientStock, NegativeStock
from ..models import Location, StockLevel
from ..models.levels import NO_LOT

ZERO = Decimal(0)
COUNTERS = ["on_hand", "reserved", "incoming", "outgoing"]


class Key(NamedTuple):
    """product x location x lot (0 without a lot); sorts in the locking order."""

    product_id: int
    location_id: int
    lot_key: int = NO_LOT


def key_of(product_id: int, location_id: int, lot_id: int | None = None) -> Key:
    return Key(product_id, location_id, lot_id or NO_LOT)


CHUNK = 2000  # keys per statement: 6,000 parameters


def _matching(keys: list[Key]):
    """StockLevel rows whose (product, location, lot_key) is one of `keys`: one
    row-value IN, never an OR per key. PostgreSQL: three arrays through unnest()
    (psycopg parses every placeholder of a statement in Python); SQLite (3.15+): a
    VALUES list."""
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    columns = ", ".join(f"{table}.{c}" for c in ('"product_id"', '"location_id"', '"lot_key"'))
    if connection.vendor == "postgresql":
        arrays = "unnest(%s::bigint[], %s::bigint[], %s::bigint[])"
        return StockLevel.objects.extra(  # noqa: S610 (placeholders only; the values are parameters)
            where=[f"({columns}) IN (SELECT * FROM {arrays})"],  # noqa: S608 (quoted names)
            params=[pg_array(list(column)) for column in zip(*keys, strict=True)],
        )
    values = ", ".join(["(%s, %s, %s)"] * len(keys))
    return StockLevel.objects.extra(  # noqa: S610 (placeholders only; the values are parameters)
        where=[f"({columns}) IN (VALUES {values})"],
        params=[value for key in keys for value in key],
    )


def lock_levels(company_id: int, keys) -> dict[Key, StockLevel]:
    """The stock levels of `keys`, created if missing, locked in the fixed order.

    Must run inside the service's transaction: the locks hold until it ends. Each
    chunk of keys costs two queries (which exist, then lock) plus two when some are
    missing (their locations' settings, then INSERT … ON CONFLICT DO NOTHING).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_levels() must be called inside the service's transaction.")
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    existing: set[Key] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        existing.update(
            Key(*row)
            for row in _matching(chunk).values_list("product_id", "location_id", "lot_key")
        )
    missing = [k for k in wanted if k not in existing]
    if missing:
        allow = dict(
            Location.objects.filter(pk__in={k.location_id for k in missing}).values_list(
                "pk", "allow_negative"
            )
        )
        insert_objects(
            StockLevel,
            [
                StockLevel(
                    company_id=company_id,
                    product_id=k.product_id,
                    location_id=k.location_id,
                    lot_id=k.lot_key or None,
                    lot_key=k.lot_key,
                    allow_negative=allow[k.location_id],
                )
                for k in missing
            ],
            ignore_conflicts=True,
        )
    locked: dict[Key, StockLevel] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = _matching(chunk).select_for_update().order_by("product_id", "location_id", "lot_key")
        for row in load(rows):
            locked[Key(row.product_id, row.location_id, row.lot_key)] = row
    return locked


class Ledger:
    """The locked levels of one service call and the changes made to them, written back
    in one statement by `save()` after the guards have run."""

    def __init__(self, company_id: int, keys):
        self.levels = lock_levels(company_id, keys)
        self.changed: dict[Key, StockLevel] = {}

    def level(self, key: Key) -> StockLevel:
        return self.levels[key]

    def add(self, key: Key, **deltas: Decimal) -> StockLevel:
        level = self.levels[key]
        for field, delta in deltas.items():
            setattr(level, field, getattr(level, field) + delta)
        self.changed[key] = level
        return level

    def reserve(self, key: Key, quantity: Decimal, *, label: str) -> None:
        level = self.levels[key]
        if not level.allow_negative and level.on_hand - level.reserved < quantity:
            raise InsufficientStock(
                f"Only {level.on_hand - level.reserved} of {label} available, "
                f"{quantity} asked for.",
                field="quantity",
            )
        self.add(key, reserved=quantity)

    def take(self, key: Key, quantity: Decimal, *, reserved: Decimal, label: str) -> None:
        """`quantity` leaves the level, `reserved` of it from its reservation."""
        level = self.add(key, on_hand=-quantity, reserved=-reserved)
        if not level.allow_negative and level.on_hand < 0:
            raise NegativeStock(
                f"Moving {quantity} of {label} would leave {level.on_hand} in a location "
                "that does not allow negative stock.",
                field="quantity",
            )
        if level.reserved < 0:
            raise InsufficientStock(f"The reservation of {label} is smaller than moved.")

    def save(self) -> None:
        if self.changed:
            update_rows(StockLevel, self.changed.values(), COUNTERS)
            self.changed = {}
