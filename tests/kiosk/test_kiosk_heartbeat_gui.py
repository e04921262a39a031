"""Issue 18, acceptance 6, with the real kiosk: `python -m kiosk --api URL --kiosk ID` (its
window under Xvfb, configured by the control room, never the site file) reports its heartbeat
at the period the control room's kiosk configuration gives; killed with SIGKILL it goes offline
within three periods and raises one maintenance alert, which clears when it returns."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from config import DEFAULT_SITE_PATH
from tests.support.sites import write_site
from tests.support.stack import Stack
from tests.utils import wait_until

HEARTBEAT_S = 1.0
WINDOW_S = 3 * HEARTBEAT_S

pytestmark = [pytest.mark.gui, pytest.mark.timeout(300)]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    text = DEFAULT_SITE_PATH.read_text(encoding="utf-8")
    site = write_site(tmp_path, text.replace("[kiosk]\n", f"[kiosk]\nheartbeat_s = {HEARTBEAT_S}\n",
                                             1))
    s = Stack(tmp_path, site=site)
    try:
        s.start_controlroom()
        yield s
    finally:
        s.group.stop_all()


def _start_kiosk(stack: Stack, display: str) -> None:
    # Only the API's address, the kiosk's id and its secret (demo mode: plain HTTP allowed).
    stack.group.start("kiosk", ["-m", "kiosk", "--api", stack.api_url, "--kiosk", "kiosk-1"],
                      env={"DISPLAY": display, "BUTLER_DEMO": "1",
                           "BUTLER_KIOSK_SECRET": "kiosk1-secret", "BUTLER_SITE": "/nonexistent",
                           "KIVY_HOME": str(stack.tmp / "kivy-home"),
                           "LIBGL_ALWAYS_SOFTWARE": "1"})


def _kiosk(stack: Stack, op: str) -> dict[str, Any]:
    r = httpx.get(f"{stack.api_url}/api/devices/kiosks",
                  headers={"Authorization": f"Bearer {op}"}, timeout=10)
    r.raise_for_status()
    return next(k for k in r.json()["data"] if k["id"] == "kiosk-1")


def _alerts(stack: Stack, op: str) -> list[dict[str, Any]]:
    return [a for a in stack.alerts(op, kind="device_offline") if a["device"] == "kiosk-1"]


def test_the_window_kiosk_killed_goes_offline_raises_one_alert_and_clears_on_return(
        stack: Stack, display: str) -> None:
    op = stack.token("operator", "operator123")
    _start_kiosk(stack, display)
    wait_until("the window kiosk's first heartbeat",
               lambda: _kiosk(stack, op)["online"] is True, 90)
    first = _kiosk(stack, op)
    assert first["version"] and first["last_error"] == ""
    # It beats at the site's period (1 s), not the kiosk's default (30 s): the age stays low.
    wait_until("a later heartbeat", lambda: (_kiosk(stack, op)["uptime_s"] or 0)
               > (first["uptime_s"] or 0), 10)

    stack.stop("kiosk", signal.SIGKILL)
    killed = time.monotonic()
    wait_until("kiosk-1 offline", lambda: _kiosk(stack, op)["online"] is False, WINDOW_S + 10)
    took = time.monotonic() - killed
    assert took < WINDOW_S + HEARTBEAT_S + 2, f"offline after {took:.1f} s"
    [alert] = _alerts(stack, op)
    assert (alert["priority"], alert["state"]) == (4, "open")

    _start_kiosk(stack, display)
    wait_until("kiosk-1 back", lambda: _kiosk(stack, op)["online"] is True, 90)
    wait_until("its alert cleared",
               lambda: [a["state"] for a in _alerts(stack, op)] == ["resolved"], 10)
