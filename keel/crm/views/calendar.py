"""The iCalendar feed of a user's open activities, at a secret address (no sign-in:
calendar apps cannot sign in; the token is the key)."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpResponse
from icalendar import Calendar, Event

from ..models import Activity, CalendarFeed

DEFAULT_DURATION = timedelta(minutes=30)


def feed(request, token: str):
    """Open activities with a due time, as VEVENTs; an unknown token is a 404."""
    subscription = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if subscription is None or not subscription.user.is_active:
        raise Http404("No such calendar")
    calendar = Calendar()
    calendar.add("prodid", "-//Keel//CRM activities//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Keel: {subscription.user}")
    activities = Activity.objects.filter(
        assignee=subscription.user, done_at__isnull=True, due_at__isnull=False
    ).order_by("due_at", "id")
    host = request.get_host().split(":")[0] or "keel"
    for activity in activities:
        event = Event()
        event.add("uid", f"crm-activity-{activity.pk}@{host}")
        event.add("summary", f"{activity.get_kind_display()}: {activity.subject}")
        event.add("dtstart", activity.due_at)
        minutes = activity.duration_minutes
        event.add(
            "dtend", activity.due_at + (timedelta(minutes=minutes) if minutes else DEFAULT_DURATION)
        )
        event.add("dtstamp", activity.updated_at)
        event.add("categories", [activity.get_kind_display()])
        if activity.description:
            event.add("description", activity.description)
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="keel-activities.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
