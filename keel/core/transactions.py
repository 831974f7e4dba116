"""One service call = one transaction, retried on serialization failures and deadlocks."""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

logger = logging.getLogger("keel.transactions")

P = ParamSpec("P")
R = TypeVar("R")

# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
RETRYABLE_PGCODES = {"40001", "40P01", "55P03"}
MAX_ATTEMPTS = 6


class RetryLog:
    """Every retry this process made: which service, in which thread, for which
    database error. Operators read the total; concurrency tests read who retried why."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.entries: list[tuple[str, str, str]] = []  # (thread name, service, reason)

    def record(self, service: str, reason: str) -> None:
        with self._lock:
            self.entries.append((threading.current_thread().name, service, reason))

    def clear(self) -> None:
        with self._lock:
            self.entries = []

    @property
    def total(self) -> int:
        return len(self.entries)


retries = RetryLog()


def retry_reason(error: BaseException) -> str | None:
    """Why `error` may be retried (the PostgreSQL SQLSTATE, or "sqlite_busy"), or None
    when retrying would not help."""
    cause = getattr(error, "__cause__", None)
    pgcode = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if pgcode in RETRYABLE_PGCODES:
        return pgcode
    # SQLite reports a busy writer as "database is locked".
    return "sqlite_busy" if "database is locked" in str(error) else None


def is_retryable(error: BaseException) -> bool:
    return retry_reason(error) is not None


def atomic_service(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` in `transaction.atomic()`; retry a bounded, jittered number of times
    when the database reports a serialization failure or deadlock.

    Inside an outer transaction the retry is left to the outermost caller: a
    failed statement has already poisoned that transaction.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return fn(*args, **kwargs)
        attempt = 0
        while True:
            attempt += 1
            try:
                with transaction.atomic():
                    return fn(*args, **kwargs)
            except OperationalError as error:
                reason = retry_reason(error)
                if attempt >= MAX_ATTEMPTS or reason is None:
                    raise
                retries.record(fn.__name__, reason)
                delay = min(0.5, 0.01 * 2**attempt) * random.uniform(0.5, 1.5)
                logger.info("retrying %s after %s (attempt %d)", fn.__name__, error, attempt)
                time.sleep(delay)

    return wrapper
