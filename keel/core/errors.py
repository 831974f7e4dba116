"""Domain errors: every refusal has a stable code and a message a user can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action; nothing was changed.

    `code` is stable (clients switch on it), `detail` is for people, `field`
    names the input at fault when there is one. `status` is the HTTP status
    the API answers with.
    """

    code = "domain_error"
    status = 400

    def __init__(self, detail: str, *, code: str | None = None, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "detail": self.detail, "field": self.field}


class InvalidInput(DomainError):
    code = "invalid"
    status = 400


class PermissionRefused(DomainError):
    code = "permission_denied"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class StaleRecord(DomainError):
    """The record changed since the client read it (optimistic locking)."""

    code = "stale_record"
    status = 412
