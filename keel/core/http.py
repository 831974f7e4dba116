"""The one outbound-HTTP helper: every call the server makes to a URL a user gave goes
through check_target (the SSRF guard), and the call connects to the very addresses the
guard checked (no second DNS look-up for a rebinding name to answer differently)."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import partial
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


@dataclass(frozen=True)
class Target:
    """A checked URL's host and the addresses it resolved to, all of them allowed."""

    host: str
    addresses: tuple[str, ...]


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local (cloud metadata at 169.254.169.254), multicast,
    reserved or unspecified: anything but the public internet; an IPv4 address wrapped
    in IPv6 (::ffff:127.0.0.1, 6to4 2002:7f00:1::) is judged as the IPv4 it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        address = address.ipv4_mapped or address.sixtofour or address
    return not address.is_global or address.is_multicast or address.is_reserved


def check_target(url: str, *, field: str = "target_url") -> Target:
    """Refuse what the server must not call on a user's behalf (SSRF): a URL that is not
    http(s), and a host resolving to a non-public address, unless the host is listed in
    KEEL_OUTBOUND_ALLOWED_HOSTS. Checked when the URL is saved and again before each
    call, since what a name resolves to can change; the call then connects to the
    addresses returned here. Numeric forms (2130706433, 0177.0.0.1) resolve like any
    name, so they are judged by the address they stand for."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(f"{url} is not an http(s) URL.", code="invalid_url", field=field)
    host = parts.hostname.lower()
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
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if host in {allowed.lower() for allowed in settings.KEEL_OUTBOUND_ALLOWED_HOSTS}:
        return Target(host, addresses)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if _refused_address(address):
            raise InvalidInput(
                f"{host} resolves to a non-public address ({address}); Keel does not call "
                "private networks unless the host is in KEEL_OUTBOUND_ALLOWED_HOSTS.",
                code="private_target",
                field=field,
            )
    return Target(host, addresses)


def _connect_to_checked(addresses, host_and_port, *args):
    # Replaces socket.create_connection((name, port)): the name is not looked up again.
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, host_and_port[1]), *args)
        except OSError as failed:
            error = failed
    raise error or OSError("no address to connect to")


class _Pinned:
    """A connection to the checked addresses; the Host header, TLS SNI and the
    certificate check still use the URL's host name (a proxy is connected as usual)."""

    def __init__(self, host, *, target: Target, **kwargs):
        super().__init__(host, **kwargs)
        if self.host.lower() == target.host:
            self._create_connection = partial(_connect_to_checked, target.addresses)


class _PinnedHTTPConnection(_Pinned, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, http.client.HTTPSConnection):
    pass


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, target: Target):
        super().__init__()
        self.target = target

    def http_open(self, request):
        return self.do_open(partial(_PinnedHTTPConnection, target=self.target), request)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, target: Target):
        super().__init__()
        self.target = target

    def https_open(self, request):
        connection = partial(_PinnedHTTPSConnection, target=self.target)
        return self.do_open(connection, request, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to a private address the check did not see: a 3xx is
    # reported as the answer, never followed.
    def redirect_request(self, *args, **kwargs):
        return None


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpResult:
    """POST `body` as JSON to the addresses check_target approved; never raises for
    network or HTTP errors, reports them."""
    target = check_target(url)
    opener = urllib.request.build_opener(
        _NoRedirect, _PinnedHTTPHandler(target), _PinnedHTTPSHandler(target)
    )
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            return HttpResult(response.status, response.read(1000).decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        text = error.read(1000).decode("utf-8", "replace") if error.fp else ""
        return HttpResult(error.code, text, f"HTTP {error.code}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return HttpResult(None, "", str(reason)[:500])
