"""Real receivers for the control room's notifications, started by a test on free ports: an
HTTP server that is the SMS gateway of ARCHITECTURE §10 and any webhook (it records every
POST, counts messages by their `id` as the contract tells receivers to, and can be told to
answer 500 or to hold requests), and an SMTP server (aiosmtpd) that keeps every email."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from launcher.processes import free_port


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.body.get("id") or self.headers.get("X-Notification-Id", ""))


@dataclass
class HttpReceiver:
    """Every POST it answered 2xx (`posts`), every one it refused (`refused`); `fail_with`
    set to a status answers that instead; `hold` cleared makes requests wait until set."""

    url: str = ""
    posts: list[Post] = field(default_factory=list)
    refused: list[Post] = field(default_factory=list)
    fail_with: int | None = None
    hold: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    held: int = 0  # requests waiting on `hold` now

    def __post_init__(self) -> None:
        self.hold.set()

    def at(self, path: str) -> list[Post]:
        with self.arrived:
            return [p for p in self.posts if p.path == path]

    def by_id(self, path: str | None = None) -> dict[str, int]:
        """How many times each message id was delivered (answered 2xx)."""
        counts: dict[str, int] = {}
        with self.arrived:
            for p in self.posts:
                if path is None or p.path == path:
                    counts[p.id] = counts.get(p.id, 0) + 1
        return counts

    def unique(self, path: str | None = None) -> list[Post]:
        """The messages as a receiver that drops a repeated id keeps them."""
        seen: dict[str, Post] = {}
        with self.arrived:
            for p in self.posts:
                if path is None or p.path == path:
                    seen.setdefault(p.id, p)
        return list(seen.values())


def _handler(rx: HttpReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"raw": raw.decode(errors="replace")}
            post = Post(self.path, dict(self.headers.items()), body)
            with rx.arrived:
                rx.held += 1
            rx.hold.wait(120)
            with rx.arrived:
                rx.held -= 1
                status = rx.fail_with or 200
                (rx.refused if status >= 300 else rx.posts).append(post)
                rx.arrived.notify_all()
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    rx = HttpReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rx))
    server.daemon_threads = True
    rx.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rx
    finally:
        rx.hold.set()
        server.shutdown()
        server.server_close()


@dataclass
class SmtpReceiver:
    host: str = "127.0.0.1"
    port: int = 0
    mails: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        with self.lock:
            self.mails.append(message_from_bytes(envelope.content))
        return "250 OK"

    def received(self) -> list[Message]:
        with self.lock:
            return list(self.mails)

    def mailto(self, to: str) -> str:
        """The apprise URL that sends to `to` through this server (no TLS, no login)."""
        return (f"mailto://{self.host}:{self.port}?to={to}&from=butler@estate.test"
                "&smtp=127.0.0.1&secure=no")


@contextmanager
def smtp_receiver() -> Iterator[SmtpReceiver]:
    rx = SmtpReceiver(port=free_port())
    controller = Controller(rx, hostname=rx.host, port=rx.port)
    controller.start()
    try:
        yield rx
    finally:
        controller.stop()
