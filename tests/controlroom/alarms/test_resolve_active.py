"""Resolving an alert whose condition is still active (issue 19, item 3): the API accepts it
(the §7 contract is unchanged; the console asks the operator first), records that the
condition was still active, keeps the alert findable as "still in alarm", raises a new alert
on a new alarm reading and records the later restore on the resolved alert."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.controlroom.conftest import signal
from tests.utils import auth

GAS = "gas-1-2-1502"


def _raise_and_resolve(client: TestClient) -> tuple[dict[str, str], dict[str, str], int]:
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    alert = client.post("/api/gateway/signals", headers=gw, json=signal(GAS)).json()["alert"]
    r = client.post(f"/api/alerts/{alert['id']}/resolve", headers=op,
                    json={"cause": "real", "note": "valve shut, windows open"})
    assert r.status_code == 200, r.text
    return gw, op, int(alert["id"])


def _still_in_alarm(client: TestClient, op: dict[str, str]) -> list[Any]:
    body = client.get("/api/alerts?state=resolved&condition=active&test=false",
                      headers=op).json()
    return [a["id"] for a in body["data"]]


def test_resolving_an_alarm_still_active_is_recorded_and_it_stays_in_alarm(
        client: TestClient) -> None:
    _, op, alert_id = _raise_and_resolve(client)
    alert = client.get(f"/api/alerts/{alert_id}", headers=op).json()
    assert (alert["state"], alert["condition"], alert["cause"]) == ("resolved", "active", "real")
    assert "condition still active" in alert["history"][-1]["note"]
    assert client.get("/api/alerts?state=open", headers=op).json()["count"] == 0
    assert _still_in_alarm(client, op) == [alert_id]


def test_a_new_alarm_reading_after_the_resolve_raises_a_new_alert(client: TestClient) -> None:
    gw, op, alert_id = _raise_and_resolve(client)
    again = client.post("/api/gateway/signals", headers=gw,
                        json=signal(GAS, key=f"{GAS}:1:2/gas_alarm")).json()
    assert again["outcome"] == "create"
    assert again["alert"]["id"] != alert_id
    assert (again["alert"]["state"], again["alert"]["test"]) == ("open", False)
    old = client.get(f"/api/alerts/{alert_id}", headers=op).json()
    assert (old["state"], old["occurrences"]) == ("resolved", 1)  # not folded into the old


def test_the_restore_after_the_resolve_is_recorded_on_the_resolved_alert(
        client: TestClient) -> None:
    gw, op, alert_id = _raise_and_resolve(client)
    # The detector also alarms again before it clears: the restore reaches both alerts.
    new_id = client.post("/api/gateway/signals", headers=gw,
                         json=signal(GAS, key=f"{GAS}:1:2/gas_alarm")).json()["alert"]["id"]
    r = client.post("/api/gateway/signals", headers=gw,
                    json=signal(GAS, condition="restored", key=f"{GAS}:1:3/gas_alarm"))
    assert r.status_code == 200, r.text
    old = client.get(f"/api/alerts/{alert_id}", headers=op).json()
    assert (old["state"], old["condition"]) == ("resolved", "restored")
    assert (old["history"][-1]["action"], old["history"][-1]["actor"]) == ("restored", "gateway")
    new = client.get(f"/api/alerts/{new_id}", headers=op).json()
    assert new["condition"] == "restored"
    assert _still_in_alarm(client, op) == []


def test_the_restore_reaches_the_resolved_alert_with_nothing_open(client: TestClient) -> None:
    gw, op, alert_id = _raise_and_resolve(client)
    r = client.post("/api/gateway/signals", headers=gw,
                    json=signal(GAS, condition="restored", key=f"{GAS}:1:2/gas_alarm"))
    assert r.status_code == 200, r.text
    old = client.get(f"/api/alerts/{alert_id}", headers=op).json()
    assert (old["state"], old["condition"]) == ("resolved", "restored")
    assert _still_in_alarm(client, op) == []
    # Only that device's alert: another flat's resolved alarm still in alarm is untouched.
    other = client.post("/api/gateway/signals", headers=gw,
                        json=signal("gas-1-2-1501")).json()["alert"]["id"]
    client.post(f"/api/alerts/{other}/resolve", headers=op, json={"cause": "real"})
    client.post("/api/gateway/signals", headers=gw,
                json=signal(GAS, condition="restored", key=f"{GAS}:1:3/gas_alarm"))
    assert _still_in_alarm(client, op) == [other]


def test_a_resolved_building_incident_is_not_left_in_alarm(client: TestClient) -> None:
    """An incident has no device to restore it: resolving it says nothing of its condition."""
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    for dev in ("gas-1-1-0101", "gas-1-1-0201"):
        client.post("/api/gateway/signals", headers=gw, json=signal(dev))
    [incident] = client.get("/api/alerts?kind=incident", headers=op).json()["data"]
    r = client.post(f"/api/alerts/{incident['id']}/resolve", headers=op,
                    json={"cause": "real", "note": "riser valve shut"})
    assert r.status_code == 200, r.text
    history = client.get(f"/api/alerts/{incident['id']}", headers=op).json()["history"]
    assert "condition still active" not in history[-1]["note"]
