"""Reads of the CRM; never writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import QuerySet

from keel.core.money import round_money

from .models import Activity, Opportunity, Pipeline, Stage


def default_pipeline(company) -> Pipeline | None:
    return Pipeline.objects.filter(company=company, active=True).order_by("id").first()


def first_stage(pipeline: Pipeline) -> Stage | None:
    return pipeline.stages.order_by("sequence").first()


# --- opportunities, activities (pipeline work) --------------------------------


def sees_all_opportunities(user) -> bool:
    return user.is_superuser or user.has_perm("crm.view_all_opportunities")


def sees_all_activities(user) -> bool:
    return user.is_superuser or user.has_perm("crm.view_all_activities")


def may_manage_opportunity(user, opportunity: Opportunity) -> bool:
    """The owner, or someone who sees every rep's deals and may change them (a manager)."""
    if user is None:  # the system itself (imports, demo, tasks)
        return True
    if opportunity.owner_id == user.pk:
        return True
    return sees_all_opportunities(user) and user.has_perm("crm.change_opportunity")


def opportunities_visible_to(user) -> QuerySet[Opportunity]:
    """All opportunities for managers, marketing and auditors; a rep's own otherwise."""
    qs = Opportunity.objects.select_related("party", "owner", "pipeline", "stage")
    return qs if sees_all_opportunities(user) else qs.filter(owner=user)


def activities_visible_to(user) -> QuerySet[Activity]:
    """Everyone's activities for managers and auditors; the user's own otherwise."""
    qs = Activity.objects.select_related("assignee", "content_type")
    return qs if sees_all_activities(user) else qs.filter(assignee=user)


def pipelines_of(company) -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(company=company, active=True).prefetch_related("stages")


@dataclass(frozen=True)
class Card:
    id: int
    name: str
    party: str
    amount: Decimal
    currency: str
    owner: str
    expected_close: date | None
    stage_id: int
    version: int

    @property
    def amount_display(self) -> str:
        return f"{self.amount:,.2f}"


@dataclass
class Column:
    stage: Stage
    cards: list[Card] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.cards)

    @property
    def weighted(self) -> dict[str, Decimal]:
        """Σ amount × the stage's probability, per currency, rounded to the currency."""
        p = self.stage.probability
        return {cur: round_money(total * p / 100, cur) for cur, total in self.totals.items()}


def _person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def board(
    pipeline: Pipeline,
    user,
    *,
    owner_id: int | None = None,
    close_from: date | None = None,
    close_to: date | None = None,
    only_stages: set[int] | None = None,
) -> list[Column]:
    """The pipeline's stages in order, each with its open opportunities and totals.

    Two queries whatever the size: the stages, then every card (plain values, no
    model instances: the board must draw thousands of cards quickly). Totals are
    summed in Python as Decimal, exact on SQLite too.
    """
    stages = pipeline.stages.order_by("sequence")
    rows = Opportunity.objects.filter(pipeline=pipeline, status=Opportunity.Status.OPEN)
    if only_stages is not None:  # redraw just these columns (after a move)
        stages = stages.filter(pk__in=only_stages)
        rows = rows.filter(stage_id__in=only_stages)
    columns = {stage.pk: Column(stage) for stage in stages}
    if not sees_all_opportunities(user):
        rows = rows.filter(owner=user)
    if owner_id:
        rows = rows.filter(owner_id=owner_id)
    if close_from:
        rows = rows.filter(expected_close__gte=close_from)
    if close_to:
        rows = rows.filter(expected_close__lte=close_to)
    rows = rows.order_by("expected_close", "id").values_list(
        "id",
        "name",
        "party__name",
        "amount",
        "currency",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
        "expected_close",
        "stage_id",
        "version",
    )
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for pk, name, party, amount, cur, first, last, uname, close, stage_id, version in rows:
        column = columns.get(stage_id)
        if column is None:  # a stage of another pipeline cannot happen; skip defensively
            continue
        column.cards.append(
            Card(
                pk, name, party, amount, cur, _person(first, last, uname), close, stage_id, version
            )
        )
        sums[stage_id][cur] += amount
    for stage_id, per_currency in sums.items():
        columns[stage_id].totals = dict(sorted(per_currency.items()))
    return list(columns.values())


@dataclass(frozen=True)
class About:
    label: str
    link: str


def about_of(activities) -> dict[int, About]:
    """What each activity is about, labelled and linked: one query per kind of record
    (party, lead, opportunity), not one per activity."""
    from django.urls import NoReverseMatch, reverse

    wanted: dict[int, set[str]] = defaultdict(set)
    types = {}
    for activity in activities:
        wanted[activity.content_type_id].add(activity.object_id)
        types[activity.content_type_id] = activity.content_type
    labels: dict[tuple[int, str], About] = {}
    for ct_id, ids in wanted.items():
        content_type = types[ct_id]
        model = content_type.model_class()
        if model is None:
            continue
        url = f"admin:{content_type.app_label}_{content_type.model}_change"
        for record in model._default_manager.filter(pk__in=ids):
            try:
                link = reverse(url, args=[record.pk])
            except NoReverseMatch:  # that record type has no workspace page (yet)
                link = ""
            labels[(ct_id, str(record.pk))] = About(str(record), link)
    missing = About("(deleted)", "")
    return {a.pk: labels.get((a.content_type_id, a.object_id), missing) for a in activities}


def my_activities(
    user,
    *,
    state: str = "open",
    kind: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    assignee_id: int | None = None,
) -> QuerySet[Activity]:
    """The user's activities (everyone's for a manager who picks an assignee), soonest
    first; `state` is open, done or all."""
    qs = activities_visible_to(user)
    if assignee_id and sees_all_activities(user):
        qs = qs.filter(assignee_id=assignee_id)
    elif not assignee_id:
        qs = qs.filter(assignee=user)
    if state == "open":
        qs = qs.filter(done_at__isnull=True)
    elif state == "done":
        qs = qs.filter(done_at__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    if due_from:
        qs = qs.filter(due_at__date__gte=due_from)
    if due_to:
        qs = qs.filter(due_at__date__lte=due_to)
    return qs.order_by(models.F("due_at").asc(nulls_last=True), "id")
