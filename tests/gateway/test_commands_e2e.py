"""Device commands and valves end to end (issue 17, acceptance 2 and 3): simulated devices on a
real mosquitto, the gateway and the control room as processes.

- An operator reopens a valve after resolving a gas alarm as a false alarm; the simulated
  detector confirms; the alert's history shows who asked, when, and the device's answer.
- A command to a silent device shows `no_answer` after its timeout.
- A gateway killed with a command pending still records the device's answer after restart.
- A detector on test raising gas closes no valve; the same detector off test does.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.sites import small_site_text, write_site
from tests.support.stack import MOSQUITTO, Stack
from tests.utils import wait_until

pytestmark = [pytest.mark.mosquitto,
              pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")]
WAIT_S = 60.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("commands")
    # 1 floor x 4 flats: 1-1-0101 .. 1-1-0104, each with a gas detector and a button.
    site = write_site(tmp, small_site_text("testsite", floors=1, flats=4, auto_valve=True))
    s = Stack(tmp, "mosquitto", site)
    try:
        s.start_all()
        s.wait_sim_online()
        yield s
    finally:
        s.group.stop_all()


class Api:
    def __init__(self, stack: Stack, user: str) -> None:
        self.url = stack.api_url
        self.h = {"Authorization": f"Bearer {stack.token(user, f'{user}123')}"}

    def __call__(self, method: str, path: str, **kw: Any) -> Any:
        r = httpx.request(method, f"{self.url}{path}", headers=self.h, timeout=10, **kw)
        assert r.status_code < 300, r.text
        return r.json()


def _log(stack: Stack, name: str) -> str:
    child = next(c for c in stack.group.children if c.name == name)
    return child.log.read_text(errors="replace")


def _gas_alert(op: Api, unit: str, **match: Any) -> dict[str, Any] | None:
    for a in op("GET", "/api/alerts", params={"state": "all", "kind": "gas_alarm",
                                              "unit": unit})["data"]:
        if all(a.get(k) == v for k, v in match.items()):
            return a  # type: ignore[no-any-return]
    return None


def _command_state(api: Api, cid: str, *states: str) -> dict[str, Any] | None:
    c = api("GET", f"/api/commands/{cid}")
    return c if c["state"] in states else None  # type: ignore[no-any-return]


def test_reopening_the_valve_after_a_false_alarm(stack: Stack) -> None:
    op = Api(stack, "operator")
    stack.sim("gas", "--unit", "1-1-0102")
    alert = wait_until("the gas alarm with its valve closed", lambda: (
        a := _gas_alert(op, "1-1-0102", state="open")) and a["detail"].get("valve") and a,
        WAIT_S)
    assert alert["detail"]["valve"] == "closed_confirmed"
    stack.sim("gas", "--unit", "1-1-0102", "--state", "normal")
    op("POST", f"/api/alerts/{alert['id']}/resolve",
       json={"cause": "false_alarm", "note": "burnt toast"})
    cmd = op("POST", "/api/devices/gas-1-1-0102/commands",
             json={"cmd": "valve_open", "confirm": True, "note": "checked on site"})
    done = wait_until("the detector's answer", lambda: _command_state(op, cmd["id"], "ok",
                                                                      "failed"), WAIT_S)
    assert done["state"] == "ok" and done["answered_at"] and done["sent_at"]
    history = op("GET", f"/api/alerts/{alert['id']}")["history"]
    asked = next(h for h in history if h["action"] == "command")
    answered = next(h for h in history if h["action"] == "command_answer")
    assert asked["actor"] == "operator" and "valve_open" in asked["note"]
    assert answered["actor"] == "gas-1-1-0102" and "confirmed" in answered["note"]
    assert asked["at"] <= answered["at"]
    assert f"command {cmd['id']} valve_open: ok" in _log(stack, "firmware_sim")


def test_a_silent_device_shows_no_answer(stack: Stack) -> None:
    maint = Api(stack, "maintenance")
    stack.sim("offline", "--device", "gas-1-1-0103")
    try:
        cmd = maint("POST", "/api/devices/gas-1-1-0103/commands",
                    json={"cmd": "self_test", "timeout_s": 5})
        wait_until("sent", lambda: _command_state(maint, cmd["id"], "sent"), WAIT_S)
        silent = wait_until("no answer", lambda: _command_state(maint, cmd["id"], "no_answer"),
                            WAIT_S)
        assert silent["answered_at"] is None
    finally:
        stack.sim("online", "--device", "gas-1-1-0103")


def test_a_gateway_killed_with_a_command_pending_records_the_answer(stack: Stack) -> None:
    op = Api(stack, "operator")
    sim = next(c for c in stack.group.children if c.name == "firmware_sim")
    sim.proc.send_signal(signal.SIGSTOP)  # the device cannot answer yet
    try:
        cmd = op("POST", "/api/devices/btn-1-1-0104/commands",
                 json={"cmd": "silence", "timeout_s": 300})
        wait_until("published", lambda: _command_state(op, cmd["id"], "sent"), WAIT_S)
        stack.stop("gateway", signal.SIGKILL)
    finally:
        sim.proc.send_signal(signal.SIGCONT)
    # The device answers while no gateway runs: the broker keeps the ack for its session.
    wait_until("the device obeyed", lambda: cmd["id"] in _log(stack, "firmware_sim"), WAIT_S)
    assert _command_state(op, cmd["id"], "sent")
    stack.start_gateway()
    done = wait_until("the answer after the restart",
                      lambda: _command_state(op, cmd["id"], "ok", "failed"), WAIT_S)
    assert done["state"] == "ok"


def test_a_detector_on_test_closes_no_valve_off_test_it_does(stack: Stack) -> None:
    op, maint = Api(stack, "operator"), Api(stack, "maintenance")
    w = maint("POST", "/api/test-mode", json={"scope": "device", "target": "gas-1-1-0101",
                                              "minutes": 5, "reason": "detector check"})
    wait_until("the gateway to know it", lambda: "devices on test: 1" in _log(stack, "gateway"),
               WAIT_S)
    stack.sim("gas", "--unit", "1-1-0101")
    test_alert = wait_until("the test alarm", lambda: _gas_alert(op, "1-1-0101", test=True),
                            WAIT_S)
    wait_until("the gateway leaving the valve", lambda: (
        "test alarm at gas-1-1-0101: the valve of gas-1-1-0101 is left as it is"
        in _log(stack, "gateway")), WAIT_S)
    assert "closing the gas valve of gas-1-1-0101" not in _log(stack, "gateway")
    assert "valve" not in op("GET", f"/api/alerts/{test_alert['id']}")["detail"]
    stack.sim("gas", "--unit", "1-1-0101", "--state", "normal")
    maint("POST", f"/api/test-mode/{w['id']}/end")
    wait_until("the gateway to know the test ended",
               lambda: "devices on test: 0" in _log(stack, "gateway"), WAIT_S)
    stack.sim("gas", "--unit", "1-1-0101")
    real = wait_until("the real alarm with its valve closed", lambda: (
        a := _gas_alert(op, "1-1-0101", test=False, state="open")) and a["detail"].get("valve")
        and a, WAIT_S)
    assert real["detail"]["valve"] == "closed_confirmed"
