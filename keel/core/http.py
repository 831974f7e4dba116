"""The one outbound-HTTP helper: refuses private and loopback targets unless allowed."""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from .errors import InvalidInput


@dataclass(frozen=True)
class HttpResult:
    status: int | None
    body: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def check_target(url: str) -> None:
    """Refuse non-HTTP URLs and, unless KEEL_OUTBOUND_ALLOW_PRIVATE, private addresses."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(f"{url} is not an http(s) URL.", code="invalid_url", field="target_url")
    if settings.KEEL_OUTBOUND_ALLOW_PRIVATE:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise InvalidInput(
            f"{parts.hostname} cannot be resolved.", code="invalid_url", field="target_url"
        ) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise InvalidInput(
                f"{parts.hostname} resolves to a private address ({address}); "
                "outbound calls to private networks are not allowed.",
                code="private_target",
                field="target_url",
            )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to a private address the first check did not see.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpResult:
    """POST `body` as JSON; never raises for network or HTTP errors, reports them."""
    check_target(url)
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return HttpResult(response.status, response.read(1000).decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        text = error.read(1000).decode("utf-8", "replace") if error.fp else ""
        return HttpResult(error.code, text, f"HTTP {error.code}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return HttpResult(None, "", str(reason)[:500])
