"""What the console's browser tests share: Chromium, the control room as a process
(`run_controlroom`; the `controlroom` fixture is in tests/controlroom/conftest.py), a page,
signing in, the live board."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.postgres import test_db_url
from tests.utils import token

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "var" / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_S = 120.0  # a ceiling, not a wait: a loaded CI machine starts slowly
UI_TIMEOUT_MS = 10_000

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
expect = sync_api.expect
expect.set_options(timeout=UI_TIMEOUT_MS)


# -- the control room, as a separate process ---------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ControlRoom:
    def __init__(self, base_url: str, log: Path) -> None:
        self.base_url = base_url
        self.log = log

    def token(self, username: str, password: str) -> str:
        return token(self.base_url, username, password)

    def signal(self, device: str, kind: str, priority: int, *, n: int = 1,
               detail: dict[str, Any] | None = None) -> dict[str, Any]:
        """Raise an alert the way the gateway does."""
        body = {
            "key": f"{device}:1:{n}/{kind}",
            "device": device,
            "kind": kind,
            "priority": priority,
            "condition": "active",
            "observed_at": datetime.now(UTC).isoformat(),
            "detail": detail or {},
        }
        r = httpx.post(f"{self.base_url}/api/gateway/signals", json=body, timeout=10,
                       headers={"Authorization": f"Bearer {self.token('gateway', 'gateway123')}"})
        assert r.status_code == 200, r.text
        return r.json()["alert"]

    def alert(self, alert_id: int) -> dict[str, Any]:
        r = httpx.get(f"{self.base_url}/api/alerts/{alert_id}", timeout=10,
                      headers={"Authorization": f"Bearer {self.token('operator', 'operator123')}"})
        r.raise_for_status()
        return r.json()


def _log_tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-4000:]
    except OSError:
        return "(no log)"


@contextmanager
def run_controlroom(tmp: Path, port: int, db_url: str = "") -> Iterator[ControlRoom]:
    """`python -m controlroom` on `port` with its database in `tmp` (or `db_url`: a fresh one
    on the test engine by default); stopped on exit."""
    base_url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "BUTLER_DB_URL": db_url or test_db_url(tmp, "db"),
        "BUTLER_API_URL": base_url,
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp / "controlroom.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "controlroom", "--port", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"control room exited with {proc.returncode}:\n{_log_tail(log)}")
            try:
                if httpx.get(f"{base_url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"control room not up after {STARTUP_TIMEOUT_S:.0f} s:\n"
                            f"{_log_tail(log)}")
            time.sleep(0.1)
        yield ControlRoom(base_url, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# -- the browser -------------------------------------------------------------------------------


@contextmanager
def open_page(browser: Any, base_url: str, zone: str = "Asia/Shanghai", height: int = 860
              ) -> Iterator[Any]:
    """A console page in a fresh context (the browser's time zone `zone`); fails the test on
    any JavaScript error the page raised."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1440, "height": height},
        locale="zh-CN",
        timezone_id=zone,
    )
    context.set_default_timeout(UI_TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"JavaScript errors in the console page: {errors}"


def sign_in(page: Any, username: str = "operator", password: str = "operator123") -> None:
    page.goto("/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def wait_for_live_board(page: Any) -> None:
    expect(page.get_by_test_id("board-status")).to_have_attribute("data-state", "ready")
    # The stream is connected: what happens from now on must arrive without a reload.
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "live")


def alert_row(page: Any, alert_id: int) -> Any:
    return page.locator(f'[data-testid="alert-row"][data-alert-id="{alert_id}"]')


# -- the console's views (device health, incidents, tests, gauges) ------------------------------

CONSOLE_MARKS = [
    pytest.mark.browser,
    pytest.mark.db,  # the console on PostgreSQL too, in make test's second pass
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

PASSWORDS = {"operator": "operator123", "supervisor": "supervisor123",
             "maintenance": "maintenance123", "gateway": "gateway123"}


class Room:
    """The control room under test, and the API calls that feed it."""

    def __init__(self, room: ControlRoom) -> None:
        self.url = room.base_url
        self._tokens: dict[str, str] = {}
        self._n = 0

    def headers(self, user: str) -> dict[str, str]:
        if user not in self._tokens:
            self._tokens[user] = token(self.url, user, PASSWORDS[user])
        return {"Authorization": f"Bearer {self._tokens[user]}"}

    def call(self, method: str, path: str, user: str, **kw: Any) -> Any:
        r = httpx.request(method, f"{self.url}{path}", headers=self.headers(user), timeout=10,
                          **kw)
        assert r.status_code < 300, r.text
        return r.json()

    def signal(self, device: str, kind: str, priority: int) -> dict[str, Any]:
        self._n += 1
        return self.call("POST", "/api/gateway/signals", "gateway", json={
            "key": f"views:{self._n}", "device": device, "kind": kind, "priority": priority,
            "condition": "active", "observed_at": datetime.now(UTC).isoformat()})["alert"]


def open_view(page: Any, name: str, user: str = "operator") -> Any:
    sign_in(page, user, PASSWORDS[user])
    wait_for_live_board(page)
    page.get_by_test_id(f"view-tab-{name}").click()
    view = page.get_by_test_id(f"view-{name}")
    expect(view).to_be_visible()
    expect(view).to_have_attribute("data-state", "ready")
    expect(page.get_by_test_id("console-view")).to_be_hidden()
    return view


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)
