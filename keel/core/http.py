"""The one outbound-HTTP helper: every call the server makes to a URL a user gave goes
through check_target (the SSRF guard)."""

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


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local (cloud metadata at 169.254.169.254), multicast,
    reserved or unspecified: anything but the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_target(url: str, *, field: str = "target_url") -> None:
    """Refuse what the server must not call on a user's behalf (SSRF): a URL that is not
    http(s), and a host resolving to a non-public address, unless the host is listed in
    KEEL_OUTBOUND_ALLOWED_HOSTS. Checked when the URL is saved and again before each
    call, since what a name resolves to can change."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(f"{url} is not an http(s) URL.", code="invalid_url", field=field)
    host = parts.hostname.lower()
    if host in {allowed.lower() for allowed in settings.KEEL_OUTBOUND_ALLOWED_HOSTS}:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except ValueError as error:  # a port out of range
        raise InvalidInput(
            f"{url} has an invalid port.", code="invalid_url", field=field
        ) from error
    except (socket.gaierror, UnicodeError) as error:
        raise InvalidInput(
            f"{host} cannot be resolved.", code="invalid_url", field=field
        ) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if _refused_address(address):
            raise InvalidInput(
                f"{host} resolves to a non-public address ({address}); Keel does not call "
                "private networks unless the host is in KEEL_OUTBOUND_ALLOWED_HOSTS.",
                code="private_target",
                field=field,
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
