"""Acceptance 6 of issue 18: a kiosk killed with SIGKILL shows as offline on the console's
device health within its heartbeat window (3 periods, plus the sweep's delay), raises one
maintenance alert however long it stays away, and the alert clears when it returns.

The kiosk here is `python -m kiosk.heartbeat`: the kiosk's heartbeat module as its own process,
without the Kivy window (the GUI kiosk sends the same heartbeat from a thread, kiosk/__main__).
The control room is a process on a site whose kiosks beat every second."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import browser as cb
from tests.support.browser import open_view
from tests.support.kiosk_fleet import fleet_room, kiosk_alerts, kiosk_status
from tests.support.stack import Stack
from tests.utils import wait_until

pytestmark = cb.CONSOLE_MARKS
expect = cb.expect
HEARTBEAT_S = 1.0
WINDOW_S = 3 * HEARTBEAT_S


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with fleet_room(tmp_path, HEARTBEAT_S) as s:
        yield s


def _start_kiosk(stack: Stack) -> None:
    stack.group.start("kiosk", ["-m", "kiosk.heartbeat", "--config", str(stack.site),
                                "--kiosk", "kiosk-1"])


def test_a_killed_kiosk_goes_offline_raises_one_alert_and_clears_on_return(
        stack: Stack, browser: Any) -> None:
    op = stack.token("operator", "operator123")
    _start_kiosk(stack)
    wait_until("kiosk-1's first heartbeat", lambda: kiosk_status(stack, op)["online"] is True, 30)
    k = kiosk_status(stack, op)
    assert k["version"] and k["uptime_s"] is not None and k["last_error"] == ""

    with cb.open_page(browser, stack.api_url) as page:
        view = open_view(page, "devices")
        row = view.locator('[data-testid="kiosk-row"][data-kiosk="kiosk-1"]')
        expect(row).to_have_attribute("data-online", "true")

        stack.stop("kiosk", signal.SIGKILL)
        killed = time.monotonic()
        wait_until("kiosk-1 offline", lambda: kiosk_status(stack, op)["online"] is False,
                   WINDOW_S + 10)
        took = time.monotonic() - killed
        # Its window, the sweep's period (half a heartbeat) and one heartbeat in flight.
        assert took < WINDOW_S + HEARTBEAT_S + 2, f"offline after {took:.1f} s"
        expect(row).to_have_attribute("data-online", "false", timeout=15000)
        expect(row.get_by_test_id("kiosk-state")).to_contain_text("离线")

        [alert] = kiosk_alerts(stack, op)
        assert (alert["priority"], alert["state"], alert["kind"]) == (4, "open", "device_offline")
        # Silent for twice as long again: still that one alert.
        wait_until("a long silence", lambda: kiosk_status(stack, op)["age_s"] > 3 * WINDOW_S, 30)
        assert [a["id"] for a in kiosk_alerts(stack, op)] == [alert["id"]]

        _start_kiosk(stack)
        wait_until("kiosk-1 back", lambda: kiosk_status(stack, op)["online"] is True, 30)
        wait_until("its alert cleared",
                   lambda: [a["state"] for a in kiosk_alerts(stack, op)] == ["resolved"], 10)
        expect(row).to_have_attribute("data-online", "true", timeout=15000)
    metrics = httpx.get(f"{stack.api_url}/metrics", timeout=5).text
    from tests.utils.metrics import sample

    assert sample(metrics, "butler_kiosks_offline") == 0
    assert (sample(metrics, "butler_kiosk_heartbeats_total") or 0) >= 2
