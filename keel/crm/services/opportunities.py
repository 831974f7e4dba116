"""Opportunities: open one, move it through the stages, win, lose or reopen it."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from keel.core.errors import Conflict, InvalidInput, NotFound, PermissionRefused, StaleRecord
from keel.core.events import publish
from keel.core.money import format_money, round_money
from keel.core.transactions import atomic_service
from keel.core.workflow import transition

from ..events import OpportunityLost, OpportunityReopened, OpportunityStageChanged, OpportunityWon
from ..models import Activity, Opportunity, Stage
from ..selectors import (
    default_pipeline,
    first_stage,
    may_manage_opportunity,
    sees_all_opportunities,
)


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


def _locked(opportunity_id: int, by, version: int | None) -> Opportunity:
    """The row, locked; refuses someone else's deal (unless a manager) and a stale edit."""
    opportunity = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("stage")
        .filter(pk=opportunity_id)
    ).first()
    if opportunity is None:
        raise NotFound(f"There is no opportunity {opportunity_id}.")
    if not may_manage_opportunity(by, opportunity):
        raise PermissionRefused(
            f"“{opportunity}” belongs to {opportunity.owner}; only its owner or a sales "
            "manager can change it."
        )
    if version is not None and int(version) != opportunity.version:
        raise StaleRecord(
            f"“{opportunity}” was changed by someone else since you opened it (version "
            f"{opportunity.version}, yours {version}). Reload and try again."
        )
    return opportunity


def _name(user) -> str:
    return user.get_username() if user is not None else "system"


def _require_open(opportunity: Opportunity, verb: str) -> None:
    if opportunity.status != Opportunity.Status.OPEN:
        raise Conflict(
            f"“{opportunity}” is {opportunity.get_status_display().lower()}; only open "
            f"opportunities can {verb}.",
            code="opportunity_closed",
        )


@atomic_service
def change_stage(opportunity_id: int, stage_id: int, *, by=None, version=None) -> Opportunity:
    """Move an open opportunity to another stage of its pipeline."""
    opportunity = _locked(opportunity_id, by, version)
    _require_open(opportunity, "move between stages")
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None or stage.pipeline_id != opportunity.pipeline_id:
        raise InvalidInput(f"That stage is not in the pipeline of “{opportunity}”.", field="stage")
    if stage.pk == opportunity.stage_id:
        return opportunity
    before = opportunity.stage
    opportunity.stage = stage
    opportunity.version += 1
    opportunity.updated_by = by
    # Recorded in the opportunity's history; the timeline reads it from there.
    opportunity._change_reason = f"Stage: {before.name} → {stage.name}"
    opportunity._history_user = by
    opportunity.save(update_fields=["stage", "version", "updated_by", "updated_at"])
    publish(
        OpportunityStageChanged(
            opportunity_id=opportunity.pk,
            pipeline_id=opportunity.pipeline_id,
            from_stage_id=before.pk,
            to_stage_id=stage.pk,
            changed_by=_name(by),
        ),
        company=opportunity.company,
    )
    return opportunity


def _close(opportunity: Opportunity, to_status: str, *, by, note: str, at) -> None:
    # closed_at is written first without a history row; transition()'s save records both.
    Opportunity.objects.filter(pk=opportunity.pk).update(
        closed_at=opportunity.closed_at, lost_reason=opportunity.lost_reason
    )
    opportunity._change_reason = note
    opportunity._history_user = by
    transition(opportunity, to_status, by=by, note=note, at=at)


