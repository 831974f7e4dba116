"""The timeline of a record: what happened to a party, lead or opportunity, newest first.

An extension point. Any domain registers a source with
`register_timeline_source(name, fn)`; `fn(record)` yields `TimelineEntry`s for
the records it knows about (and nothing for the others). The CRM registers
activities and status/stage changes; higher tiers (sales orders, tickets,
mailings) add theirs from their own AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from keel.core.models import StatusChange


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # e.g. "call", "stage", "won", "lost"; the UI picks an icon by it
    title: str
    detail: str = ""
    user: str = ""
    link: str = ""


Source = Callable[[object], Iterable[TimelineEntry]]
_sources: dict[str, Source] = {}


def register_timeline_source(name: str, fn: Source) -> None:
    """Add (or replace) the source called `name`."""
    _sources[name] = fn


def timeline_sources() -> list[str]:
    return sorted(_sources)


def timeline(record, *, limit: int = 100) -> list[TimelineEntry]:
    """Every registered source's entries for `record`, newest first."""
    entries: list[TimelineEntry] = []
    for fn in _sources.values():
        entries.extend(fn(record))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _admin_link(record) -> str:
    opts = record._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return ""


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- the CRM's own sources -----------------------------------------------------


def activity_entries(record) -> Iterable[TimelineEntry]:
    """Activities about the record (done ones at their completion, open ones when due)."""
    from .models import Activity

    activities = Activity.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).select_related("assignee")
    for activity in activities:
        done = activity.done_at is not None
        at = activity.done_at or activity.due_at or activity.created_at
        state = "done" if done else "planned"
        yield TimelineEntry(
            at=at,
            kind=activity.kind,
            title=f"{activity.get_kind_display()} ({state}): {activity.subject}",
            detail=activity.outcome if done else activity.description,
            user=_person(activity.assignee),
            link=_admin_link(activity),
        )


def status_entries(record) -> Iterable[TimelineEntry]:
    """Status changes logged by core.workflow.transition() (won, lost, reopened, …)."""
    changes = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).select_related("changed_by")
    for change in changes:
        yield TimelineEntry(
            at=change.changed_at,
            kind=change.to_status,
            title=f"{change.from_status.title()} → {change.to_status.title()}",
            detail=change.note,
            user=_person(change.changed_by),
        )


def stage_entries(record) -> Iterable[TimelineEntry]:
    """An opportunity's creation and its moves between stages, from its history."""
    from .models import Opportunity

    if not isinstance(record, Opportunity):
        return
    rows = (
        record.history.filter(history_type__in=["+", "~"])
        .select_related("history_user")
        .order_by("history_date", "history_id")
        .values_list(
            "history_type",
            "history_date",
            "history_change_reason",
            "stage_id",
            "history_user__first_name",
            "history_user__last_name",
            "history_user__username",
        )
    )
    for kind, at, reason, _stage_id, first, last, username in rows:
        user = f"{first or ''} {last or ''}".strip() or (username or "")
        if kind == "+":
            yield TimelineEntry(at=at, kind="created", title="Opportunity opened", user=user)
        elif reason and reason.startswith("Stage:"):
            yield TimelineEntry(at=at, kind="stage", title=reason, user=user)


def party_deal_entries(record) -> Iterable[TimelineEntry]:
    """A party's opportunities: when each was opened, and won or lost."""
    from keel.parties.models import Party

    from .models import Opportunity

    if not isinstance(record, Party):
        return
    deals = Opportunity.objects.filter(party=record).select_related("owner")
    for deal in deals:
        link = _admin_link(deal)
        owner = _person(deal.owner)
        yield TimelineEntry(
            deal.created_at, "created", f"Opportunity “{deal}” opened", "", owner, link
        )
        if deal.closed_at and deal.status != Opportunity.Status.OPEN:
            yield TimelineEntry(
                deal.closed_at,
                deal.status,
                f"Opportunity “{deal}” {deal.get_status_display().lower()}",
                f"{deal.amount} {deal.currency}" if deal.status == "won" else deal.lost_reason,
                owner,
                link,
            )


def register_crm_sources() -> None:
    register_timeline_source("crm.activities", activity_entries)
    register_timeline_source("crm.status", status_entries)
    register_timeline_source("crm.stages", stage_entries)
    register_timeline_source("crm.party_deals", party_deal_entries)
