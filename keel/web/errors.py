"""What a request that fails on the server answers (Django's `handler500`).

A lost database is not a bug: while PostgreSQL restarts, fails over or is away, a
workspace page answers 503 with a page that says so and Retry-After, and an API
request 503 `database_unavailable` (what the API's own handler answers), never a
500. Every other failure stays Django's plain 500 page. Neither page needs the
database: no user, no session, no context processors.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as plain_server_error

from keel.core.idempotency import database_unavailable

RETRY_AFTER = "5"  # seconds: a person reloads, a restart takes a few


def _lost_database(error: BaseException | None) -> bool:
    """Whether `error`, or what caused it, is the database going away."""
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def server_error(request):
    if not _lost_database(sys.exc_info()[1]):
        return plain_server_error(request)
    if request.path.startswith("/api/"):
        return database_unavailable()
    page = render_to_string("web/database_unavailable.html")
    return HttpResponse(page, status=503, headers={"Retry-After": RETRY_AFTER})
