"""Core tables: company, status log, number series, outbox, approvals, webhooks,
idempotency keys, task workers' heartbeats."""

from .approvals import ApprovalRequest, ApprovalRule
from .base import Company, CompanyScoped, Document, Tracked, Versioned
from .idempotency import IdempotentRequest
from .numbering import Sequence
from .outbox import OutboxEvent
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .workers import WorkerHeartbeat
from .workflow import StatusChange

__all__ = [
    "ApprovalRequest",
    "ApprovalRule",
    "Company",
    "CompanyScoped",
    "Document",
    "IdempotentRequest",
    "OutboxEvent",
    "Sequence",
    "StatusChange",
    "Tracked",
    "Versioned",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerHeartbeat",
]
