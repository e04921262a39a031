"""The stand-in over real HTTP: `serve` (a threading server on 127.0.0.1), `main` (for
`python -m tests.support.fake_kiosk_api --port N`) and FakeServerProcess, the stand-in as a
process of its own that can be stopped and started again."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from .api import FakeKioskApi

ROOT = Path(__file__).resolve().parents[3]


def serve(api: FakeKioskApi, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = httpx.Request(self.command, f"http://fake{self.path}",
                                    headers=dict(self.headers.items()),
                                    content=self.rfile.read(length) if length else b"")
            response = api.handle(request)
            print(f"{self.command} {self.path} {response.status_code}", flush=True)
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        do_GET = do_POST = do_DELETE = _any

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def main() -> None:
    ap = argparse.ArgumentParser(description="stand-in kiosk API (tests only)")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--incident", action="store_true", help="report a building incident")
    args = ap.parse_args()
    server = serve(FakeKioskApi(incident=args.incident), args.port)
    print(f"fake kiosk API on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


class FakeServerProcess:
    """The stand-in as a process of its own on `port`, which can be stopped and started again
    on the same port (an outage of "the control room" as the kiosk sees it)."""

    def __init__(self, port: int, log: Path, incident: bool = False) -> None:
        self.port, self.log, self.incident = port, log, incident
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [sys.executable, "-m", "tests.support.fake_kiosk_api", "--port", str(self.port)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([*args, *(["--incident"] if self.incident else [])],
                                         cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"the stand-in exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError("the stand-in did not answer within 30 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None
