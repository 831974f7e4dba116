"""Read many rows as model instances fast: the ORM's Model.__init__ sets every field
through its descriptors, which costs more than the query for thousands of rows.

`load()` reads the queryset's values (the fields' own converters apply, so a
MoneyField still reads a Decimal) and fills each instance's __dict__ directly, as
a row loaded from the database would be: a real instance of the model (relations,
properties, update through keel.core.bulk_insert work), fields not read are deferred
like with `.only()`. No pre_init/post_init signals are sent: use it only for models
nothing listens to at init (none in Keel).
"""

from __future__ import annotations

from django.db import models
from django.db.models.base import ModelState


def build(model: type[models.Model], attnames: list[str], rows, *, db: str = "default") -> list:
    """Instances of `model` from tuples of values in the order of `attnames`."""
    new = model.__new__
    objects = []
    for row in rows:
        obj = new(model)
        values = obj.__dict__
        values.update(zip(attnames, row, strict=True))
        state = values["_state"] = ModelState()
        state.adding, state.db = False, db
        objects.append(obj)
    return objects


def load(queryset, fields: list[str] | None = None) -> list:
    """The rows of `queryset` (its filters, order and locks) as instances with
    `fields` (attnames; every concrete field without it, the primary key always)."""
    meta = queryset.model._meta
    attnames = [f.attname for f in meta.concrete_fields] if fields is None else list(fields)
    if meta.pk.attname not in attnames:
        attnames.insert(0, meta.pk.attname)
    return build(queryset.model, attnames, queryset.values_list(*attnames), db=queryset.db)
