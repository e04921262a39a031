"""The gateway between a real mosquitto and a real control room: bad input, supervision,
restarts. Short supervision intervals (1 s) keep it quick."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware_sim.malformed import catalogue
from tests.support.sites import small_site_text, write_site
from tests.support.stack import MOSQUITTO, Stack, wait_until

pytestmark = [pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]

GAS, BTN = "gas-1-1-0101", "btn-1-1-0101"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("gw")
    site = write_site(tmp, small_site_text("testsite", floors=1, flats=2, interval_s=1))
    s = Stack(tmp, "mosquitto", site)
    try:
        yield s.start_all()
    finally:
        s.group.stop_all()


def _open(stack: Stack, token: str, kind: str, device: str) -> list[dict[str, object]]:
    return [a for a in stack.alerts(token, state="open", kind=kind) if a["device"] == device]


def _counter(text: str, reason: str) -> int:
    m = re.search(rf'butler_gateway_quarantined_total{{reason="{reason}"}} (\d+)', text)
    return int(m.group(1)) if m else 0


def test_every_malformed_input_is_quarantined_counted_and_the_next_good_message_works(
        stack: Stack) -> None:
    op = stack.token("operator", "operator123")
    # A message for another site never reaches this site's gateway (it subscribes to its own
    # site only), so there is nothing to count; the pure ingest test covers that entry.
    entries = [m for m in catalogue() if m.site is None]
    assert len(entries) >= 20
    for m in entries:
        before = _counter(stack.metrics(), m.reason)
        stack.sim("inject", "--device", GAS, "malformed", "--value", m.name)
        wait_until(f"{m.name} counted as {m.reason}",
                   lambda m=m, before=before: _counter(stack.metrics(), m.reason) > before, 10)
    # Nothing was alerted for any of it (oversize, unregistered devices, bad topics included) ...
    assert stack.alerts(op) == []
    # ... and the gateway still works.
    stack.sim("press", "--unit", "1-1-0102")
    wait_until("the panic alert", lambda: _open(stack, op, "panic", "btn-1-1-0102"), 10)


def test_last_will_is_offline_at_once_and_coming_back_restores(stack: Stack) -> None:
    op = stack.token("operator", "operator123")
    stack.sim("offline", "--device", BTN)
    [alert] = wait_until("device_offline for the button",
                         lambda: _open(stack, op, "device_offline", BTN), 5)
    assert (alert["priority"], alert["condition"]) == (2, "active")
    assert alert["detail"]["why"] == "last_will"  # type: ignore[index]
    stack.sim("online", "--device", BTN)
    wait_until("the restore", lambda: [a for a in _open(stack, op, "device_offline", BTN)
                                       if a["condition"] == "restored"], 10)


def test_silence_for_three_intervals_raises_device_offline(stack: Stack) -> None:
    """A device that stops talking without a last will (its broker connection lingers):
    simulated by SIGSTOP on the whole simulator, so every device falls silent."""
    op = stack.token("operator", "operator123")
    sim = next(c for c in stack.group.children if c.name == "firmware_sim")
    sim.proc.send_signal(signal.SIGSTOP)
    try:
        # Devices go silent together but are reported as each one's third interval passes:
        # wait for the gas detector itself, not for the first of them.
        found = wait_until("the gas detector reported offline as silent", lambda: [
            a for a in stack.alerts(op, state="open", kind="device_offline")
            if a["condition"] == "active" and a["detail"]["why"] == "silent"  # type: ignore[index]
            and a["device"] == GAS], 30)
        assert {a["device"] for a in found} == {GAS}
    finally:
        sim.proc.send_signal(signal.SIGCONT)
    wait_until("devices restored after the silence", lambda: all(
        a["condition"] == "restored" for a in stack.alerts(op, state="open",
                                                           kind="device_offline")), 30)


def test_a_gateway_restart_neither_marks_everyone_offline_nor_forgets(stack: Stack,
                                                                      tmp_path: Path) -> None:
    op = stack.token("operator", "operator123")
    stack.sim("offline", "--device", "gas-1-1-0102")
    wait_until("offline", lambda: [a for a in _open(stack, op, "device_offline", "gas-1-1-0102")
                                   if a["condition"] == "active"], 5)
    stack.stop("gateway", signal.SIGKILL)
    stack.start_gateway()
    # Given 3 intervals, the restarted gateway has heard every live device again.
    wait_until("heartbeats after restart", lambda: "devices_offline 1" in stack.metrics(), 10)
    live = [a for a in stack.alerts(op, state="open", kind="device_offline")
            if a["condition"] == "active"]
    assert [a["device"] for a in live] == ["gas-1-1-0102"]
    stack.sim("online", "--device", "gas-1-1-0102")
    wait_until("restored", lambda: "devices_offline 0" in stack.metrics(), 10)


def test_sigterm_stops_the_gateway_cleanly_and_it_resumes(stack: Stack) -> None:
    gw = next(c for c in stack.group.children if c.name == "gateway")
    stack.stop("gateway")  # SIGTERM, waited for
    assert gw.proc.returncode == 0
    assert "Traceback" not in gw.log.read_text()
    stack.start_gateway()
    op = stack.token("operator", "operator123")
    stack.sim("tamper", "--unit", "1-1-0101", "--kind", "btn")
    wait_until("an alert after the restart", lambda: _open(stack, op, "tamper", BTN), 10)
