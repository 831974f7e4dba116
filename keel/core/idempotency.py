"""Idempotency-Key for the API: the same key replays the first answer instead of acting twice.

A client that retries a POST after a timeout (or a double click that sends
two) passes the same `Idempotency-Key` header; the first request acts, the
others get its stored answer with `Idempotent-Replayed: true`. A key reused
for a different request is refused (422). A repeat that arrives while the
first is still running (a double click) waits for the first's answer, up to
WAIT_FOR_FIRST, and replays it; only a first that takes longer than that is
answered 409, and the client may retry.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY_LENGTH = 255
ABANDONED_AFTER = timedelta(minutes=10)
WAIT_FOR_FIRST = 15.0  # seconds a repeat waits for the first request's answer
POLL_EVERY = 0.05


def _caller(request) -> str | None:
    """Who is asking: the session user, or a hash of the API credentials sent."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    return None


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail, "field": HEADER}, status=status)


class IdempotencyMiddleware:
    """Applies to unsafe API requests that carry an Idempotency-Key header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if not key or request.method not in UNSAFE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return _error(400, "invalid", f"{HEADER} is longer than {MAX_KEY_LENGTH} characters.")
        caller = _caller(request)
        if caller is None:  # anonymous: nothing to scope the key to; let auth refuse it
            return self.get_response(request)
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    key=key,
                    caller=caller,
                    method=request.method,
                    path=request.path[:500],
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            return self._replay(caller, key, fingerprint)
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            # Nothing was done (or we cannot store it): let the client retry for real.
            IdempotentRequest.objects.filter(pk=record.pk).delete()
            return response
        IdempotentRequest.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=bytes(response.content),
        )
        return response

    def _replay(self, caller: str, key: str, fingerprint: str) -> HttpResponse:
        first = IdempotentRequest.objects.get(caller=caller, key=key)
        if first.fingerprint != fingerprint:
            return _error(
                422,
                "idempotency_key_reused",
                f"{HEADER} '{key}' was already used for a different request.",
            )
        first = self._answer_of(first)
        if first is None:  # the first failed with a 5xx and freed the key: retry for real
            return _error(
                409,
                "request_in_progress",
                f"The first request with {HEADER} '{key}' failed; retry it.",
            )
        if first.status_code is None:
            if timezone.now() - first.created_at > ABANDONED_AFTER:
                # The first request died mid-way (its process was killed); free the key.
                IdempotentRequest.objects.filter(pk=first.pk, status_code__isnull=True).delete()
            return _error(
                409,
                "request_in_progress",
                f"A request with {HEADER} '{key}' is still being processed; retry shortly.",
            )
        response = HttpResponse(
            bytes(first.body), status=first.status_code, content_type=first.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response

    @staticmethod
    def _answer_of(first: IdempotentRequest) -> IdempotentRequest | None:
        """`first` once its answer is stored (or the wait is over); None when the first
        request gave up the key. Inside a transaction (a test's) nothing new can be seen."""
        deadline = time.monotonic() + WAIT_FOR_FIRST
        in_transaction = transaction.get_connection().in_atomic_block
        while first.status_code is None and not in_transaction and time.monotonic() < deadline:
            if timezone.now() - first.created_at > ABANDONED_AFTER:
                break
            time.sleep(POLL_EVERY)
            first = IdempotentRequest.objects.filter(pk=first.pk).first()
            if first is None:
                return None
        return first


def replayed(response) -> bool:
    return response.get("Idempotent-Replayed") == "true"


__all__ = ["HEADER", "IdempotencyMiddleware", "replayed"]
