"""“My activities”: what I have to do, overdue first in red, filters, complete in place."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.core.errors import DomainError

from .. import selectors
from ..models import Activity
from ..services import activities as service
from .common import page, parse_date, parse_int

LIMIT = 500


@login_required
@permission_required("crm.view_activity", raise_exception=True)
def my_activities(request):
    """The signed-in user's activities, soonest due first; overdue ones highlighted."""
    params = request.GET
    state = params.get("state") if params.get("state") in {"open", "done", "all"} else "open"
    kind = params.get("kind") if params.get("kind") in Activity.Kind.values else None
    rows = list(
        selectors.my_activities(
            request.user,
            state=state,
            kind=kind,
            due_from=parse_date(params.get("due_from")),
            due_to=parse_date(params.get("due_to")),
            assignee_id=parse_int(params.get("assignee")),
        )[:LIMIT]
    )
    about = selectors.about_of(rows)
    feed = service.calendar_feed_for(request.user)
    return page(
        request,
        "crm/activities.html",
        {
            "rows": [(a, about[a.pk]) for a in rows],
            "now": timezone.now(),
            "state": state,
            "kind": kind,
            "kinds": Activity.Kind.choices,
            "params": params,
            "limit": LIMIT,
            "calendar_url": request.build_absolute_uri(
                reverse("crm:calendar-feed", args=[feed.token])
            ),
        },
        "My activities",
    )


@login_required
@require_POST
@permission_required("crm.change_activity", raise_exception=True)
def complete(request, activity_id: int):
    """htmx: mark one activity done with its outcome; answers with the re-rendered row."""
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=activity_id)
    error = None
    status = 200
    try:
        activity = service.complete_activity(
            activity.pk, by=request.user, outcome=request.POST.get("outcome", "")
        )
    except DomainError as refusal:
        error = refusal.detail
        status = 200 if request.headers.get("HX-Request") else refusal.status
    about = selectors.about_of([activity])[activity.pk]
    return TemplateResponse(
        request,
        "crm/activities.html#activity-row",
        {"activity": activity, "about": about, "now": timezone.now(), "error": error},
        status=status,
    )
