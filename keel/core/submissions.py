"""One effect per form: a double click on "Register payment" pays once.

The API has the Idempotency-Key header (core.idempotency); a form page has this:
each rendering carries a one-time token in a hidden field, and the first POST
that brings it claims it in the same table. A second POST with the same token (a
double click, a resubmit after "back") is refused with a message instead of acting
again. A refused action gives the token back, so the user can correct the form
and submit it again. The page also disables its button on submit (static
keel/submit-once.js); the token is what holds when two requests still arrive.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.db import IntegrityError, transaction

from .errors import Conflict
from .models import IdempotentRequest

R = TypeVar("R")
FIELD = "submission"
# A claimed token's row among the API's Idempotency-Key answers (purged with them).
FORM_KEY_PREFIX = "form:"


class AlreadySubmitted(Conflict):
    code = "already_submitted"


def new_token() -> str:
    return uuid.uuid4().hex


class SubmitOnceForm(forms.Form):
    """A form whose POST acts once: render it, then run the action through `once()`.

    The token is optional so that a client posting without one (a script, an old
    page) works as before, without the protection."""

    submission = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=new_token, max_length=64
    )


def once(request, token: str, action: Callable[[], R], *, what: str) -> R:
    """Run `action()` unless this form (`token`) was already submitted by this user;
    then refuse with AlreadySubmitted. Without a token, just run it."""
    if not token:
        return action()
    try:
        with transaction.atomic():
            claim = IdempotentRequest.objects.create(
                key=f"{FORM_KEY_PREFIX}{token}",
                caller=f"user:{request.user.pk}",
                method=request.method,
                path=request.path[:500],
                fingerprint="",
            )
    except IntegrityError:
        raise AlreadySubmitted(
            f"This form was already submitted (a double click?): {what} was done once, "
            "not twice. Reload the page to see the result.",
            field=FIELD,
        ) from None
    try:
        result = action()
    except BaseException:
        # Nothing was done: the same form may be corrected and submitted again.
        IdempotentRequest.objects.filter(pk=claim.pk).delete()
        raise
    IdempotentRequest.objects.filter(pk=claim.pk).update(status_code=200)
    return result


__all__ = ["FIELD", "FORM_KEY_PREFIX", "AlreadySubmitted", "SubmitOnceForm", "once"]
