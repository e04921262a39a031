"""The gateway between a real mosquitto and a real control room: bad input, supervision,
restarts. Short supervision intervals (1 s) keep it quick.

The tests share one stack: a test that takes a device off the network brings it back in a
`finally`, so its failure cannot leave the next tests a device that never answers. Waits are
generous (`make test` runs three workers on two loaded CPUs); they end as soon as the
condition holds."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware_sim.malformed import catalogue
from tests.support.sites import small_site_text, write_site
from tests.support.stack import MOSQUITTO, Stack
from tests.utils import wait_until
from tests.utils.metrics import sample

pytestmark = [pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]

GAS, BTN = "gas-1-1-0101", "btn-1-1-0101"
WAIT_S = 60.0  # for anything that crosses the broker, the gateway and the control room


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("gw")
    site = write_site(tmp, small_site_text("testsite", floors=1, flats=2, interval_s=1))
    s = Stack(tmp, "mosquitto", site)
    try:
        # Every device on the network before the gateway starts: a simulator slow to start
        # on a loaded machine would otherwise be rightly reported silent (3 s of 1-s intervals).
        s.start_broker()
        s.start_controlroom()
        s.start_sim()
        s.wait_sim_online()
        s.start_gateway()
        yield s
    finally:
        s.group.stop_all()


def _open(stack: Stack, token: str, kind: str, device: str) -> list[dict[str, object]]:
    return [a for a in stack.alerts(token, state="open", kind=kind) if a["device"] == device]


def _gauge(text: str, name: str) -> int:
    value = sample(text, f"butler_gateway_{name}")
    assert value is not None, f"no butler_gateway_{name} in the gateway's metrics"
    return int(value)


def _counter(text: str, reason: str) -> int:
    return int(sample(text, "butler_gateway_quarantined_total", reason=reason) or 0)


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
                   lambda m=m, before=before: _counter(stack.metrics(), m.reason) > before,
                   WAIT_S)
    # Nothing was alerted for any of it (oversize, unregistered devices, bad topics included) ...
    assert stack.alerts(op) == []
    # ... and the gateway still works.
    stack.sim("press", "--unit", "1-1-0102")
    wait_until("the panic alert", lambda: _open(stack, op, "panic", "btn-1-1-0102"), WAIT_S)


def test_last_will_is_offline_at_once_and_coming_back_restores(stack: Stack) -> None:
    op = stack.token("operator", "operator123")
    stack.sim("offline", "--device", BTN)
    try:
        # Raised by the last will, not by silence (3 s): and not taken back by the heartbeat
        # the button sent just before it dropped (supervision.py).
        [alert] = wait_until("the button's last-will alert", lambda: [
            a for a in _open(stack, op, "device_offline", BTN)
            if a["detail"]["why"] == "last_will"], WAIT_S)  # type: ignore[index]
        assert (alert["priority"], alert["condition"]) == (2, "active")
    finally:
        stack.sim("online", "--device", BTN)
    wait_until("the restore", lambda: [a for a in _open(stack, op, "device_offline", BTN)
                                       if a["condition"] == "restored"], WAIT_S)


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
            and a["device"] == GAS], WAIT_S)
        assert {a["device"] for a in found} == {GAS}
    finally:
        sim.proc.send_signal(signal.SIGCONT)
    wait_until("devices restored after the silence", lambda: all(
        a["condition"] == "restored" for a in stack.alerts(op, state="open",
                                                           kind="device_offline")), WAIT_S)


def test_a_gateway_restart_neither_marks_everyone_offline_nor_forgets(stack: Stack,
                                                                      tmp_path: Path) -> None:
    op = stack.token("operator", "operator123")
    gone = "gas-1-1-0102"

    def on_the_board() -> list[object]:
        return [a["device"] for a in stack.alerts(op, state="open", kind="device_offline")
                if a["condition"] == "active"]

    stack.sim("offline", "--device", gone)
    try:
        wait_until("the gone detector offline on the board", lambda: on_the_board() == [gone],
                   WAIT_S)
        stack.stop("gateway", signal.SIGKILL)
        stack.start_gateway()
        # Once it has listened for well over the grace (3 intervals: 4 retained states and
        # 3 live devices' heartbeats at 1 s make 25 messages in 7 s) ...
        def listened() -> str:
            text = stack.metrics()
            return text if _gauge(text, "messages_received_total") >= 25 else ""

        text = wait_until("the restarted gateway's first 7 s of listening", listened, WAIT_S)
        # ... it has raised nothing (nobody marked offline by the restart) and still counts
        # the gone detector offline (not forgotten).
        assert (_gauge(text, "signals_total"), _gauge(text, "devices_offline")) == (0, 1)
        assert on_the_board() == [gone]
    finally:
        stack.sim("online", "--device", gone)
    wait_until("the gone detector back", lambda: _gauge(stack.metrics(), "devices_offline")
               == 0, WAIT_S)


def test_sigterm_stops_the_gateway_cleanly_and_it_resumes(stack: Stack) -> None:
    gw = next(c for c in stack.group.children if c.name == "gateway")
    stack.stop("gateway")  # SIGTERM, waited for
    assert gw.proc.returncode == 0
    assert "Traceback" not in gw.log.read_text()
    stack.start_gateway()
    op = stack.token("operator", "operator123")
    stack.sim("tamper", "--unit", "1-1-0101", "--kind", "btn")
    wait_until("an alert after the restart", lambda: _open(stack, op, "tamper", BTN), WAIT_S)
