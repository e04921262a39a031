"""Acceptance (issue 8, mosquitto half): two gateway replicas share the devices' events on an
MQTT v5 shared subscription. One is SIGKILLed in the middle of 1,000 gas alarms and the
control room still ends with exactly 1,000 alerts; a device that drops off the network is one
device_offline alert, though both replicas saw it go. Real processes, a mosquitto of the
test's own."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from launcher.processes import ROOT, free_port
from tests.support.sites import gas_burst, small_site_text, write_site
from tests.support.stack import MOSQUITTO, Stack
from tests.utils import wait_until

pytestmark = [pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]

N = 1000  # 5 entrances x 25 floors x 8 flats, one gas detector each
BURST = gas_burst(floors=25)  # within 2 s: longer than the moment a test waits inside it
GROUP = "gw"


class Replicas:
    """Gateway replicas `a` and `b` of one stack, each with its state dir and metrics port."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.ports: dict[str, int] = {}

    def start(self, rid: str) -> None:
        s = self.stack
        self.ports[rid] = free_port()
        child = s.group.start(f"gateway-{rid}", [
            "-m", "gateway", "--config", str(s.site), "--state-dir", str(s.tmp / rid),
            "--metrics-port", str(self.ports[rid]), "--replica-id", rid,
            "--shared-group", GROUP])
        s.group.wait_http(f"http://127.0.0.1:{self.ports[rid]}/health", child, timeout=60)

    def kill(self, rid: str) -> None:
        self.stack.stop(f"gateway-{rid}", signal.SIGKILL)

    def metric(self, rid: str, name: str) -> float:
        text = httpx.get(f"http://127.0.0.1:{self.ports[rid]}/metrics", timeout=5).text
        m = re.search(rf"^{name} (\S+)$", text, re.M)
        assert m, f"{name} not in gateway-{rid}'s metrics"
        return float(m.group(1))


def _stack(tmp: Path, site_text: str) -> tuple[Stack, Replicas]:
    site = write_site(tmp, site_text)
    s = Stack(tmp, "mosquitto", site)
    s.start_broker()
    s.start_controlroom()
    r = Replicas(s)
    r.start("a")
    r.start("b")
    s.start_sim()
    s.wait_sim_online(120)
    return s, r


@pytest.fixture
def big(tmp_path: Path) -> Iterator[tuple[Stack, Replicas]]:
    s, r = _stack(tmp_path, small_site_text("bigsite", floors=25, flats=8, entrances=5,
                                            interval_s=3600))
    (tmp_path / "burst.toml").write_text(BURST)
    try:
        yield s, r
    finally:
        s.group.stop_all()


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Stack, Replicas]]:
    # A long interval: no device falls silent during a slow start-up on a loaded machine.
    s, r = _stack(tmp_path, small_site_text("smallsite", floors=1, flats=2, interval_s=60))
    try:
        yield s, r
    finally:
        s.group.stop_all()


def test_a_replica_killed_mid_burst_loses_and_doubles_nothing(
        big: tuple[Stack, Replicas]) -> None:
    stack, replicas = big
    play = subprocess.Popen(
        [sys.executable, "-m", "firmware_sim", "--config", str(stack.site), "--control",
         str(stack.control), "scenario", str(stack.tmp / "burst.toml")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(random.uniform(0.2, 1.5))  # a random moment inside the burst
    assert play.poll() is None, "the burst finished before the kill: make it longer"
    replicas.kill("a")
    # b goes on alone; the events the broker had queued for a's session wait for it, as a
    # service manager restarts it with the same id and state dir.
    out, _ = play.communicate(timeout=300)
    assert play.returncode == 0, out
    assert f"done: {N} of {N} actions sent" in out
    replicas.start("a")

    op = stack.token("operator", "operator123")
    wait_until(f"{N} gas alarms", lambda: len(stack.alerts(op, kind="gas_alarm")) >= N, 180)
    for rid in ("a", "b"):
        wait_until(f"gateway-{rid}'s outbox drained",
                   lambda rid=rid: replicas.metric(rid, "butler_gateway_outbox_depth") == 0, 60)
    alerts = stack.alerts(op, kind="gas_alarm")
    assert len(alerts) == N
    assert len({a["device"] for a in alerts}) == N
    assert all(a["occurrences"] == 1 for a in alerts)  # no event counted twice
    # Both replicas carried the burst: b alone while a was down, and a its queued share.
    assert replicas.metric("b", "butler_gateway_signals_total") > 0
    assert replicas.metric("a", "butler_gateway_signals_total") > 0


def _offline_alerts(stack: Stack, token: str, device: str) -> list[dict[str, object]]:
    return [a for a in stack.alerts(token, kind="device_offline") if a["device"] == device]


def test_a_device_both_replicas_see_drop_is_one_offline_alert(
        small: tuple[Stack, Replicas]) -> None:
    stack, replicas = small
    device = "gas-1-1-0101"
    # The device says something (as every device does once per interval): one replica gets
    # it to record, both get a copy to supervise. Its last will follows it on every
    # replica's connection, in order.
    stack.sim("event", "--device", device, "--type", "gas", "--state", "normal",
              "--field", "lel=0.5")
    op = stack.token("operator", "operator123")

    stack.sim("offline", "--device", device)
    first = wait_until("the device_offline alert", lambda: _offline_alerts(stack, op, device),
                       30)
    wait_until("both replicas delivered", lambda: all(
        replicas.metric(r, "butler_gateway_delivered_total") >= 1 for r in ("a", "b")), 30)
    stack.sim("online", "--device", device)
    wait_until("the alert shows the device back", lambda: _offline_alerts(
        stack, op, device)[0]["condition"] == "restored", 30)
    wait_until("both replicas delivered the restore", lambda: all(
        replicas.metric(r, "butler_gateway_delivered_total") >= 2 for r in ("a", "b")), 30)

    alerts = _offline_alerts(stack, op, device)
    assert len(alerts) == 1 and alerts[0]["id"] == first[0]["id"]
    # Each replica reported the drop; the control room counted it once.
    assert alerts[0]["occurrences"] == 1
    assert alerts[0]["state"] == "open"  # priority 2 latches: the operator closes it


def test_an_event_delivered_to_both_replicas_is_one_alert(
        small: tuple[Stack, Replicas]) -> None:
    stack, replicas = small
    device = "gas-1-1-0102"
    # The device sends its next event twice with the same (boot, seq), as after a lost
    # PUBACK; the broker hands the two copies to the two replicas in turn.
    stack.sim("inject", "--device", device, "duplicate")
    stack.sim("gas", "--device", device)
    op = stack.token("operator", "operator123")
    wait_until("both replicas recorded the event", lambda: all(
        replicas.metric(r, "butler_gateway_signals_total") >= 1 for r in ("a", "b")), 30)
    for rid in ("a", "b"):
        wait_until(f"gateway-{rid}'s outbox drained",
                   lambda rid=rid: replicas.metric(rid, "butler_gateway_outbox_depth") == 0, 30)
    alerts = [a for a in stack.alerts(op, kind="gas_alarm") if a["device"] == device]
    assert len(alerts) == 1 and alerts[0]["occurrences"] == 1
