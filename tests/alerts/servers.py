"""Real local servers for alert tests: an SMTP server (aiosmtpd) and a webhook receiver that
checks hubbub's signature the way the README tells receivers to (hmac + sha256, no hubbub code)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    def bodies(self) -> list[str]:
        out = []
        for _, msg in self.messages:
            part = msg.get_body(("plain",)) if hasattr(msg, "get_body") else msg
            payload = (part or msg).get_payload(decode=True)
            out.append(payload.decode() if isinstance(payload, bytes) else str(payload))
        return out


@contextmanager
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


@dataclass
class Receiver:
    secret: str
    fail_first: int = 0  # answer 500 to this many requests first
    slow_first: float = 0.0  # the first request waits this long before its answer
    status_after: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    bad_signatures: int = 0
    delivery_ids: list[str] = field(default_factory=list)
    url: str = ""

    def verify(self, body: bytes, headers: Any) -> bool:
        timestamp = headers.get("X-Hubbub-Timestamp", "")
        given = headers.get("X-Hubbub-Signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        mac = hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
        return hmac.compare_digest("sha256=" + mac.hexdigest(), given)


@contextmanager
def webhook_receiver(
    secret: str, fail_first: int = 0, status_after: int = 200, slow_first: float = 0.0
) -> Iterator[Receiver]:
    receiver = Receiver(secret, fail_first, slow_first, status_after)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.attempts += 1
            if receiver.attempts == 1 and receiver.slow_first:
                time.sleep(receiver.slow_first)
                self._answer(200)  # too late: the sender has given up on this attempt
                return
            receiver.delivery_ids.append(self.headers.get("X-Hubbub-Delivery", ""))
            if not receiver.verify(body, self.headers):
                receiver.bad_signatures += 1
                self._answer(401)
                return
            if receiver.attempts <= receiver.fail_first:
                self._answer(500)
                return
            if receiver.status_after < 300:
                receiver.received.append(json.loads(body))
            self._answer(receiver.status_after)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/hubbub"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
