"""Who gets a new lead: the first active rule (by priority) whose territory matches,
in turn among its members (round-robin) or to the least loaded one, within capacity."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from keel.core.transactions import atomic_service

from ..models import AssignmentRule, Lead
from ..selectors_leads import OPEN_STATUSES, assignment_rules


def _members_of(rules: list[AssignmentRule]) -> dict[int, list[int]]:
    """Active members of each rule, by user id (the round-robin order), in one query."""
    through = AssignmentRule.members.through
    members: dict[int, list[int]] = defaultdict(list)
    for rule_id, user_id in (
        through.objects.filter(assignmentrule_id__in=[r.pk for r in rules], user__is_active=True)
        .order_by("user_id")
        .values_list("assignmentrule_id", "user_id")
    ):
        members[rule_id].append(user_id)
    return members


def _open_leads(company, user_ids: set[int]) -> dict[int, int]:
    rows = (
        Lead.objects.filter(company=company, owner_id__in=user_ids, status__in=OPEN_STATUSES)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    return dict(rows)


def _pick(rule: AssignmentRule, members: list[int], load: dict[int, int]) -> int | None:
    eligible = [m for m in members if rule.capacity is None or load.get(m, 0) < rule.capacity]
    if not eligible:
        return None
    if rule.method == AssignmentRule.Method.CAPACITY:
        return min(eligible, key=lambda m: (load.get(m, 0), m))
    # Round-robin: the next member after the last one served, wrapping around.
    last = rule.last_assigned_id
    after = [m for m in eligible if last is None or m > last]
    return (after or eligible)[0]


@atomic_service
def choose_owners(company, region_ids: list[int | None]) -> list[int | None]:
    """An owner (user id, or None when no rule can take it) for each new lead of the
    given regions, in order; each matched rule remembers its last assignee. The rules are
    locked so that concurrent captures continue the same turn."""
    rules = list(assignment_rules(company).select_for_update())
    if not rules or not region_ids:
        return [None] * len(region_ids)
    members = _members_of(rules)
    load = _open_leads(company, {m for ms in members.values() for m in ms})
    touched: set[int] = set()
    owners: list[int | None] = []
    for region_id in region_ids:
        chosen = None
        for rule in rules:
            if rule.region_id is not None and rule.region_id != region_id:
                continue
            chosen = _pick(rule, members.get(rule.pk, []), load)
            if chosen is None:
                continue  # everyone is full (or no one is a member): the next rule may help
            rule.last_assigned_id = chosen
            load[chosen] = load.get(chosen, 0) + 1
            touched.add(rule.pk)
            break
        owners.append(chosen)
    for rule in rules:
        if rule.pk in touched:
            AssignmentRule.objects.filter(pk=rule.pk).update(last_assigned_id=rule.last_assigned_id)
    return owners


def assign_leads(company, leads: list[Lead]) -> int:
    """Give each unowned lead in `leads` (in memory; the caller saves them) an owner from
    the rules. Returns how many got one."""
    pending = [lead for lead in leads if lead.owner_id is None]
    owners = choose_owners(company, [lead.region_id for lead in pending]) if pending else []
    for lead, owner in zip(pending, owners, strict=True):
        lead.owner_id = owner
    return sum(owner is not None for owner in owners)


@atomic_service
def save_assignment_rule(rule: AssignmentRule, *, members=None, by=None) -> AssignmentRule:
    """Store a new or changed rule; `members` (users), when given, replaces its members."""
    from keel.core.errors import InvalidInput

    if rule.capacity == 0:
        raise InvalidInput(
            "A capacity of 0 would never assign anyone; leave it empty.", field="capacity"
        )
    if rule.pk is None:
        rule.created_by = by
    rule.updated_by = by
    rule.save()
    if members is not None:
        rule.members.set(members)
    return rule
