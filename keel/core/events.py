"""The event bus: synchronous subscribers in the caller's transaction, plus the outbox.

`publish()` runs every subscriber of the event's type now, inside the
publisher's transaction (a subscriber's error rolls the whole change back),
and writes the event to the outbox. Work that leaves the process (webhooks,
e-mail) is dispatched from the outbox only after the transaction commits.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .bulk_insert import columns, insert_rows, prepare
from .models import OutboxEvent, WebhookSubscription


@dataclasses.dataclass(frozen=True)
class Event:
    """A fact a domain announces. Subclasses set `topic` ('<domain>.<thing>.<verb>')."""

    topic: ClassVar[str] = "event"

    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_json())

    def payload_json(self) -> str:
        """The payload as JSON text (what the outbox stores)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if not all(isinstance(v, _PLAIN) for v in values.values()):
            values = dataclasses.asdict(self)  # nested values: copy them deeply
        return json.dumps(values, cls=DjangoJSONEncoder)


_PLAIN = (str, int, float, bool, type(None))


Handler = Callable[[Any], None]
_subscribers: dict[type[Event], list[Handler]] = defaultdict(list)
_after_commit_hooks: list[Callable[[], None]] = []


def subscribe(event_type: type[Event], handler: Handler) -> None:
    """Call `handler(event)` whenever `event_type` is published (idempotent registration)."""
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def on_outbox_commit(hook: Callable[[], None]) -> None:
    """Register what runs after a transaction that wrote outbox events commits."""
    if hook not in _after_commit_hooks:
        _after_commit_hooks.append(hook)


def _after_commit() -> None:
    for hook in _after_commit_hooks:
        hook()


def publish(event: Event, *, company=None) -> OutboxEvent:
    """Run the subscribers of `event` and record it in the outbox, atomically."""
    with transaction.atomic():
        for handler in list(_subscribers.get(type(event), [])):
            handler(event)
        record = OutboxEvent.objects.create(
            topic=event.topic,
            payload=event.payload(),
            company=company,
            occurred_at=timezone.now(),
        )
        _kick_after_commit()
    return record


def publish_many(events: list[Event], *, company=None) -> int:
    """`publish()` for a batch (1,000 postings of one import): the same subscribers, in
    order, and the outbox rows written in one statement (COPY on PostgreSQL) instead
    of one per event. Returns the number of events written.

    An event no active webhook subscription wants is recorded as dispatched at once:
    marking a thousand rows later, only to fan them out to no one, would cost the
    import more than writing them."""
    if not events:
        return 0
    with transaction.atomic():
        for event in events:
            for handler in list(_subscribers.get(type(event), [])):
                handler(event)
        now = timezone.now()
        company_id = getattr(company, "pk", company)
        wanted = _wanted_topics(company_id, {e.topic for e in events})
        fields = columns(OutboxEvent)
        rows = prepare(
            [
                {
                    "id": uuid.uuid4(),
                    "topic": e.topic,
                    "payload": None,
                    "company_id": company_id,
                    "occurred_at": now,
                    "dispatched_at": None if e.topic in wanted else now,
                }
                for e in events
            ],
            fields,
        )
        # The payload goes in as JSON text: both databases parse it into the column.
        at = [f.attname for f in fields].index("payload")
        for row, event in zip(rows, events, strict=True):
            row[at] = event.payload_json()
        insert_rows(OutboxEvent, fields, rows)
        if wanted:
            _kick_after_commit()
    return len(events)


def _wanted_topics(company_id: int | None, topics: set[str]) -> set[str]:
    """The topics among `topics` that an active webhook subscription of the company
    (or any, for an event without company) will want delivered."""
    subscriptions = WebhookSubscription.objects.filter(active=True)
    if company_id is not None:
        subscriptions = subscriptions.filter(company_id=company_id)
    wanted: set[str] = set()
    for subscription in subscriptions.only("event_types"):
        wanted.update(topic for topic in topics if subscription.wants(topic))
    return wanted


def _kick_after_commit() -> None:
    """Schedule the after-commit hooks once per transaction, however many events it
    publishes (a batch of 1,000 postings wants one dispatch, not 1,000)."""
    connection = transaction.get_connection()
    if not any(entry[1] is _after_commit for entry in connection.run_on_commit):
        transaction.on_commit(_after_commit)


# --- Facts the core announces ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class ApprovalRequested(Event):
    topic: ClassVar[str] = "core.approval.requested"
    request_id: int
    document_type: str
    document_id: str
    action: str
    amount: str
    requested_by: str


@dataclasses.dataclass(frozen=True)
class ApprovalDecided(Event):
    topic: ClassVar[str] = "core.approval.decided"
    request_id: int
    document_type: str
    document_id: str
    action: str
    decision: str
    decided_by: str
