"""DNS rebinding, TLS and redirects (keel.core.http.post_json): the call connects to the
addresses check_target approved, never to what a second look-up of the name answers;
the Host header, TLS SNI and the certificate check keep the name; a redirect is reported,
never followed.

The receivers are real HTTP(S) servers on 127.0.0.1. Two stdlib functions are replaced
for these tests only: socket.getaddrinfo answers for names under .example.test as each
test says (a rebinding DNS server changes its answer from one look-up to the next), and
socket.create_connection refuses, without sending a packet, any address off loopback:
the tests prove where Keel tries to connect without reaching the internet."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import subprocess

import pytest

from keel.core.errors import InvalidInput
from keel.core.http import HttpResult, post_json
from keel.core.tests.receiver import Receiver

PUBLIC = "93.184.215.14"  # public: passes the guard; these tests never reach it
BODY = b'{"ping":1}'


class _Dns(dict):
    lookups: list


@pytest.fixture
def dns(monkeypatch):
    """dns[name] = [answer, answer, ...]: one answer per look-up, the last one repeats;
    an answer is an address or a tuple of addresses. Records every look-up of those names."""
    real = socket.getaddrinfo
    answers = _Dns()
    answers.lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        queue = answers[host]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        answers.lookups.append((host, answer))
        addresses = answer if isinstance(answer, tuple) else (answer,)
        return [info for address in addresses for info in real(address, port, *args, **kwargs)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def loopback_only(monkeypatch):
    """Connections to loopback go through; any other address is refused before a packet
    is sent, and recorded."""
    real = socket.create_connection
    refused: list[tuple[str, int]] = []

    def create_connection(address, *args, **kwargs):
        host, port = address[:2]
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        if not all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos):
            refused.append((host, port))
            raise ConnectionRefusedError(f"the tests reach loopback only, not {host}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return refused


@pytest.fixture
def served():
    """served(receiver) starts it and stops it after the test."""
    started: list[Receiver] = []

    def start(receiver: Receiver) -> Receiver:
        started.append(receiver.start())
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def test_a_name_rebinding_to_loopback_after_the_check_never_reaches_it(
    settings, dns, loopback_only, served
):
    """Given a name that answers a public address to the guard and 127.0.0.1 to any
    later look-up (DNS rebinding), and a private server on 127.0.0.1;
    When Keel posts to it;
    Then it connects to the public address it checked (refused here, off loopback), the
    private server hears nothing, and the name was looked up once."""
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = []
    private = served(Receiver())
    dns["rebind.example.test"] = [PUBLIC, "127.0.0.1"]

    result = post_json(f"http://rebind.example.test:{private.port}/admin", BODY, {}, 5)

    assert result == HttpResult(None, "", f"the tests reach loopback only, not {PUBLIC}")
    assert loopback_only == [(PUBLIC, private.port)]
    assert private.requests == []
    assert dns.lookups == [("rebind.example.test", PUBLIC)]


def test_a_name_answering_a_public_and_a_private_address_is_refused(settings, dns, served):
    """Given a name answering both a public address and 127.0.0.1 in one look-up;
    When Keel posts to it; Then the guard refuses it (every address is checked) and
    the private server hears nothing."""
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = []
    private = served(Receiver())
    dns["mixed.example.test"] = [(PUBLIC, "127.0.0.1")]

    with pytest.raises(InvalidInput) as refused:
        post_json(f"http://mixed.example.test:{private.port}/", BODY, {}, 5)

    assert refused.value.code == "private_target"
    assert refused.value.detail.startswith(
        "mixed.example.test resolves to a non-public address (127.0.0.1);"
    )
    assert private.requests == []


def test_an_allowed_name_is_called_at_the_address_checked_with_its_own_host_header(
    settings, dns, loopback_only, served
):
    """Given an allowed name answering 127.0.0.1 (where the receiver listens) and then
    127.0.0.2 (where nothing does);
    When Keel posts to it;
    Then the receiver gets the body, at the checked address, with the name in Host."""
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = ["hooks.example.test"]
    receiver = served(Receiver())
    dns["hooks.example.test"] = ["127.0.0.1", "127.0.0.2"]

    result = post_json(f"http://hooks.example.test:{receiver.port}/in", BODY, {"X-A": "1"}, 5)

    assert result == HttpResult(200, "ok")
    [request] = receiver.requests
    assert (request.path, request.body) == ("/in", BODY)
    assert request.headers["Host"] == f"hooks.example.test:{receiver.port}"
    assert request.headers["X-A"] == "1"
    assert dns.lookups == [("hooks.example.test", "127.0.0.1")]
    assert loopback_only == []


@pytest.fixture
def https_receiver(settings, dns, loopback_only, served, tmp_path, monkeypatch):
    """https_receiver(name): an HTTPS receiver on 127.0.0.1 whose certificate, fresh and
    self-signed, names `name` and is the one the client trusts; secure.example.test is
    allowed and resolves to 127.0.0.1."""

    def start(certificate_name: str) -> Receiver:
        cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        command = "/usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        subprocess.run(  # noqa: S603 (fixed arguments)
            [
                *command.split(),
                *("-nodes", "-days", "1", "-subj", f"/CN={certificate_name}"),
                *("-addext", f"subjectAltName=DNS:{certificate_name}"),
                *("-keyout", str(key), "-out", str(cert)),
            ],
            check=True,
            capture_output=True,
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        settings.KEEL_OUTBOUND_ALLOWED_HOSTS = ["secure.example.test"]
        dns["secure.example.test"] = ["127.0.0.1"]
        return served(Receiver(tls=context))

    return start


def test_https_to_a_checked_address_sends_the_name_for_sni_and_checks_its_certificate(
    https_receiver,
):
    """Given an HTTPS receiver on 127.0.0.1 with a certificate for secure.example.test,
    a name resolving to 127.0.0.1;
    When Keel posts to https://secure.example.test;
    Then the call succeeds: TLS was verified against the name, not the address."""
    receiver = https_receiver("secure.example.test")

    result = post_json(f"https://secure.example.test:{receiver.port}/in", BODY, {}, 5)

    assert result == HttpResult(200, "ok")
    [request] = receiver.requests
    assert request.headers["Host"] == f"secure.example.test:{receiver.port}"


def test_https_with_a_certificate_for_another_name_is_refused(https_receiver):
    """Given the same set-up but a certificate naming other.example.test;
    When Keel posts to https://secure.example.test;
    Then the certificate check fails on the name and the receiver gets no request."""
    receiver = https_receiver("other.example.test")

    result = post_json(f"https://secure.example.test:{receiver.port}/in", BODY, {}, 5)

    assert result.status is None
    assert result.error.startswith("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert "Hostname mismatch" in result.error
    assert receiver.requests == []


def test_a_redirect_to_a_private_address_is_reported_not_followed(settings, dns, served):
    """Given an allowed receiver that answers 302 to a private server on 127.0.0.1;
    When Keel posts to it;
    Then the answer is recorded as HTTP 302 (not delivered) and the private server
    hears nothing."""
    settings.KEEL_OUTBOUND_ALLOWED_HOSTS = ["hooks.example.test"]
    private = served(Receiver())
    redirecting = served(Receiver(statuses=[302], headers={"Location": private.url}))
    dns["hooks.example.test"] = ["127.0.0.1"]

    result = post_json(f"http://hooks.example.test:{redirecting.port}/in", BODY, {}, 5)

    assert result == HttpResult(302, "receiver is down", "HTTP 302")
    assert result.ok is False
    assert len(redirecting.requests) == 1
    assert private.requests == []
