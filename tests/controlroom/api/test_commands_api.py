"""Device commands from the console (issue 17): by role, valve_open only after a resolved gas
alarm and with confirmation, relayed by the gateway, answered by the device or marked
`no_answer` after the timeout; each step audited and in the alert's history."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.controlroom.conftest import Clock, signal
from tests.utils import auth

pytestmark = pytest.mark.db
GAS = "gas-1-2-1502"


def _gas_alarm(client: TestClient) -> int:
    gw = auth(client, "gateway", "gateway123")
    r = client.post("/api/gateway/signals", headers=gw, json=signal(GAS, "gas_alarm", 1))
    assert r.status_code == 200, r.text
    return int(r.json()["alert"]["id"])


def test_reopening_a_valve_after_a_false_gas_alarm(clocked_client: TestClient,
                                                   clock: Clock) -> None:
    c = clocked_client
    op, mt = auth(c, "operator", "operator123"), auth(c, "maintenance", "maintenance123")
    gw = auth(c, "gateway", "gateway123")
    alert_id = _gas_alarm(c)
    url = f"/api/devices/{GAS}/commands"
    r = c.post(url, headers=op, json={"cmd": "valve_open", "confirm": True})
    assert (r.status_code, r.json()["code"]) == (409, "gas_alarm_open")
    assert c.post(f"/api/alerts/{alert_id}/resolve", headers=op,
                  json={"cause": "false_alarm", "note": "cooking"}).status_code == 200
    r = c.post(url, headers=op, json={"cmd": "valve_open"})
    assert (r.status_code, r.json()["code"]) == (409, "confirm_required")
    assert c.post(url, headers=mt, json={"cmd": "valve_open", "confirm": True}
                  ).status_code == 403
    r = c.post(url, headers=op, json={"cmd": "valve_open", "confirm": True,
                                      "note": "false alarm, resident present"})
    assert r.status_code == 201, r.text
    cmd = r.json()
    assert (cmd["state"], cmd["alert_id"], cmd["requested_by"]) == ("requested", alert_id,
                                                                     "operator")
    assert cmd["id"].startswith("c-")
    # the gateway fetches it, publishes it, reports the device's answer
    pending = c.get("/api/gateway/commands", headers=gw).json()
    assert [p["id"] for p in pending["commands"]] == [cmd["id"]]
    assert c.get("/api/gateway/commands", headers=op).status_code == 403
    clock.advance(seconds=1)
    assert c.post(f"/api/gateway/commands/{cmd['id']}/sent", headers=gw).json()["state"] == "sent"
    assert c.get("/api/gateway/commands", headers=gw).json()["commands"] == []
    r = c.post(f"/api/gateway/commands/{cmd['id']}/answer", headers=gw,
               json={"device": "btn-1-2-1502", "ok": True})
    assert r.status_code == 422  # not the device it was sent to
    clock.advance(seconds=2)
    r = c.post(f"/api/gateway/commands/{cmd['id']}/answer", headers=gw,
               json={"device": GAS, "ok": True})
    assert r.json()["state"] == "ok"
    history = c.get(f"/api/alerts/{alert_id}", headers=op).json()["history"]
    asked, answered = [h for h in history if h["action"].startswith("command")]
    assert (asked["actor"], asked["action"]) == ("operator", "command")
    assert "valve_open sent to gas-1-2-1502 by operator" in asked["note"]
    assert (answered["actor"], answered["action"]) == (GAS, "command_answer")
    assert "answered valve_open: confirmed" in answered["note"]
    listed = c.get(url, headers=op).json()["data"]
    assert [(x["id"], x["state"]) for x in listed] == [(cmd["id"], "ok")]


def test_roles_and_a_silent_device(clocked_client: TestClient, clock: Clock) -> None:
    c = clocked_client
    op, mt = auth(c, "operator", "operator123"), auth(c, "maintenance", "maintenance123")
    gw = auth(c, "gateway", "gateway123")
    url = f"/api/devices/{GAS}/commands"
    assert c.post(url, headers=op, json={"cmd": "self_test"}).status_code == 403
    assert c.post(url, headers=op, json={"cmd": "reboot"}).status_code == 403
    assert c.post(url, headers=mt, json={"cmd": "silence"}).status_code == 403
    assert c.post(url, headers=op, json={"cmd": "valve_close"}).status_code == 422
    assert c.post("/api/devices/nope/commands", headers=op,
                  json={"cmd": "silence"}).status_code == 404
    r = c.post(url, headers=op, json={"cmd": "valve_open", "confirm": True})
    assert (r.status_code, r.json()["code"]) == (409, "no_gas_alarm")
    assert c.post(url, headers=op, json={"cmd": "silence"}).status_code == 201
    test = c.post(url, headers=mt, json={"cmd": "self_test", "timeout_s": 10}).json()
    clock.advance(seconds=9)
    assert c.get(f"/api/commands/{test['id']}", headers=mt).json()["state"] == "requested"
    clock.advance(seconds=1)
    assert c.get(f"/api/commands/{test['id']}", headers=mt).json()["state"] == "no_answer"
    # a late answer (a gateway that restarted meanwhile) is still recorded
    late = c.post(f"/api/gateway/commands/{test['id']}/answer", headers=gw,
                  json={"device": GAS, "ok": False, "error": "sensor fault"}).json()
    assert (late["state"], late["error"]) == ("failed", "sensor fault")
