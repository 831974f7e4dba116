"""Activities: plan, complete, reschedule; “My activities”; e-mail reminders over real
SMTP; the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from icalendar import Calendar

from keel.core.errors import Conflict, InvalidInput, PermissionRefused
from keel.core.models import OutboxEvent
from keel.crm.models import Activity, CalendarFeed
from keel.crm.services.activities import (
    complete_activity,
    create_activity,
    reschedule_activity,
    send_due_reminders,
)

from .factories_pipeline import ActivityFactory, CustomerFactory, OpportunityFactory
from .fixtures_pipeline import *  # noqa: F403

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def deal(company, pipeline, rep):
    return OpportunityFactory(company=company, pipeline=pipeline, owner=rep, name="Acme rollout")


def test_a_rep_plans_a_call_on_their_deal_and_completes_it(company, deal, rep):
    """Given Rita's deal, When she plans a call and later completes it with an outcome,
    Then the call is done with that outcome and the completion is announced."""
    call = create_activity(
        company=company,
        kind="call",
        subject="Discovery call",
        about=deal,
        assignee=rep,
        by=rep,
        due_at=NOON,
        reminder_at=NOON - timedelta(minutes=15),
    )
    assert (call.about, call.done_at) == (deal, None)

    done = complete_activity(call.pk, by=rep, outcome="Budget confirmed", at=NOON)

    assert (done.done_at, done.outcome) == (NOON, "Budget confirmed")
    assert OutboxEvent.objects.get(topic="crm.activity.completed").payload == {
        "activity_id": call.pk,
        "kind": "call",
        "about_type": "opportunity",
        "about_id": str(deal.pk),
        "outcome": "Budget confirmed",
        "completed_by": "rita.rep",
    }
    with pytest.raises(Conflict, match="already completed on 2026-03-10"):
        complete_activity(call.pk, by=rep)


def test_activities_can_be_about_parties_too(company, rep):
    party = CustomerFactory(company=company, name="Globex")
    meeting = create_activity(
        company=company, kind="meeting", subject="Kick-off", about=party, assignee=rep, by=rep
    )
    assert meeting.about == party


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"about": "user"}, InvalidInput, "party, a lead or an opportunity"),
        ({"assignee": "other_rep"}, PermissionRefused, "for someone else"),
        ({"reminder_at": NOON + timedelta(hours=1)}, InvalidInput, "before the due time"),
        ({"subject": " "}, InvalidInput, "subject"),
    ],
)
def test_refused_plans_write_nothing(company, deal, rep, other_rep, change, error, message):
    kwargs = {
        "company": company,
        "kind": "call",
        "subject": "Call",
        "about": deal,
        "assignee": rep,
        "by": rep,
        "due_at": NOON,
    }
    if change.get("about") == "user":
        change = {"about": rep}
    if change.get("assignee") == "other_rep":
        change = {"assignee": other_rep}
    kwargs.update(change)
    with pytest.raises(error, match=message):
        create_activity(**kwargs)
    assert not Activity.objects.exists()


def test_a_rep_cannot_plan_on_a_colleagues_deal(company, deal, other_rep):
    with pytest.raises(PermissionRefused, match="belongs to"):
        create_activity(
            company=company,
            kind="task",
            subject="Peek",
            about=deal,
            assignee=other_rep,
            by=other_rep,
        )
    assert not Activity.objects.exists()


def test_rescheduling_moves_the_reminder_along(company, deal, rep, other_rep):
    call = ActivityFactory(about=deal, due_at=NOON, reminder_at=NOON - timedelta(minutes=30))
    call.reminded_at = NOON
    call.save()
    later = NOON + timedelta(days=2)

    moved = reschedule_activity(call.pk, due_at=later, by=rep)

    assert (moved.due_at, moved.reminder_at, moved.reminded_at) == (
        later,
        later - timedelta(minutes=30),
        None,
    )
    with pytest.raises(PermissionRefused):
        reschedule_activity(call.pk, due_at=NOON, by=other_rep)
    assert Activity.objects.get(pk=call.pk).due_at == later


def test_due_reminders_are_e_mailed_once(deal, rep, smtp):
    """Given a call due at 12:00 with a reminder at 11:45, a call not yet due for a
    reminder and a completed one,
    When the reminder job runs at 11:50 (and again at 11:55),
    Then Rita receives exactly one e-mail, about the first call."""
    due = ActivityFactory(
        about=deal, subject="Discovery call", due_at=NOON, reminder_at=NOON - timedelta(minutes=15)
    )
    ActivityFactory(
        about=deal,
        subject="Later call",
        due_at=NOON + timedelta(days=1),
        reminder_at=NOON + timedelta(hours=20),
    )
    ActivityFactory(
        about=deal,
        subject="Done call",
        due_at=NOON,
        reminder_at=NOON - timedelta(hours=1),
        done_at=NOON - timedelta(hours=2),
    )

    assert send_due_reminders(NOON - timedelta(minutes=10)) == 1
    assert send_due_reminders(NOON - timedelta(minutes=5)) == 0

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["X-Rcpt"] == "rita.rep@example.com"
    assert message["From"] == "keel@example.com"
    assert message["Subject"].strip() == "Reminder: Call “Discovery call” at 2026-03-10 12:00"
    assert "Due: 2026-03-10 12:00 (UTC)" in message.get_content()
    due.refresh_from_db()
    assert due.reminded_at == NOON - timedelta(minutes=10)


def test_an_unreachable_mail_server_leaves_the_reminder_due(deal, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    call = ActivityFactory(about=deal, due_at=NOON, reminder_at=NOON - timedelta(minutes=15))
    assert send_due_reminders(NOON) == 0
    call.refresh_from_db()
    assert call.reminded_at is None


def test_the_reminder_task_runs_the_service(deal, smtp):
    from keel.crm.tasks_activities import send_activity_reminders

    ActivityFactory(about=deal, due_at=NOON, reminder_at=NOON - timedelta(minutes=15))
    result = send_activity_reminders.enqueue()  # the immediate backend runs it now
    assert result.return_value == 1
    assert len(smtp.messages) == 1


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_my_activities_lists_mine_with_overdue_highlighted(
    deal, rep, other_rep, company, django_assert_max_num_queries
):
    """Rita sees her open activities, the past-due one marked overdue; not Oscar's."""
    past = datetime(2020, 1, 1, 9, 0, tzinfo=UTC)
    future = datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
    ActivityFactory(about=deal, subject="Overdue call", due_at=past)
    ActivityFactory(about=deal, subject="Future meeting", kind="meeting", due_at=future)
    ActivityFactory(
        about=CustomerFactory(company=company),
        subject="Party task",
        kind="task",
        assignee=rep,
        due_at=future,
    )
    ActivityFactory(about=deal, subject="Oscar's call", assignee=other_rep, due_at=past)
    client = client_for(rep)
    with django_assert_max_num_queries(14):
        response = client.get("/w/crm/activities/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="activity-row"') == 3
    assert html.count('data-overdue="1"') == 1
    assert "2020-01-01 09:00 (overdue)" in html
    assert "Oscar&#x27;s call" not in html and "Oscar's call" not in html
    meetings = client.get("/w/crm/activities/?kind=meeting").content.decode()
    assert meetings.count('data-testid="activity-row"') == 1 and "Future meeting" in meetings


def test_completing_from_the_page(deal, rep, other_rep):
    call = ActivityFactory(about=deal, subject="Call back", due_at=NOON)
    response = client_for(rep).post(
        f"/w/crm/activities/{call.pk}/complete/",
        {"outcome": "Left a message"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Left a message" in response.content.decode()
    assert Activity.objects.get(pk=call.pk).outcome == "Left a message"
    refused = client_for(other_rep).post(f"/w/crm/activities/{call.pk}/complete/")
    assert refused.status_code == 404


def test_the_calendar_feed_lists_open_activities(deal, rep):
    """Rita's feed holds her open activities with a due time, as iCalendar events."""
    ActivityFactory(about=deal, subject="Demo", kind="meeting", due_at=NOON, duration_minutes=60)
    ActivityFactory(about=deal, subject="Done", due_at=NOON, done_at=NOON)
    ActivityFactory(about=deal, subject="Someday")  # no due time
    feed = CalendarFeed.objects.create(user=rep)

    response = Client().get(f"/w/crm/calendar/{feed.token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        ("Meeting: Demo", NOON, NOON + timedelta(hours=1))
    ]


def test_a_wrong_calendar_token_is_a_404(rep):
    CalendarFeed.objects.create(user=rep)
    assert Client().get("/w/crm/calendar/not-the-token.ics").status_code == 404
