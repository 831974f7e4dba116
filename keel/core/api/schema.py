"""The OpenAPI description of every operation, with the refusals the API really gives.

drf-spectacular documents the success answer only; a client (and the schemathesis
fuzzing in tests/security) must also be told that any call may be refused with the one
error shape of keel.core.api.errors: 400 invalid input or a broken business rule, 401
not signed in, 403 not allowed, 404 missing (also a page past the end), 429 throttled;
a write may also meet 409 (wrong state, possible duplicate) and 412 (stale version)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
REFUSALS = {
    "400": "Invalid input, or a business rule refuses the request",
    "401": "Not signed in",
    "403": "The role may not do this",
    "404": "No such record (or page)",
    "429": "Too many requests; retry after the Retry-After header's seconds",
}
WRITE_REFUSALS = {
    "409": "The record's state does not allow this",
    "412": "The version sent is stale: someone changed the record since",
}


class ErrorSerializer(serializers.Serializer):
    """{"code", "detail", "field"}: what every refusal of the API answers."""

    code = serializers.CharField(help_text="Stable code of the error, e.g. `not_found`")
    detail = serializers.CharField(help_text="What went wrong, for a person")
    field = serializers.CharField(allow_null=True, help_text="The input field at fault")
    errors = serializers.JSONField(
        required=False, help_text="Every field error of an invalid input, by field"
    )

    class Meta:
        ref_name = "Error"


class KeelAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        refusals = dict(REFUSALS)
        if self.method in WRITE_METHODS:
            refusals.update(WRITE_REFUSALS)
        for code, description in refusals.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code
                )
        return dict(sorted(responses.items()))
