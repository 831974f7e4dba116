"""Every place in the installed apps that can point at a party, found through Django's _meta.

Merge moves these references; the GDPR export lists them. Higher tiers (crm, sales…)
are covered without parties importing them: their ForeignKeys to Party show up as
reverse relations, and any model with a GenericForeignKey may point at a party too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Party


@dataclass(frozen=True)
class Reference:
    """A model field that can hold a party: a ForeignKey, or a generic (type, id) pair."""

    model: type[models.Model]
    field: str  # the FK field name, or the object-id field of a generic relation
    content_type_field: str | None = None  # set for generic relations
    through_m2m: bool = False  # the FK sits in the auto-created table of a ManyToMany

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field}"

    def rows_pointing_at(self, party_ids) -> models.QuerySet:
        ids = list(party_ids)
        if self.content_type_field is None:
            return self.model._default_manager.filter(**{f"{self.field}__in": ids})
        party_type = ContentType.objects.get_for_model(Party)
        return self.model._default_manager.filter(
            **{self.content_type_field: party_type, f"{self.field}__in": self.id_values(ids)}
        )

    def id_values(self, ids) -> list:
        """Generic object ids are often text columns: compare like with like."""
        internal = self.model._meta.get_field(self.field).get_internal_type()
        if internal in {"CharField", "TextField", "SlugField"}:
            return [str(pk) for pk in ids]
        return list(ids)

    def point_at(self, rows: models.QuerySet, survivor_id: int) -> int:
        value = survivor_id
        if self.content_type_field is not None:
            value = self.id_values([survivor_id])[0]
        return rows.update(**{self.field: value})


def is_history_model(model) -> bool:
    """django-simple-history's shadow tables: the past stays as it was written."""
    return hasattr(model, "instance_type") and model._meta.model_name.startswith("historical")


def foreign_key_references() -> Iterator[Reference]:
    """ForeignKeys and OneToOneFields to Party in any installed app, hidden ones included
    (related_name="+" relations and ManyToMany tables are missing from
    `_meta.related_objects`)."""
    seen = set()
    for relation in Party._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue  # a ManyToMany's table shows up through its own ForeignKey
        model = relation.related_model
        if is_history_model(model):
            continue
        key = (model, relation.field.name)
        if key not in seen:
            seen.add(key)
            yield Reference(model, relation.field.name, through_m2m=bool(model._meta.auto_created))


def generic_references() -> Iterator[Reference]:
    """GenericForeignKeys of every installed model (any of them may name a party)."""
    for model in apps.get_models():
        if is_history_model(model):
            continue
        for field in model._meta.private_fields:
            if isinstance(field, GenericForeignKey):
                ct_field = model._meta.get_field(field.ct_field)
                yield Reference(model, field.fk_field, content_type_field=ct_field.name)


def all_references() -> list[Reference]:
    return [*foreign_key_references(), *generic_references()]
