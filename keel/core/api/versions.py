"""Optimistic locking over HTTP, one way for every record.

A record's representation carries its `version` and an `ETag: "<version>"`. To
change it the client sends back the version it read, as `If-Match: "3"` (the ETag,
weak `W/"3"` accepted) or a `version` field; the service refuses a stale one with
StaleRecord, which the API answers 412. `If-Match: *` (any version) and no version
at all apply the change unchecked; anything else in If-Match is refused (400), never
silently ignored: an unchecked edit is exactly what the client asked us not to make.
"""

from __future__ import annotations

from ..errors import InvalidInput

HEADER = "If-Match"


def version_from(request, data=None) -> int | None:
    """The version the client read: the If-Match header, else `data["version"]`."""
    header = request.headers.get(HEADER, "").strip()
    if header == "*":
        return None
    raw = header.removeprefix("W/").strip('"') if header else (data or {}).get("version")
    if not header and raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidInput(
            f'{HEADER} must carry the version you read (its ETag), e.g. "3".', field="version"
        ) from None


def with_etag(response, version: int):
    """`response` carrying `ETag: "<version>"`, the value to send back in If-Match."""
    response["ETag"] = f'"{version}"'
    return response


__all__ = ["HEADER", "version_from", "with_etag"]
