"""GET /api/audit: filtered by actor, target (exact or prefix), action and time; supervisors
and admins only."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.controlroom.conftest import Clock, signal
from tests.utils import auth


def test_the_log_finds_who_resolved_an_alarm_and_filters_by_time(
        clocked_client: TestClient, clock: Clock) -> None:
    c = clocked_client
    gw, op = auth(c, "gateway", "gateway123"), auth(c, "operator", "operator123")
    sup = auth(c, "supervisor", "supervisor123")
    first = c.post("/api/gateway/signals", headers=gw, json=signal("gas-1-2-1502")).json()
    c.post(f"/api/alerts/{first['alert']['id']}/resolve", headers=op, json={"cause": "test"})
    before_second = clock.advance(minutes=10)
    second = c.post("/api/gateway/signals", headers=gw,
                    json=signal("gas-2-1-0304", key="k2")).json()
    c.post(f"/api/alerts/{second['alert']['id']}/resolve", headers=sup,
           json={"cause": "false_alarm"})

    one = c.get("/api/audit", headers=sup,
                params={"target": f"alert:{first['alert']['id']}", "action": "alert.resolve"})
    assert [(e["actor"], e["action"]) for e in one.json()["data"]] == [
        ("operator", "alert.resolve")]
    every = c.get("/api/audit", headers=sup,
                  params={"target": "alert:", "action": "alert.resolve"}).json()
    assert [e["actor"] for e in every["data"]] == ["supervisor", "operator"]  # newest first
    later = c.get("/api/audit", headers=sup, params={
        "action": "alert.resolve", "since": before_second.isoformat()}).json()
    assert [e["actor"] for e in later["data"]] == ["supervisor"]
    earlier = c.get("/api/audit", headers=sup, params={
        "action": "alert.resolve",
        "until": (before_second - timedelta(seconds=1)).isoformat()}).json()
    assert [e["actor"] for e in earlier["data"]] == ["operator"]
    assert c.get("/api/audit", headers=sup, params={"actor": "nobody"}).json()["count"] == 0
    naive = c.get("/api/audit", headers=sup, params={"since": "2026-11-22T10:00:00"})
    assert naive.status_code == 422 and "since" in naive.json()["detail"]
    assert c.get("/api/audit", headers=op).status_code == 403
