"""Opportunities: open one (from a lead or directly)."""

from __future__ import annotations

from decimal import Decimal

from keel.core.errors import InvalidInput
from keel.core.money import round_money
from keel.core.transactions import atomic_service

from ..models import Opportunity
from ..selectors import default_pipeline, first_stage


@atomic_service
def create_opportunity(
    *,
    company,
    name: str,
    party,
    owner,
    by=None,
    pipeline=None,
    stage=None,
    amount: Decimal = Decimal("0"),
    currency: str | None = None,
    **fields,
) -> Opportunity:
    """An open opportunity in the pipeline's first stage unless a stage is given."""
    pipeline = pipeline or default_pipeline(company)
    if pipeline is None:
        raise InvalidInput("Create a sales pipeline first.", code="no_pipeline", field="pipeline")
    stage = stage or first_stage(pipeline)
    if stage is None or stage.pipeline_id != pipeline.pk:
        raise InvalidInput(f"Pipeline {pipeline} has no such stage.", field="stage")
    currency = currency or company.currency
    if amount < 0:
        raise InvalidInput("The amount cannot be negative.", field="amount")
    return Opportunity.objects.create(
        company=company,
        name=name,
        party=party,
        owner=owner,
        pipeline=pipeline,
        stage=stage,
        amount=round_money(amount, currency),
        currency=currency,
        created_by=by,
        updated_by=by,
        **fields,
    )
