"""Insert many new rows fast: the ORM's per-value preparation costs more than the database.

Used by the lead import, the posting engine and the outbox (100,000 rows must take
seconds). Columns are prepared once per field type: plain values (text, numbers,
booleans, foreign keys) go as they are, the rest (dates, JSON, decimals, our own
fields such as MoneyField) through the field's own get_db_prep_save, so the stored
values are exactly what .save() would write. SQLite (3.35+): multi-row INSERT …
RETURNING; PostgreSQL: ids from the sequence, then COPY.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

_PREPARED_TYPES = {
    "DateTimeField",
    "DateField",
    "TimeField",
    "JSONField",
    "DecimalField",
    "BinaryField",
    "UUIDField",
    "DurationField",
}
_CACHEABLE = {"DateTimeField", "DateField", "TimeField"}
MAX_PARAMS = 30000


def columns(model) -> list[models.Field]:
    """The columns an INSERT writes: every concrete field but the auto primary key."""
    return [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]


def prepare(items: list[dict], fields: list[models.Field]) -> list[list]:
    """Parameter rows for `fields` from dicts keyed by attname, in the database's own
    representation (each distinct date converted once)."""
    plan = []
    # The connection itself, not the thread-local proxy: it is looked up per value.
    db = connections[DEFAULT_DB_ALIAS]
    for field in fields:
        kind = field.get_internal_type()
        # Our own fields (MoneyField stores Decimal as integer units) convert like the ORM.
        custom = not type(field).__module__.startswith("django.")
        prep = field.get_db_prep_save if kind in _PREPARED_TYPES or custom else None
        plan.append((field.attname, prep, {} if kind in _CACHEABLE else None))
    if all(prep is None for _, prep, _ in plan):
        names = [attname for attname, _, _ in plan]
        return [[item[name] for name in names] for item in items]
    rows = []
    for item in items:
        row = []
        for attname, prep, cache in plan:
            value = item[attname]
            if prep is not None and value is not None:
                if cache is None:
                    value = prep(value, db)
                elif value in cache:
                    value = cache[value]
                else:
                    value = cache[value] = prep(value, db)
            row.append(value)
        rows.append(row)
    return rows


def _head(model, fields) -> str:
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in fields)
    return f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES "  # noqa: S608 (quoted names; values are parameters)


def _insert(model, fields, rows: list[list], returning: bool, tail: str = "") -> list:
    head = _head(model, fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, MAX_PARAMS // len(fields))
    if returning:
        tail += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    ids: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                head + ", ".join([row_sql] * len(chunk)) + tail,
                [value for row in chunk for value in row],
            )
            if returning:
                # Both databases return the ids of a multi-row VALUES in the order given
                # (Django's own bulk_create relies on the same).
                ids.extend(value for (value,) in cursor.fetchall())
    return ids


def _copy(model, fields, rows: list[list]) -> None:
    """PostgreSQL: COPY is several times faster than any INSERT (and psycopg re-parses
    every long statement's placeholders)."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def insert_returning_ids(model, fields, rows: list[list]) -> list:
    """INSERT prepared `rows` of `model`; the new primary keys, in the order of `rows`."""
    if connection.vendor != "postgresql":
        return _insert(model, fields, rows, returning=True)
    pk = model._meta.pk
    with connection.cursor() as cursor:
        # Take the ids from the table's own sequence first, then COPY the rows with them.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(rows)],
        )
        ids = [value for (value,) in cursor.fetchall()]
    _copy(model, [pk, *fields], [[i, *row] for i, row in zip(ids, rows, strict=True)])
    return ids


def insert_objects(model, objects, *, ignore_conflicts: bool = False) -> None:
    """INSERT unsaved model `objects` (no ids back, no signals), with the values .save()
    would write: for many rows, where Django's bulk_create spends its time per value.
    `ignore_conflicts`: rows that would break a unique constraint are skipped (ON
    CONFLICT DO NOTHING; a multi-row INSERT on PostgreSQL too)."""
    objects = list(objects)
    if not objects:
        return
    fields = columns(model)
    items = [{f.attname: getattr(obj, f.attname) for f in fields} for obj in objects]
    rows = prepare(items, fields)
    if ignore_conflicts:
        _insert(model, fields, rows, returning=False, tail=" ON CONFLICT DO NOTHING")
    else:
        insert_rows(model, fields, rows)


