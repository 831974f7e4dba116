"""Idempotency-Key for the API: the same key replays the first answer instead of acting twice.

A client that retries a POST after a timeout (or a double click that sends
two) passes the same `Idempotency-Key` header; the first request acts, the
others get its stored answer with `Idempotent-Replayed: true`. A key reused
for a different request is refused (422); a repeat that arrives while the
first is still running waits for it and gets its answer. A request that fails
with a 5xx, or dies with its process, leaves no key behind: the retry acts.
"""

from __future__ import annotations

import hashlib
import io
import random
import time
from datetime import timedelta

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from .models import IdempotentRequest
from .transactions import MAX_ATTEMPTS, retries, retry_reason

HEADER = "Idempotency-Key"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY_LENGTH = 255
ABANDONED_AFTER = timedelta(minutes=10)


def _caller(request) -> str | None:
    """Who is asking: the session user, or a hash of the API credentials sent."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    return None


# Where the API's exception handler leaves a database error it answered with 503.
DATABASE_ERROR = "keel_database_error"


def database_unavailable() -> JsonResponse:
    """503, not 500: the database is restarting or busy, and the client should retry."""
    body = {
        "code": "database_unavailable",
        "detail": "The database is unavailable; retry in a moment.",
        "field": None,
    }
    return JsonResponse(body, status=503, headers={"Retry-After": "1"})


def _retried(error: BaseException, attempt: int) -> bool:
    """Whether the whole request is run again after `error` (a deadlock, a
    serialization failure, a busy SQLite): logged with the services' retries."""
    reason = retry_reason(error)
    if reason is None or attempt >= MAX_ATTEMPTS:
        return False
    retries.record("idempotent request", reason)
    time.sleep(min(0.5, 0.01 * 2**attempt) * random.uniform(0.5, 1.5))
    return True


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail, "field": HEADER}, status=status)


class IdempotencyMiddleware:
    """Applies to unsafe API requests that carry an Idempotency-Key header.

    The key, the request's effect and the stored answer commit in one transaction:
    a request killed half-way (its server or the database crashed) leaves neither
    its effect nor its key, so the client's retry acts once, for real. A repeat sent
    while the first is still running waits for it on the key's unique index, then
    gets its answer. A deadlock or serialization failure is retried here, whole (the
    services' own retry cannot run inside this transaction)."""

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
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._act_once(request, caller, key, fingerprint)
                if response is None:  # the key was used before: answer as the first time
                    replay = self._replay(caller, key, fingerprint)
                    if replay is None:  # purged (or freed) since: the key is new again
                        continue
                    return replay
            except (OperationalError, InterfaceError) as error:
                if _retried(error, attempt):
                    continue
                return database_unavailable()
            failure = getattr(request, DATABASE_ERROR, None)
            if failure is not None and _retried(failure, attempt):
                continue
            return response

    def _act_once(self, request, caller, key, fingerprint):
        """Run the request in one transaction with its key; None if the key exists."""
        request._stream = io.BytesIO(request.body)  # a retry reads the body again
        setattr(request, DATABASE_ERROR, None)
        with transaction.atomic():
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
                return None
            response = self.get_response(request)
            if response.status_code >= 500 or getattr(response, "streaming", False):
                # Undo the effect and the key: the client's retry acts for real.
                transaction.set_rollback(True)
                return response
            IdempotentRequest.objects.filter(pk=record.pk).update(
                status_code=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=bytes(response.content),
            )
        return response

    def _replay(self, caller: str, key: str, fingerprint: str) -> HttpResponse | None:
        first = IdempotentRequest.objects.filter(caller=caller, key=key).first()
        if first is None:
            return None
        if first.fingerprint != fingerprint:
            return _error(
                422,
                "idempotency_key_reused",
                f"{HEADER} '{key}' was already used for a different request.",
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


def replayed(response) -> bool:
    return response.get("Idempotent-Replayed") == "true"


__all__ = ["HEADER", "IdempotencyMiddleware", "replayed"]
