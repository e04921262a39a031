"""Acceptance: while 1,000 devices each raise one gas alarm, the gateway is killed, or
mosquitto restarted, or the control room is down for 60 s — and the control room ends with
exactly 1,000 gas_alarm alerts. Real processes throughout."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.processes import ROOT
from tests.support.sites import gas_burst, small_site_text, write_site
from tests.support.stack import MOSQUITTO, Stack
from tests.utils import wait_until
from tests.utils.metrics import sample

pytestmark = [pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]

# 5 entrances x 25 floors x 8 flats = 1,000 flats, each with a gas detector and a button.
N = 1000
BURST = gas_burst(floors=25)  # within 2 s: longer than the 1.5 s a test waits inside it
BATTERIES = ('name = "batteries"\n[[steps]]\nat = 0\ndo = "battery_low"\n'
             'select = { kind = "gas", floors = [1, 1] }\n')  # 40 detectors


def _stack(tmp: Path, persistence: bool = False) -> Stack:
    site = write_site(tmp, small_site_text("bigsite", floors=25, flats=8, entrances=5,
                                           interval_s=3600))
    (tmp / "burst.toml").write_text(BURST)
    (tmp / "batteries.toml").write_text(BATTERIES)
    s = Stack(tmp, "mosquitto", site, persistence=persistence)
    s.start_all()
    s.wait_sim_online(120)
    return s


@pytest.fixture
def stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    s = _stack(tmp_path, persistence=getattr(request, "param", False))
    try:
        yield s
    finally:
        s.group.stop_all()


def _play(stack: Stack, scenario: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "firmware_sim", "--config", str(stack.site), "--control",
         str(stack.control), "scenario", str(stack.tmp / scenario)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(play: subprocess.Popen[str], expect: int) -> None:
    out, _ = play.communicate(timeout=300)
    assert play.returncode == 0, out
    assert f"done: {expect} of {expect} actions sent" in out


def _gas_alarms(stack: Stack, token: str) -> list[dict[str, object]]:
    return stack.alerts(token, kind="gas_alarm")


def _exactly_n_gas_alarms(stack: Stack) -> None:
    op = stack.token("operator", "operator123")
    alerts = wait_until(f"{N} gas alarms", lambda: (a := _gas_alarms(stack, op))
                        and len(a) >= N and a, timeout=180)
    # After a broker restart the outbox also holds every device's offline and back-online
    # signals (their last wills fired): thousands, delivered one request each.
    wait_until("the outbox drained", lambda: sample(
        stack.metrics(), "butler_gateway_outbox_depth") == 0, 240)
    alerts = _gas_alarms(stack, op)
    assert len(alerts) == N
    assert len({a["device"] for a in alerts}) == N
    assert all(a["occurrences"] == 1 for a in alerts)  # no event counted twice


def test_gateway_killed_mid_burst_loses_and_doubles_nothing(stack: Stack) -> None:
    play = _play(stack, "burst.toml")
    time.sleep(random.uniform(0.2, 1.5))  # a random moment inside the burst
    assert play.poll() is None, "the burst finished before the kill: make it longer"
    stack.stop("gateway", signal.SIGKILL)
    stack.start_gateway()
    _finish(play, N)
    _exactly_n_gas_alarms(stack)


@pytest.mark.parametrize("stack", [True], indirect=True, ids=["persistent-mosquitto"])
def test_mosquitto_restarted_mid_burst_loses_and_doubles_nothing(stack: Stack) -> None:
    play = _play(stack, "burst.toml")
    time.sleep(random.uniform(0.2, 1.5))
    assert play.poll() is None, "the burst finished before the restart"
    stack.stop("mosquitto")  # SIGTERM: mosquitto writes its persistence file
    stack.start_broker()
    _finish(play, N)
    _exactly_n_gas_alarms(stack)


def test_control_room_down_60s_the_outbox_drains_priority_first(stack: Stack) -> None:
    down_at = time.monotonic()
    stack.stop("controlroom")
    _finish(_play(stack, "batteries.toml"), 40)  # priority 4, raised first ...
    _finish(_play(stack, "burst.toml"), N)  # ... then priority 1
    wait_until("everything recorded in the outbox",
               lambda: sample(stack.metrics(), "butler_gateway_outbox_depth") == N + 40, 60)
    time.sleep(max(0.0, 60 - (time.monotonic() - down_at)))  # the control room stays down 60 s
    stack.start_controlroom()
    _exactly_n_gas_alarms(stack)
    op = stack.token("operator", "operator123")
    batteries = wait_until("the battery alerts", lambda: (
        b := stack.alerts(op, kind="battery_low")) and len(b) == 40 and b, 60)
    gas_ids = [int(a["id"]) for a in _gas_alarms(stack, op)]  # type: ignore[call-overload]
    assert max(gas_ids) < min(int(b["id"]) for b in batteries)  # type: ignore[call-overload]


def test_control_room_killed_while_applying_a_batch_loses_and_doubles_nothing(
        stack: Stack) -> None:
    """The control room is SIGKILLed while the gateway drains a full outbox in batches: the
    batch in flight is rolled back with its transaction, the gateway delivers it again to
    the restarted control room, and the keys it had already applied are not applied twice."""
    stack.stop("controlroom")
    _finish(_play(stack, "burst.toml"), N)
    wait_until("everything recorded in the outbox",
               lambda: sample(stack.metrics(), "butler_gateway_outbox_depth") == N, 60)
    stack.start_controlroom()

    def delivered() -> int:
        return int(sample(stack.metrics(), "butler_gateway_delivered_total") or 0)

    # The first batch was taken: the drainer posts the next one at once, so the control
    # room is in the middle of applying one now.
    wait_until("the first batch delivered", lambda: delivered() > 0, 60, every=0.005)
    stack.stop("controlroom", signal.SIGKILL)
    taken = delivered()
    assert 0 < taken < N, f"{taken} of {N} delivered before the kill: not mid-drain"
    stack.start_controlroom()
    _exactly_n_gas_alarms(stack)
