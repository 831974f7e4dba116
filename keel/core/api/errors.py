"""One error shape for the whole API: {"code", "detail", "field"}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import DomainError
from ..idempotency import DATABASE_ERROR, database_unavailable


def _first_message(detail) -> tuple[str | None, str, str]:
    """(field, message, code) of the first error in a DRF error structure."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            _, message, code = _first_message(value)
            return (None if field == "non_field_errors" else field), message, code
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return None, str(detail), getattr(detail, "code", "invalid") or "invalid"


def error_body(code: str, detail: str, field: str | None = None, **extra) -> dict:
    return {"code": code, "detail": detail, "field": field, **extra}


def exception_handler(exc, context):
    """Map DomainError and DRF/Django errors to 4xx JSON, a lost database to 503;
    anything else stays a 500."""
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.detail, exc.field), status=exc.status)
    if isinstance(exc, OperationalError | InterfaceError):
        # The database restarted, went away or stayed deadlocked: the client may
        # retry (503), and a request with an Idempotency-Key is retried whole.
        setattr(context["request"]._request, DATABASE_ERROR, exc)
        return database_unavailable()
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field, message, code = _first_message(exc.detail)
        response.data = error_body(
            "invalid" if code in ("invalid", None) else code, message, field, errors=exc.detail
        )
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail))
    return response


def unknown_endpoint(request, *args, **kwargs):
    """A URL under /api/ that names no endpoint (or an id of the wrong form): 404 in the
    API's error shape, not the workspace's redirect to its sign-in page."""
    from django.http import JsonResponse

    body = error_body("not_found", f"No API endpoint at {request.path}.")
    return JsonResponse(body, status=404)