def insert_values(model, items: list[dict]) -> None:
    """INSERT new rows of `model` given as {attname: value}; fields left out take their
    default (auto_now fields: now), as .save() would write them. For many rows, without
    building a model instance per row (Model.__init__ costs more than the INSERT)."""
    if not items:
        return
    fields = columns(model)
    now = timezone.now()
    static, dynamic = {}, []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # A date is today's date where the company works, as .save() takes it.
            static[field.attname] = (
                now if isinstance(field, models.DateTimeField) else timezone.localdate(now)
            )
        elif callable(field.default):
            dynamic.append(field)  # uuid4 and the like: one value per row
        else:
            static[field.attname] = field.get_default()
    rows = []
    for item in items:
        row = {**static, **item}
        for field in dynamic:
            if field.attname not in item:
                row[field.attname] = field.get_default()
        rows.append(row)
    insert_rows(model, fields, prepare(rows, fields))


def insert_rows(model, fields, rows: list[list]) -> None:
    """INSERT prepared `rows` of `model`; no ids back."""
    if connection.vendor == "postgresql":
        _copy(model, fields, rows)
    else:
        _insert(model, fields, rows, returning=False)


def _prep_of(field):
    """None for values that go as they are; else the field's conversion (our own fields
    such as QuantityField through get_prep_value, others through get_db_prep_save)."""
    kind = field.get_internal_type()
    if not type(field).__module__.startswith("django."):
        return field.get_prep_value
    if kind in _PREPARED_TYPES:
        db = connections[DEFAULT_DB_ALIAS]
        return lambda value: field.get_db_prep_save(value, db)
    return None


_PLAIN = (int, Decimal, dt.date, dt.datetime)  # their str() is what PostgreSQL reads


def _element(value) -> str:
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, _PLAIN):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def pg_array(values: list):
    """A PostgreSQL array literal ('{1,2,NULL}') for a parameter cast to an array type;
    psycopg dumps a list element by element in Python, several times slower. Values of
    other types go as the list itself."""
    kinds = set(map(type, values))
    if kinds <= {int}:  # ids and integer units: most columns
        return "{" + ",".join(map(str, values)) + "}"
    if not all(issubclass(k, (*_PLAIN, str, bool, type(None))) for k in kinds):
        return values
    return "{" + ",".join(map(_element, values)) + "}"


def update_rows(model, objects, fields: list[str]) -> None:
    """Write `fields` of `objects` (by primary key) in one UPDATE … FROM per chunk,
    where Django's bulk_update builds a CASE per row and field. PostgreSQL: one array
    per column through unnest() (psycopg parses a statement's placeholders in Python,
    which cost more than the update with thousands of them); SQLite (3.33+): a VALUES
    list of MAX_PARAMS parameters at most."""
    objects = list(objects)
    if not objects:
        return
    meta = model._meta
    pk = meta.pk
    columns = [pk, *(meta.get_field(name) for name in fields)]
    qn = connection.ops.quote_name
    names = ", ".join(f"c{n}" for n in range(len(columns)))
    sets = ", ".join(f"{qn(f.column)} = v.c{n}" for n, f in enumerate(columns) if n)
    table = qn(meta.db_table)
    where = f"{table}.{qn(pk.column)} = v.c0"
    attnames = [f.attname for f in columns]
    preps = [_prep_of(f) for f in columns]

    def values_of(chunk) -> list[list]:
        return [
            [
                value if prep is None or value is None else prep(value)
                for value, prep in zip((getattr(obj, n) for n in attnames), preps, strict=True)
            ]
            for obj in chunk
        ]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not any(
            f.get_internal_type() == "JSONField" for f in columns
        ):
            arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in columns)
            rows = values_of(objects)
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}) WHERE {where}",  # noqa: S608 (quoted names; values are parameters)
                [pg_array(list(column)) for column in zip(*rows, strict=True)],
            )
            return
        postgres = connection.vendor == "postgresql"
        cell = [f"%s::{f.cast_db_type(connection)}" if postgres else "%s" for f in columns]
        row_sql = "(" + ", ".join(cell) + ")"
        per_statement = max(1, MAX_PARAMS // len(columns))
        for start in range(0, len(objects), per_statement):
            chunk = objects[start : start + per_statement]
            params = [value for row in values_of(chunk) for value in row]
            values = ", ".join([row_sql] * len(chunk))
            cursor.execute(
                f"WITH v({names}) AS (VALUES {values}) UPDATE {table} SET {sets} FROM v WHERE {where}",  # noqa: S608, E501 (quoted names; values are parameters)
                params,
            )
