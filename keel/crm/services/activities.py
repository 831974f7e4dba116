"""Activities: plan a call, e-mail, meeting or task about a party, lead or opportunity;
complete it with an outcome; reschedule it; remind its assignee by e-mail."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from keel.core.errors import Conflict, InvalidInput, NotFound, PermissionRefused
from keel.core.events import publish
from keel.core.transactions import atomic_service
from keel.parties.models import Party

from ..events import ActivityCompleted
from ..models import Activity, Lead, Opportunity
from ..selectors import may_manage_opportunity, sees_all_activities

logger = logging.getLogger("keel.crm")

# What an activity can be about (the generic reference stays inside the CRM and parties).
ABOUT_MODELS = (Party, Lead, Opportunity)


def _about_allowed(about) -> None:
    if not isinstance(about, ABOUT_MODELS) or about.pk is None:
        raise InvalidInput("An activity is about a party, a lead or an opportunity.", field="about")


def _may_act_for(by, assignee) -> bool:
    return by is None or assignee.pk == by.pk or sees_all_activities(by)


def _check_times(due_at: datetime | None, reminder_at: datetime | None) -> None:
    if reminder_at is not None and due_at is not None and reminder_at > due_at:
        raise InvalidInput("The reminder must come before the due time.", field="reminder_at")
    if reminder_at is not None and due_at is None:
        raise InvalidInput("Set a due time to be reminded of it.", field="due_at")


@atomic_service
def create_activity(
    *,
    company,
    kind: str,
    subject: str,
    about,
    assignee,
    by=None,
    due_at: datetime | None = None,
    reminder_at: datetime | None = None,
    **fields,
) -> Activity:
    """A planned activity about a party, lead or opportunity, assigned to someone."""
    _about_allowed(about)
    if not subject.strip():
        raise InvalidInput("Give the activity a subject.", field="subject")
    if kind not in Activity.Kind.values:
        raise InvalidInput(f"{kind!r} is not a kind of activity.", field="kind")
    if not _may_act_for(by, assignee):
        raise PermissionRefused(
            "Only a sales manager can plan activities for someone else.", field="assignee"
        )
    if isinstance(about, Opportunity) and not may_manage_opportunity(by, about):
        raise PermissionRefused(
            f"“{about}” belongs to {about.owner}; you cannot plan activities on it.",
            field="about",
        )
    _check_times(due_at, reminder_at)
    return Activity.objects.create(
        company=company,
        kind=kind,
        subject=subject.strip(),
        content_type=ContentType.objects.get_for_model(about),
        object_id=str(about.pk),
        assignee=assignee,
        due_at=due_at,
        reminder_at=reminder_at,
        created_by=by,
        updated_by=by,
        **fields,
    )


def _locked(activity_id: int, by) -> Activity:
    activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(f"There is no activity {activity_id}.")
    if not _may_act_for(by, activity.assignee):
        raise PermissionRefused(
            f"“{activity.subject}” is assigned to {activity.assignee}; only they or a sales "
            "manager can change it."
        )
    return activity


@atomic_service
def complete_activity(activity_id: int, *, by=None, outcome: str = "", at=None) -> Activity:
    """Mark it done with what came of it (a completed activity is final)."""
    activity = _locked(activity_id, by)
    if activity.done_at is not None:
        raise Conflict(
            f"“{activity.subject}” was already completed on {activity.done_at:%Y-%m-%d}.",
            code="activity_done",
        )
    activity.done_at = at or timezone.now()
    activity.outcome = outcome.strip()[:300]
    activity.updated_by = by
    activity.save(update_fields=["done_at", "outcome", "updated_by", "updated_at"])
    publish(
        ActivityCompleted(
            activity_id=activity.pk,
            kind=activity.kind,
            about_type=activity.content_type.model,
            about_id=activity.object_id,
            outcome=activity.outcome,
            completed_by=by.get_username() if by is not None else "system",
        ),
        company=activity.company,
    )
    return activity


@atomic_service
def reschedule_activity(
    activity_id: int, *, due_at: datetime, by=None, reminder_at: datetime | None = None
) -> Activity:
    """Move an open activity; its reminder moves with it unless a new one is given."""
    if due_at is None:
        raise InvalidInput("Say when it is due now.", field="due_at")
    activity = _locked(activity_id, by)
    if activity.done_at is not None:
        raise Conflict(f"“{activity.subject}” is already done.", code="activity_done")
    if reminder_at is None and activity.reminder_at and activity.due_at:
        reminder_at = due_at - (activity.due_at - activity.reminder_at)
    _check_times(due_at, reminder_at)
    activity.due_at = due_at
    activity.reminder_at = reminder_at
    activity.reminded_at = None
    activity.updated_by = by
    activity.save(
        update_fields=["due_at", "reminder_at", "reminded_at", "updated_by", "updated_at"]
    )
    return activity


@atomic_service
def update_activity(activity_id: int, *, by=None, **changes) -> Activity:
    """Edit an open activity's text and duration (times move with reschedule)."""
    allowed = {"subject", "description", "kind", "duration_minutes"}
    unknown = set(changes) - allowed
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(f"{field} cannot be edited here.", field=field)
    activity = _locked(activity_id, by)
    for name, value in changes.items():
        setattr(activity, name, value)
    if not activity.subject.strip():
        raise InvalidInput("Give the activity a subject.", field="subject")
    activity.updated_by = by
    activity.save()
    return activity


def _reminder_text(activity: Activity) -> tuple[str, str]:
    when = timezone.localtime(activity.due_at).strftime("%Y-%m-%d %H:%M") if activity.due_at else ""
    subject = f"Reminder: {activity.get_kind_display()} “{activity.subject}” at {when}"
    body = (
        f"Hello {activity.assignee},\n\n"
        f"{activity.get_kind_display()}: {activity.subject}\n"
        f"Due: {when} ({settings.TIME_ZONE})\n"
        f"About: {activity.content_type.name} #{activity.object_id}\n\n"
        f"{activity.description}\n"
    )
    return subject, body


def send_due_reminders(now: datetime) -> int:
    """E-mail each assignee whose reminder time has passed, once per activity.

    Each activity is its own transaction: a mail server failure leaves that
    reminder due for the next run, the others are still sent.
    """
    due = list(
        Activity.objects.filter(
            reminder_at__lte=now, reminded_at__isnull=True, done_at__isnull=True
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        try:
            with transaction.atomic():
                activity = (
                    Activity.objects.select_for_update(of=("self",))
                    .select_related("assignee", "content_type")
                    .filter(pk=pk, reminded_at__isnull=True, done_at__isnull=True)
                    .first()
                )
                if activity is None:  # completed or reminded meanwhile
                    continue
                if activity.assignee.email:
                    subject, body = _reminder_text(activity)
                    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [activity.assignee.email])
                    sent += 1
                activity.reminded_at = now
                activity.save(update_fields=["reminded_at"])
        except OSError:
            logger.exception("could not send the reminder of activity %s", pk)
    return sent


def calendar_feed_for(user):
    """The user's secret calendar address (made on first use)."""
    from ..models import CalendarFeed

    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@atomic_service
def delete_activity(activity_id: int, *, by=None) -> None:
    """Remove a planned activity; a completed one is part of the record and stays."""
    activity = _locked(activity_id, by)
    if activity.done_at is not None:
        raise Conflict(f"“{activity.subject}” is done; it stays on the timeline.")
    activity.delete()
