"""Resolving an unacknowledged alert acknowledges it (docs/decisions.md "Resolving
acknowledges"), and the key figures count it so; a restore that closes an alert nobody acted
on does not."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from tests.controlroom.conftest import Clock, signal
from tests.utils import auth


def _raise(client: TestClient, device: str, kind: str, priority: int,
           condition: str = "active", key: str | None = None) -> dict:
    gw = auth(client, "gateway", "gateway123")
    r = client.post("/api/gateway/signals", headers=gw,
                    json=signal(device, kind, priority, condition, key=key))
    assert r.status_code == 200, r.text
    return r.json()["alert"]


def test_resolving_an_unacknowledged_alert_stamps_the_acknowledgement(
        clocked_client: TestClient, clock: Clock) -> None:
    alert = _raise(clocked_client, "btn-1-1-0101", "panic", 1)
    clock.advance(seconds=20)
    op = auth(clocked_client, "operator", "operator123")
    r = clocked_client.post(f"/api/alerts/{alert['id']}/resolve", headers=op,
                            json={"cause": "false_alarm", "note": "resident called back"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "resolved"
    assert body["acknowledged_at"] == body["resolved_at"]
    assert body["acknowledged_by"] == "operator"
    assert datetime.fromisoformat(body["acknowledged_at"]) == clock()
    # One step in the history: the resolution (which is the acknowledgement).
    full = clocked_client.get(f"/api/alerts/{alert['id']}", headers=op).json()
    assert [h["action"] for h in full["history"]] == ["raised", "resolved"]


def test_the_figures_count_a_direct_resolution_as_acknowledged_and_a_self_restore_against(
        clocked_client: TestClient, clock: Clock) -> None:
    op = auth(clocked_client, "operator", "operator123")
    panic = _raise(clocked_client, "btn-1-1-0102", "panic", 1)
    clock.advance(seconds=20)
    clocked_client.post(f"/api/alerts/{panic['id']}/resolve", headers=op,
                        json={"cause": "real"})
    # A tamper (priority 3, not latching) that its device restores before anyone acts.
    _raise(clocked_client, "btn-1-1-0103", "tamper", 3)
    clock.advance(seconds=5)
    _raise(clocked_client, "btn-1-1-0103", "tamper", 3, "restored", key="t:restore")
    clock.advance(seconds=60)
    body = clocked_client.get("/api/kpis", headers=op).json()
    p1, _, p3, _ = body["priorities"]
    assert (p1["count"], p1["ack_median_s"], p1["ack_within_30s"]) == (1, 20.0, 1.0)
    assert (p3["count"], p3["ack_median_s"], p3["ack_within_30s"]) == (1, None, 0.0)
    assert body["by_cause"] == {"real": 1, "unspecified": 1}
