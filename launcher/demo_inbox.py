"""The demo's inbox: where `make demo` sends the estate's messages, so a newcomer sees them.

An estate points its roles at email, WeCom or DingTalk and its residents' texts at an SMS
gateway (README, "Notifications"). The demo has none of those, so the launcher runs this small
HTTP receiver on a free port of 127.0.0.1 and points every staff role (apprise `json://`) and
the SMS gateway (ARCHITECTURE §10's contract) at it. Each message it takes is one JSON line in
`var/log/inbox.log`; it answers 200 as a gateway that accepted the message would.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from config.model import NotifySite
from config.settings import (
    NOTIFY_ADMIN,
    NOTIFY_FRONTDESK,
    NOTIFY_MAINTENANCE,
    NOTIFY_MANAGER,
    NOTIFY_OPERATOR,
    NOTIFY_ROLES,
    NOTIFY_SUPERVISOR,
    SMS_URL,
)

ROLE_VARIABLES = dict(zip(NOTIFY_ROLES, (NOTIFY_OPERATOR, NOTIFY_SUPERVISOR, NOTIFY_MANAGER,
                                         NOTIFY_FRONTDESK, NOTIFY_MAINTENANCE, NOTIFY_ADMIN),
                          strict=True))

MAX_BODY = 64 * 1024


class DemoInbox:
    def __init__(self, path: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self, notify: NotifySite, environ: Mapping[str, str]) -> dict[str, str]:
        """The settings that send here every staff role and the residents' texts that have
        no channel of their own (in the site file's [notify] or the environment)."""
        hostport = self.url.removeprefix("http://")
        out = {var.name: f"json://{hostport}/staff/{role}"
               for role, var in ROLE_VARIABLES.items() if not notify.roles.get(role)}
        if not notify.sms_url:
            out[SMS_URL.name] = f"{self.url}/sms"
        return {k: v for k, v in out.items() if not environ.get(k)}

    def start(self) -> DemoInbox:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        threading.Thread(target=self._server.serve_forever, name="demo-inbox",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take(self, path: str, body: Any) -> None:
        line = json.dumps({"at": time.strftime("%Y-%m-%d %H:%M:%S"), "to": path, "body": body},
                          ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


def _handler(inbox: DemoInbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413, {"error": "message too large"})
                return
            raw = self.rfile.read(length)
            try:
                body: Any = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode("utf-8", errors="replace")
            inbox.take(self.path, body)
            self._answer(200, {"ok": True})

        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            return

    return Handler
