"""List filters of the API (django-filter) that refuse a record id no id column can
hold with 400, like any unknown id: the database driver would overflow (a 500)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django_filters import fields
from django_filters.filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend, FilterSet

SMALLEST_ID, LARGEST_ID = -(2**63), 2**63 - 1


def _outside_id_range(value) -> bool:
    try:
        number = int(str(value).strip())
    except ValueError:
        return False  # not a number at all: the field's own check says so
    return not SMALLEST_ID <= number <= LARGEST_ID


class RecordChoiceField(fields.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and _outside_id_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RecordMultipleChoiceField(fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        for one in value:
            if _outside_id_range(one):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": one},
                )
        return super()._check_values(value)


class RecordChoiceFilter(ModelChoiceFilter):
    field_class = RecordChoiceField


class RecordMultipleChoiceFilter(ModelMultipleChoiceFilter):
    field_class = RecordMultipleChoiceField


def _with(filter_class, field_type):
    return {**FilterSet.FILTER_DEFAULTS[field_type], "filter_class": filter_class}


class KeelFilterSet(FilterSet):
    """The base of every API filter set: relations filter by a checked record id."""

    FILTER_DEFAULTS = {
        **FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: _with(RecordChoiceFilter, models.ForeignKey),
        models.OneToOneField: _with(RecordChoiceFilter, models.OneToOneField),
        models.ManyToManyField: _with(RecordMultipleChoiceFilter, models.ManyToManyField),
    }


class KeelFilterBackend(DjangoFilterBackend):
    filterset_base = KeelFilterSet
