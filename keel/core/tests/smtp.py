"""A real SMTP server on 127.0.0.1 for tests that send mail (the `smtp` fixture in
conftest.py points Django's SMTP backend at it)."""

from __future__ import annotations

import email
import email.policy
import socket


class SmtpServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.Message] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                message["X-Rcpt"] = ",".join(envelope.rcpt_tos)
                outer.messages.append(message)
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
