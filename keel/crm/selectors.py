"""Reads of the CRM; never writes."""

from __future__ import annotations

from .models import Pipeline, Stage


def default_pipeline(company) -> Pipeline | None:
    return Pipeline.objects.filter(company=company, active=True).order_by("id").first()


def first_stage(pipeline: Pipeline) -> Stage | None:
    return pipeline.stages.order_by("sequence").first()
