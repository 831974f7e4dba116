"""Opportunity verbs: move through stages, win, lose, reopen, with their guards."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.core.errors import (
    Conflict,
    InvalidInput,
    PermissionRefused,
    StaleRecord,
    TransitionNotAllowed,
)
from keel.core.models import OutboxEvent, StatusChange
from keel.crm.models import Opportunity
from keel.crm.services.opportunities import (
    change_stage,
    create_opportunity,
    lose,
    reopen,
    update_opportunity,
    win,
)
from keel.crm.timeline import timeline

from .factories_pipeline import CustomerFactory, OpportunityFactory, pipeline_with_stages
from .fixtures_pipeline import *  # noqa: F403

pytestmark = pytest.mark.django_db


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


@pytest.fixture
def deal(company, pipeline, rep):
    """Rita's 12,000.00 USD deal with Acme, in Qualify."""
    return create_opportunity(
        company=company,
        name="Acme rollout",
        party=CustomerFactory(company=company, name="Acme"),
        owner=rep,
        by=rep,
        pipeline=pipeline,
        amount=Decimal("12000"),
    )


def test_a_rep_moves_their_deal_to_the_next_stage(deal, pipeline, rep):
    """Given Rita's deal in Qualify (version 1),
    When she moves it to Propose,
    Then it is in Propose at version 2, the history says so, and the move is announced."""
    # When
    moved = change_stage(deal.pk, stage(pipeline, "Propose").pk, by=rep, version=1)

    # Then
    deal.refresh_from_db()
    assert (deal.stage.name, deal.version, moved.version) == ("Propose", 2, 2)
    assert deal.history.first().history_change_reason == "Stage: Qualify → Propose"
    event = OutboxEvent.objects.get(topic="crm.opportunity.stage_changed")
    assert event.payload == {
        "opportunity_id": deal.pk,
        "pipeline_id": pipeline.pk,
        "from_stage_id": stage(pipeline, "Qualify").pk,
        "to_stage_id": stage(pipeline, "Propose").pk,
        "changed_by": "rita.rep",
    }
    assert [e.title for e in timeline(deal)] == ["Stage: Qualify → Propose", "Opportunity opened"]


def test_a_manager_may_move_a_reps_deal(deal, pipeline, manager):
    change_stage(deal.pk, stage(pipeline, "Negotiate").pk, by=manager)
    deal.refresh_from_db()
    assert deal.stage.name == "Negotiate"


@pytest.mark.parametrize(
    ("who", "target", "version", "error", "message"),
    [
        ("other_rep", "Propose", None, PermissionRefused, "belongs to Rita Rep"),
        ("rep", "Propose", 7, StaleRecord, "version 1, yours 7"),
        ("rep", "elsewhere", None, InvalidInput, "not in the pipeline"),
    ],
)
def test_refused_moves_change_nothing(
    deal, pipeline, company, request, who, target, version, error, message
):
    """A colleague, a stale version or another pipeline's stage: refused, nothing written."""
    other = pipeline_with_stages(company, name="Renewals", stages=[("Renew", "50")])
    stage_id = other.stages.get().pk if target == "elsewhere" else stage(pipeline, target).pk
    user = request.getfixturevalue(who)
    with pytest.raises(error, match=message):
        change_stage(deal.pk, stage_id, by=user, version=version)
    deal.refresh_from_db()
    assert (deal.stage.name, deal.version) == ("Qualify", 1)
    assert not OutboxEvent.objects.filter(topic="crm.opportunity.stage_changed").exists()


def test_stale_record_is_a_412(deal, pipeline, rep):
    with pytest.raises(StaleRecord) as refusal:
        change_stage(deal.pk, stage(pipeline, "Propose").pk, by=rep, version=0)
    assert refusal.value.status == 412


def test_a_closed_deal_does_not_move(deal, pipeline, rep):
    win(deal.pk, by=rep)
    with pytest.raises(Conflict, match="is won; only open opportunities can move"):
        change_stage(deal.pk, stage(pipeline, "Propose").pk, by=rep)


def test_winning_closes_the_deal_and_announces_it(deal, rep):
    """Given Rita's 12,000 deal, When she wins it, Then it is won with a close time,
    the status log and the outbox record it."""
    won = win(deal.pk, by=rep, version=1)

    deal.refresh_from_db()
    assert (deal.status, deal.version, deal.closed_at) == ("won", 2, won.closed_at)
    assert deal.closed_at is not None
    change = StatusChange.objects.get(object_id=str(deal.pk))
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "open",
        "won",
        rep,
        "Won: 12,000.00 USD",
    )
    event = OutboxEvent.objects.get(topic="crm.opportunity.won")
    assert event.payload["amount"] == "12000.00"
    assert event.payload["party_id"] == deal.party_id


def test_a_deal_without_amount_cannot_be_won(company, pipeline, rep):
    deal = OpportunityFactory(company=company, pipeline=pipeline, owner=rep, amount=Decimal("0"))
    with pytest.raises(InvalidInput, match="Enter the amount") as refusal:
        win(deal.pk, by=rep)
    assert refusal.value.field == "amount"
    deal.refresh_from_db()
    assert (deal.status, deal.closed_at) == ("open", None)
    assert not StatusChange.objects.exists()


def test_losing_needs_a_reason(deal, rep):
    with pytest.raises(InvalidInput, match="Say why"):
        lose(deal.pk, reason="  ", by=rep)
    deal.refresh_from_db()
    assert deal.status == "open"

    lose(deal.pk, reason="Went with a competitor", by=rep)
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == ("lost", "Went with a competitor")
    assert OutboxEvent.objects.get(topic="crm.opportunity.lost").payload["reason"] == (
        "Went with a competitor"
    )


def test_a_lost_deal_reopens_but_a_won_one_does_not(deal, company, pipeline, rep):
    lose(deal.pk, reason="Budget cut", by=rep)
    reopen(deal.pk, by=rep)
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason, deal.closed_at) == ("open", "", None)
    assert [s.to_status for s in StatusChange.objects.order_by("id")] == ["lost", "open"]

    win(deal.pk, by=rep)
    with pytest.raises(TransitionNotAllowed):
        reopen(deal.pk, by=rep)
    deal.refresh_from_db()
    assert deal.status == "won"


def test_a_colleague_cannot_win_or_lose_my_deal(deal, other_rep):
    for verb in (
        lambda: win(deal.pk, by=other_rep),
        lambda: lose(deal.pk, reason="x", by=other_rep),
    ):
        with pytest.raises(PermissionRefused):
            verb()
    deal.refresh_from_db()
    assert deal.status == "open"


def test_edits_refuse_stage_changes_and_reassignment_by_a_rep(deal, rep, other_rep, manager):
    with pytest.raises(InvalidInput, match="stage cannot be edited here"):
        update_opportunity(deal.pk, by=rep, stage=None)
    with pytest.raises(PermissionRefused, match="Only a sales manager"):
        update_opportunity(deal.pk, by=rep, owner=other_rep)
    updated = update_opportunity(deal.pk, by=rep, version=1, amount=Decimal("12500.505"))
    assert (updated.amount, updated.version) == (Decimal("12500.51"), 2)
    update_opportunity(deal.pk, by=manager, owner=other_rep)
    assert Opportunity.objects.get(pk=deal.pk).owner == other_rep