@atomic_service
def win(opportunity_id: int, *, by=None, version=None, at=None) -> Opportunity:
    """Mark the deal won: it needs a customer and an amount above zero."""
    opportunity = _locked(opportunity_id, by, version)
    _require_open(opportunity, "be won")
    if opportunity.amount <= 0:
        raise InvalidInput(
            f"Enter the amount of “{opportunity}” before marking it won.", field="amount"
        )
    if opportunity.party_id is None:
        raise InvalidInput(f"“{opportunity}” needs a customer to be won.", field="party")
    at = at or timezone.now()
    opportunity.closed_at = at
    amount = format_money(opportunity.amount, opportunity.currency)
    _close(opportunity, Opportunity.Status.WON, by=by, note=f"Won: {amount}", at=at)
    publish(
        OpportunityWon(
            opportunity_id=opportunity.pk,
            party_id=opportunity.party_id,
            amount=str(opportunity.amount),
            currency=opportunity.currency,
            owner_id=opportunity.owner_id,
            won_by=_name(by),
        ),
        company=opportunity.company,
    )
    return opportunity


@atomic_service
def lose(opportunity_id: int, *, reason: str, by=None, version=None, at=None) -> Opportunity:
    """Mark the deal lost, saying why (the reason feeds win/loss analysis)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the opportunity was lost.", field="lost_reason")
    opportunity = _locked(opportunity_id, by, version)
    _require_open(opportunity, "be lost")
    at = at or timezone.now()
    opportunity.closed_at = at
    opportunity.lost_reason = reason[:300]
    _close(opportunity, Opportunity.Status.LOST, by=by, note=f"Lost: {reason}", at=at)
    publish(
        OpportunityLost(opportunity_id=opportunity.pk, reason=reason, lost_by=_name(by)),
        company=opportunity.company,
    )
    return opportunity


@atomic_service
def reopen(opportunity_id: int, *, by=None, version=None, at=None) -> Opportunity:
    """Bring a lost deal back to life in the stage it was lost in (won deals stay won)."""
    opportunity = _locked(opportunity_id, by, version)
    opportunity.closed_at = None
    opportunity.lost_reason = ""
    if opportunity.status == Opportunity.Status.LOST:
        Opportunity.objects.filter(pk=opportunity.pk).update(closed_at=None, lost_reason="")
    opportunity._change_reason = "Reopened"
    opportunity._history_user = by
    transition(opportunity, Opportunity.Status.OPEN, by=by, note="Reopened", at=at)
    publish(
        OpportunityReopened(opportunity_id=opportunity.pk, reopened_by=_name(by)),
        company=opportunity.company,
    )
    return opportunity


EDITABLE_FIELDS = {
    "name",
    "party",
    "contact",
    "lead",
    "amount",
    "currency",
    "expected_close",
    "next_step",
    "competitors",
    "owner",
}


@atomic_service
def update_opportunity(opportunity_id: int, *, by=None, version=None, **changes) -> Opportunity:
    """Edit an open opportunity's details (stage and status have their own verbs)."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(
            f"{field} cannot be edited here; use the stage, win, lose or reopen actions.",
            field=field,
        )
    opportunity = _locked(opportunity_id, by, version)
    _require_open(opportunity, "be edited")
    owner = changes.get("owner")
    reassigned = owner is not None and owner.pk != opportunity.owner_id
    if reassigned and by is not None and not sees_all_opportunities(by):
        raise PermissionRefused(
            "Only a sales manager can hand an opportunity to someone else.", field="owner"
        )
    for name, value in changes.items():
        setattr(opportunity, name, value)
    if opportunity.amount < 0:
        raise InvalidInput("The amount cannot be negative.", field="amount")
    opportunity.amount = round_money(opportunity.amount, opportunity.currency)
    opportunity.version += 1
    opportunity.updated_by = by
    opportunity._history_user = by
    opportunity.save()
    return opportunity


@atomic_service
def delete_opportunity(opportunity_id: int, *, by=None) -> None:
    """Remove an opportunity opened by mistake; closed ones are kept for the record."""
    opportunity = _locked(opportunity_id, by, None)
    if opportunity.status != Opportunity.Status.OPEN:
        raise Conflict(
            f"“{opportunity}” is closed; it stays for the reports.", code="opportunity_closed"
        )
    about = Activity.objects.filter(
        content_type=ContentType.objects.get_for_model(Opportunity), object_id=str(opportunity.pk)
    )
    if about.exists():
        raise Conflict(f"“{opportunity}” has activities; lose it instead of deleting it.")
    opportunity.delete()
