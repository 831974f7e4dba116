"""The import's fast insert stores exactly what the ORM would (ADR 0007)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from keel.core.bulk_insert import (
    columns,
    insert_returning_ids,
    insert_values,
    prepare,
    update_rows,
)
from keel.crm.models import Lead

pytestmark = pytest.mark.django_db


def test_rows_inserted_in_bulk_read_back_like_rows_saved_by_the_orm(company):
    """Given the same lead values; When one is saved by the ORM and one by the bulk insert;
    Then both read back field for field the same (text, numbers, dates, JSON, nulls)."""
    when = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
    values = dict(
        company_id=company.pk,
        first_name="Zoë",
        last_name="O'Brien",
        organisation_name='Ünïcode & Sons; "quoted"\ttab',
        email="zoe@example.com",
        employees=250,
        score=42,
        score_breakdown=[{"rule": "Big", "points": 42, "why": "employees 250 > 200"}],
        scored_at=when,
        status="new",
        source="import",
        message="line one\nline two\\with backslash",
    )
    by_orm = Lead.objects.create(**values)
    fields = columns(Lead)
    defaults = {f.attname: f.get_default() for f in fields}
    defaults.update(created_at=when, updated_at=when)
    Lead.objects.filter(pk=by_orm.pk).update(created_at=when, updated_at=when)

    [bulk_id] = insert_returning_ids(Lead, fields, prepare([{**defaults, **values}], fields))

    orm_row = model_to_dict(Lead.objects.get(pk=by_orm.pk), exclude=["id"])
    bulk_row = model_to_dict(Lead.objects.get(pk=bulk_id), exclude=["id"])
    assert bulk_row == orm_row
    stored = Lead.objects.get(pk=bulk_id)
    assert (stored.scored_at, stored.created_at) == (when, when)
    assert stored.score_breakdown[0]["points"] == 42
    assert Decimal(stored.employees) == Decimal("250")


def test_rows_inserted_from_values_take_the_defaults_save_would(company):
    """Given lead values without status, score or timestamps; When one lead is saved by
    the ORM and one inserted by insert_values; Then both read back the same, defaults
    included, and the bulk one's created/updated times are the moment of the insert."""
    values = dict(company_id=company.pk, first_name="Ada", organisation_name="Engines")
    by_orm = Lead.objects.create(**values)
    before = dt.datetime.now(dt.UTC)

    insert_values(Lead, [values])

    bulk = Lead.objects.exclude(pk=by_orm.pk).get(first_name="Ada")
    skip = ["id", "created_at", "updated_at"]
    assert model_to_dict(bulk, exclude=skip) == model_to_dict(by_orm, exclude=skip)
    assert (bulk.status, bulk.score) == (by_orm.status, by_orm.score)
    assert before <= bulk.created_at == bulk.updated_at <= dt.datetime.now(dt.UTC)


def test_rows_updated_in_bulk_read_back_exactly(company):
    """Given two leads; When update_rows writes text with quotes, backslashes, commas,
    braces and NULL-like words, a NULL and numbers; Then each reads back exactly what was
    set (on PostgreSQL the values travel as array literals)."""
    first = Lead.objects.create(company_id=company.pk, first_name="A", organisation_name="x")
    second = Lead.objects.create(company_id=company.pk, first_name="B", organisation_name="y")
    first.organisation_name = 'O\'Brien "Ltd", {braces} \\ back\\slash'
    first.message = "NULL"
    first.employees = 7
    second.organisation_name = ""
    second.message = "line one\nline two, with comma"
    second.employees = None

    update_rows(Lead, [first, second], ["organisation_name", "message", "employees"])

    got = {
        lead.pk: (lead.organisation_name, lead.message, lead.employees)
        for lead in Lead.objects.filter(pk__in=[first.pk, second.pk])
    }
    assert got == {
        first.pk: ('O\'Brien "Ltd", {braces} \\ back\\slash', "NULL", 7),
        second.pk: ("", "line one\nline two, with comma", None),
    }
