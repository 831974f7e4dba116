"""Pipelines and their stages: set up by sales managers."""

from __future__ import annotations

from decimal import Decimal

from keel.core.errors import Conflict, InvalidInput
from keel.core.transactions import atomic_service

from ..models import Opportunity, Pipeline, Stage


@atomic_service
def create_pipeline(*, company, name: str, by=None, stages=(), **fields) -> Pipeline:
    """A pipeline, optionally with its stages as (name, probability) in order."""
    if not name.strip():
        raise InvalidInput("Name the pipeline.", field="name")
    if Pipeline.objects.filter(company=company, name=name.strip()).exists():
        raise InvalidInput(f"There is already a pipeline called {name}.", field="name")
    pipeline = Pipeline.objects.create(
        company=company, name=name.strip(), created_by=by, updated_by=by, **fields
    )
    for sequence, (stage_name, probability) in enumerate(stages, start=1):
        save_stage(
            Stage(
                pipeline=pipeline,
                name=stage_name,
                sequence=sequence * 10,
                probability=Decimal(probability),
            )
        )
    return pipeline


@atomic_service
def update_pipeline(pipeline_id: int, *, by=None, **changes) -> Pipeline:
    pipeline = Pipeline.objects.select_for_update().get(pk=pipeline_id)
    for name, value in changes.items():
        setattr(pipeline, name, value)
    clash = Pipeline.objects.filter(company=pipeline.company_id, name=pipeline.name)
    if clash.exclude(pk=pipeline.pk).exists():
        raise InvalidInput(f"There is already a pipeline called {pipeline.name}.", field="name")
    pipeline.updated_by = by
    pipeline.save()
    return pipeline


@atomic_service
def delete_pipeline(pipeline_id: int) -> None:
    """Only an empty pipeline can go; one with deals is deactivated instead."""
    if Opportunity.objects.filter(pipeline_id=pipeline_id).exists():
        raise Conflict("This pipeline has opportunities; deactivate it instead.")
    Pipeline.objects.filter(pk=pipeline_id).delete()


@atomic_service
def save_stage(stage: Stage) -> Stage:
    """Add or change a stage: probability 0–100, one stage per position in a pipeline."""
    if not stage.name.strip():
        raise InvalidInput("Name the stage.", field="name")
    if not Decimal(0) <= Decimal(stage.probability) <= Decimal(100):
        raise InvalidInput("A probability is between 0 and 100 percent.", field="probability")
    taken = Stage.objects.filter(pipeline_id=stage.pipeline_id, sequence=stage.sequence)
    if taken.exclude(pk=stage.pk).exists():
        raise InvalidInput(
            f"Position {stage.sequence} is taken in {stage.pipeline}.", field="sequence"
        )
    stage.save()
    return stage


@atomic_service
def delete_stage(stage_id: int) -> None:
    if Opportunity.objects.filter(stage_id=stage_id).exists():
        raise Conflict("Opportunities are in this stage; move them first.")
    Stage.objects.filter(pk=stage_id).delete()
