"""Explainable lead scores: field rules and decaying behaviour rules, summed with reasons.

A score is derived data: re-scoring writes only score, score_breakdown and scored_at
(no version bump, no history row) so that it can run over every lead every night.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from keel.core.errors import InvalidInput

from ..models import Lead, LeadEngagement, ScoringRule
from ..selectors_leads import scoring_rules

# Lead fields a rule may test; region and industry are compared by their name.
SCORABLE_FIELDS = {
    "first_name",
    "last_name",
    "organisation_name",
    "job_title",
    "email",
    "phone",
    "website",
    "country",
    "region",
    "industry",
    "employees",
    "message",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
}
NAMED_FIELDS = {"region", "industry"}
VALUE_FIELDS = sorted(SCORABLE_FIELDS - NAMED_FIELDS) + ["region__name", "industry__name"]
BATCH = 2000


def check_rule(rule: ScoringRule) -> None:
    """Refuse a rule that could never be evaluated, saying what to fix."""
    Kind, Op = ScoringRule.Kind, ScoringRule.Operator
    if rule.kind == Kind.FIELD:
        if rule.field not in SCORABLE_FIELDS:
            raise InvalidInput(
                f"'{rule.field}' is not a lead field a rule can test; use one of "
                f"{', '.join(sorted(SCORABLE_FIELDS))}.",
                field="field",
            )
        if rule.operator != Op.IS_SET and not rule.value.strip():
            raise InvalidInput("Give the value the field is compared with.", field="value")
        if rule.operator == Op.GREATER_THAN:
            try:
                float(rule.value)
            except ValueError:
                raise InvalidInput(
                    "'greater than' compares numbers; give a number.", field="value"
                ) from None
    elif not rule.behaviour.strip():
        raise InvalidInput(
            "Name the engagement kind this rule counts (e.g. opened_mailing).", field="behaviour"
        )


def _round(value: float) -> int:
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _field_points(rule: ScoringRule, actual) -> str | None:
    """Why the rule matches the value, or None when it does not."""
    Op = ScoringRule.Operator
    label = rule.field
    if rule.operator == Op.IS_SET:
        return f"{label} is set" if actual not in (None, "") else None
    if actual in (None, ""):
        return None
    if rule.operator == Op.GREATER_THAN:
        try:
            return f"{label} {actual} > {rule.value}" if float(actual) > float(rule.value) else None
        except (TypeError, ValueError):
            return None
    text, wanted = str(actual).strip().lower(), rule.value.strip().lower()
    if rule.operator == Op.EQUALS:
        return f"{label} is {actual}" if text == wanted else None
    if rule.operator == Op.CONTAINS:
        return f"{label} '{actual}' contains '{rule.value}'" if wanted in text else None
    return None


def evaluate(rules: list[ScoringRule], values: dict, engagements: list, now) -> tuple[int, list]:
    """(total, breakdown) of one lead. `values` maps field names to values (region and
    industry by name); `engagements` is [(kind, occurred_at)]. Each engagement gives
    points * 0.5 ** (age_days / half_life), rounded per rule once summed."""
    total, breakdown = 0, []
    by_kind: dict[str, list] = defaultdict(list)
    for kind, occurred_at in engagements:
        by_kind[kind].append(occurred_at)
    for rule in rules:
        if rule.kind == ScoringRule.Kind.FIELD:
            why = _field_points(rule, values.get(rule.field))
            if why is None:
                continue
            points = rule.points
        else:
            moments = by_kind.get(rule.behaviour)
            if not moments:
                continue
            raw = 0.0
            for moment in moments:
                if rule.half_life_days:
                    age_days = max(0.0, (now - moment).total_seconds() / 86400)
                    raw += rule.points * 0.5 ** (age_days / rule.half_life_days)
                else:
                    raw += rule.points
            points = _round(raw)
            why = f"{len(moments)} × {rule.behaviour}"
            if rule.half_life_days:
                why += f", decayed with a {rule.half_life_days}-day half-life"
        if points:
            total += points
            breakdown.append({"rule": rule.name, "points": points, "why": why})
    return total, breakdown


def values_of(lead: Lead, region_name: str | None = None, industry_name: str | None = None):
    """The scorable values of an in-memory lead; pass names to avoid a query per lead."""
    values = {name: getattr(lead, name) for name in SCORABLE_FIELDS - NAMED_FIELDS}
    if region_name is None and lead.region_id:
        region_name = lead.region.name
    if industry_name is None and lead.industry_id:
        industry_name = lead.industry.name
    values["region"], values["industry"] = region_name, industry_name
    return values


def apply_score(lead: Lead, rules: list[ScoringRule], now, engagements=(), **names) -> None:
    """Set the score of an unsaved (or about to be saved) lead in memory."""
    lead.score, lead.score_breakdown = evaluate(
        rules, values_of(lead, **names), list(engagements), now
    )
    lead.scored_at = now


def score_lead(lead: Lead, now=None) -> Lead:
    """Re-score one lead from its fields and engagements, and store the result."""
    now = now or timezone.now()
    rules = scoring_rules(lead.company_id)
    kinds = {r.behaviour for r in rules if r.kind == ScoringRule.Kind.BEHAVIOUR}
    engagements = LeadEngagement.objects.filter(lead=lead, kind__in=kinds).values_list(
        "kind", "occurred_at"
    )
    apply_score(lead, rules, now, engagements)
    Lead.objects.filter(pk=lead.pk).update(
        score=lead.score, score_breakdown=lead.score_breakdown, scored_at=now
    )
    return lead


def score_leads(queryset: QuerySet[Lead], now=None, *, batch_size: int = BATCH) -> int:
    """Re-score every lead of `queryset` set-wise: per batch one read of the leads, one of
    their engagements and one bulk update of those whose score changed. Returns how many
    changed."""
    now = now or timezone.now()
    rules_of: dict[int, list[ScoringRule]] = defaultdict(list)
    for rule in ScoringRule.objects.filter(active=True).order_by("kind", "id"):
        rules_of[rule.company_id].append(rule)
    kinds = {r.behaviour for rs in rules_of.values() for r in rs if r.kind == "behaviour"}
    changed, last_pk = 0, 0
    fields = ("pk", "company_id", "score", "score_breakdown", *VALUE_FIELDS)
    while True:
        rows = list(queryset.filter(pk__gt=last_pk).order_by("pk").values(*fields)[:batch_size])
        if not rows:
            return changed
        last_pk = rows[-1]["pk"]
        engagements: dict[int, list] = defaultdict(list)
        if kinds:
            for lead_id, kind, moment in LeadEngagement.objects.filter(
                lead_id__in=[r["pk"] for r in rows], kind__in=kinds
            ).values_list("lead_id", "kind", "occurred_at"):
                engagements[lead_id].append((kind, moment))
        updates = []
        for row in rows:
            row["region"], row["industry"] = row["region__name"], row["industry__name"]
            score, breakdown = evaluate(
                rules_of.get(row["company_id"], []), row, engagements.get(row["pk"], []), now
            )
            if score != row["score"] or breakdown != row["score_breakdown"]:
                updates.append(
                    Lead(pk=row["pk"], score=score, score_breakdown=breakdown, scored_at=now)
                )
        if updates:
            Lead.objects.bulk_update(updates, ["score", "score_breakdown", "scored_at"])
            changed += len(updates)


def save_scoring_rule(rule: ScoringRule, *, by=None) -> ScoringRule:
    """Store a new or changed rule after checking it can be evaluated."""
    check_rule(rule)
    if rule.pk is None:
        rule.created_by = by
    rule.updated_by = by
    rule.save()
    return rule
