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

from config import DEFAULT_SITE_PATH
from tests.support import browser as cb
from tests.support.browser import open_view
from tests.support.sites import write_site
from tests.support.stack import Stack
from tests.utils import wait_until

pytestmark = cb.CONSOLE_MARKS
expect = cb.expect
HEARTBEAT_S = 1.0
WINDOW_S = 3 * HEARTBEAT_S


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    text = DEFAULT_SITE_PATH.read_text(encoding="utf-8")
    assert "[kiosk]\n" in text
    site = write_site(tmp_path, text.replace("[kiosk]\n", f"[kiosk]\nheartbeat_s = {HEARTBEAT_S}\n",
                                             1))
    s = Stack(tmp_path, site=site)
    try:
        s.start_controlroom()
        yield s
    finally:
        s.group.stop_all()


def _start_kiosk(stack: Stack) -> None:
    stack.group.start("kiosk", ["-m", "kiosk.heartbeat", "--config", str(stack.site),
                                "--kiosk", "kiosk-1"])


def _kiosk(stack: Stack, op: str) -> dict[str, Any]:
    r = httpx.get(f"{stack.api_url}/api/devices/kiosks",
                  headers={"Authorization": f"Bearer {op}"}, timeout=10)
    r.raise_for_status()
    return next(k for k in r.json()["data"] if k["id"] == "kiosk-1")


def _alerts(stack: Stack, op: str) -> list[dict[str, Any]]:
    return [a for a in stack.alerts(op, kind="device_offline") if a["device"] == "kiosk-1"]


def test_a_killed_kiosk_goes_offline_raises_one_alert_and_clears_on_return(
        stack: Stack, browser: Any) -> None:
    op = stack.token("operator", "operator123")
    _start_kiosk(stack)
    wait_until("kiosk-1's first heartbeat", lambda: _kiosk(stack, op)["online"] is True, 30)
    k = _kiosk(stack, op)
    assert k["version"] and k["uptime_s"] is not None and k["last_error"] == ""

    with cb.open_page(browser, stack.api_url) as page:
        view = open_view(page, "devices")
        row = view.locator('[data-testid="kiosk-row"][data-kiosk="kiosk-1"]')
        expect(row).to_have_attribute("data-online", "true")

        stack.stop("kiosk", signal.SIGKILL)
        killed = time.monotonic()
        wait_until("kiosk-1 offline", lambda: _kiosk(stack, op)["online"] is False,
                   WINDOW_S + 10)
        took = time.monotonic() - killed
        # Its window, the sweep's period (half a heartbeat) and one heartbeat in flight.
        assert took < WINDOW_S + HEARTBEAT_S + 2, f"offline after {took:.1f} s"
        expect(row).to_have_attribute("data-online", "false", timeout=15000)
        expect(row.get_by_test_id("kiosk-state")).to_contain_text("离线")

        [alert] = _alerts(stack, op)
        assert (alert["priority"], alert["state"], alert["kind"]) == (4, "open", "device_offline")
        # Silent for twice as long again: still that one alert.
        wait_until("a long silence", lambda: _kiosk(stack, op)["age_s"] > 3 * WINDOW_S, 30)
        assert [a["id"] for a in _alerts(stack, op)] == [alert["id"]]

        _start_kiosk(stack)
        wait_until("kiosk-1 back", lambda: _kiosk(stack, op)["online"] is True, 30)
        wait_until("its alert cleared",
                   lambda: [a["state"] for a in _alerts(stack, op)] == ["resolved"], 10)
        expect(row).to_have_attribute("data-online", "true", timeout=15000)
    metrics = httpx.get(f"{stack.api_url}/metrics", timeout=5).text
    from tests.utils.metrics import sample

    assert sample(metrics, "butler_kiosks_offline") == 0
    assert (sample(metrics, "butler_kiosk_heartbeats_total") or 0) >= 2
