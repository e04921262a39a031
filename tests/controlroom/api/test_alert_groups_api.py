"""One action for a group of alerts (issue 15): a building incident and its linked alarms, a
building's alerts, listed ids, a building's restored "device offline" rows — each alert
changed, recorded and audited on its own; an alert that cannot take the action is skipped."""

from fastapi.testclient import TestClient

from tests.controlroom.conftest import signal
from tests.utils import auth


def _raise(c: TestClient, *sigs: dict[str, object]) -> list[int]:
    gw = auth(c, "gateway", "gateway123")
    return [c.post("/api/gateway/signals", headers=gw, json=s).json()["alert"]["id"]
            for s in sigs]


def _audit(c: TestClient, alert_id: int) -> list[tuple[str, str]]:
    sup = auth(c, "supervisor", "supervisor123")
    rows = c.get("/api/audit", headers=sup, params={"target": f"alert:{alert_id}"}).json()["data"]
    return [(r["actor"], r["action"]) for r in rows]


def test_acknowledging_an_incident_acknowledges_its_alarms_one_audit_entry_each(
        client: TestClient) -> None:
    ids = _raise(client, signal("gas-1-1-0101"), signal("gas-1-1-0102"), signal("gas-1-1-0103"))
    op = auth(client, "operator", "operator123")
    board = client.get("/api/alerts", headers=op).json()["data"]
    incident = next(a for a in board if a["kind"] == "incident")
    # One alarm already acknowledged by hand: skipped and reported, not an error.
    assert client.post(f"/api/alerts/{ids[0]}/ack", headers=op, json={}).status_code == 200
    r = client.post("/api/alerts/group/acknowledge", headers=op,
                    json={"incident": incident["id"], "note": "riser"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body["changed"]) == sorted([incident["id"], *ids[1:]])
    assert body["count"] == 3
    assert body["skipped"] == [{"id": ids[0], "state": "acknowledged",
                                "reason": "the alert is already acknowledged"}]
    for aid in [incident["id"], *ids]:
        assert client.get(f"/api/alerts/{aid}", headers=op).json()["state"] == "acknowledged"
        assert _audit(client, aid).count(("operator", "alert.ack")) == 1
        hist = client.get(f"/api/alerts/{aid}", headers=op).json()["history"]
        assert [h["action"] for h in hist].count("acknowledged") == 1


def test_acknowledging_a_building_leaves_other_buildings_alone(client: TestClient) -> None:
    one = _raise(client, signal("btn-1-1-0101", "panic"), signal("btn-1-2-1501", "panic"))
    other = _raise(client, signal("btn-2-1-0101", "panic"))
    op = auth(client, "operator", "operator123")
    r = client.post("/api/alerts/group/acknowledge", headers=op, json={"building": "1"}).json()
    assert sorted(r["changed"]) == sorted(one) and r["skipped"] == []
    assert client.get(f"/api/alerts/{other[0]}", headers=op).json()["state"] == "open"
    assert _audit(client, other[0]) == []
    again = client.post("/api/alerts/group/acknowledge", headers=op,
                        json={"alert_ids": [*one, 999999]}).json()
    assert again["changed"] == []
    assert [(s["id"], s["state"]) for s in again["skipped"]] == [
        (one[0], "acknowledged"), (one[1], "acknowledged"), (999999, "")]


def test_group_bodies_are_checked_and_roles_enforced(client: TestClient) -> None:
    op = auth(client, "operator", "operator123")
    for bad in ({}, {"building": "1", "incident": 3}, {"alert_ids": []}):
        assert client.post("/api/alerts/group/acknowledge", headers=op,
                           json=bad).status_code == 422, bad
    nope = client.post("/api/alerts/group/acknowledge", headers=op, json={"incident": 424242})
    assert nope.status_code == 404
    maint = auth(client, "maintenance", "maintenance123")
    assert client.post("/api/alerts/group/acknowledge", headers=maint,
                       json={"building": "1"}).status_code == 403


def test_a_buildings_restored_offline_rows_resolve_in_one_action(client: TestClient) -> None:
    back, still_off = _raise(client, signal("gas-2-1-0101", "device_offline", 2),
                             signal("gas-2-1-0102", "device_offline", 2))
    panic, = _raise(client, signal("btn-2-1-0103", "panic"))
    _raise(client, signal("gas-2-1-0101", "device_offline", 2, condition="restored",
                          key="gas-2-1-0101:1:2/device_offline"))
    op = auth(client, "operator", "operator123")
    r = client.post("/api/alerts/group/resolve-restored-offline", headers=op,
                    json={"building": "2", "note": "power back"}).json()
    assert r["changed"] == [back] and r["skipped"] == []
    done = client.get(f"/api/alerts/{back}", headers=op).json()
    assert (done["state"], done["cause"], done["acknowledged_by"]) == ("resolved", "other",
                                                                       "operator")
    assert _audit(client, back) == [("operator", "alert.resolve")]
    for aid in (still_off, panic):
        assert client.get(f"/api/alerts/{aid}", headers=op).json()["state"] == "open"
