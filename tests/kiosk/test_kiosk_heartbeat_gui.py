"""Issue 18, acceptance 6, with the real kiosk: `python -m kiosk --api URL --kiosk ID` (its
window under Xvfb, configured by the control room, never the site file) reports its heartbeat
at the period the control room's kiosk configuration gives; killed with SIGKILL it goes offline
within three periods and raises one maintenance alert, which clears when it returns."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kiosk_fleet import fleet_room, kiosk_alerts, kiosk_status
from tests.support.stack import Stack
from tests.utils import wait_until

HEARTBEAT_S = 1.0
WINDOW_S = 3 * HEARTBEAT_S

pytestmark = [pytest.mark.gui, pytest.mark.timeout(300)]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with fleet_room(tmp_path, HEARTBEAT_S) as s:
        yield s


def _start_kiosk(stack: Stack, display: str) -> None:
    # Only the API's address, the kiosk's id and its secret (demo mode: plain HTTP allowed).
    stack.group.start("kiosk", ["-m", "kiosk", "--api", stack.api_url, "--kiosk", "kiosk-1"],
                      env={"DISPLAY": display, "BUTLER_DEMO": "1",
                           "BUTLER_KIOSK_SECRET": "kiosk1-secret", "BUTLER_SITE": "/nonexistent",
                           "KIVY_HOME": str(stack.tmp / "kivy-home"),
                           "LIBGL_ALWAYS_SOFTWARE": "1"})


def test_the_window_kiosk_killed_goes_offline_raises_one_alert_and_clears_on_return(
        stack: Stack, display: str) -> None:
    op = stack.token("operator", "operator123")
    _start_kiosk(stack, display)
    wait_until("the window kiosk's first heartbeat",
               lambda: kiosk_status(stack, op)["online"] is True, 90)
    first = kiosk_status(stack, op)
    assert first["version"] and first["last_error"] == ""
    # It beats at the site's period (1 s), not the kiosk's default (30 s): the age stays low.
    wait_until("a later heartbeat", lambda: (kiosk_status(stack, op)["uptime_s"] or 0)
               > (first["uptime_s"] or 0), 10)

    stack.stop("kiosk", signal.SIGKILL)
    killed = time.monotonic()
    wait_until("kiosk-1 offline", lambda: kiosk_status(stack, op)["online"] is False, WINDOW_S + 10)
    took = time.monotonic() - killed
    assert took < WINDOW_S + HEARTBEAT_S + 2, f"offline after {took:.1f} s"
    [alert] = kiosk_alerts(stack, op)
    assert (alert["priority"], alert["state"]) == (4, "open")

    _start_kiosk(stack, display)
    wait_until("kiosk-1 back", lambda: kiosk_status(stack, op)["online"] is True, 90)
    wait_until("its alert cleared",
               lambda: [a["state"] for a in kiosk_alerts(stack, op)] == ["resolved"], 10)
