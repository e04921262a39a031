import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from controlroom.core.models import AuditEntry
from tests.controlroom.conftest import Service, signal
from tests.utils import auth

NOTE = {"device": "gas-1-2-1502", "kind": "gas_alarm", "note": "valve closed, confirmed",
        "detail": {"valve": "closed_confirmed"}}


def test_the_gateway_notes_the_valve_on_the_open_gas_alarm(client: TestClient) -> None:
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    alert_id = client.post("/api/gateway/signals", headers=gw, json=signal()).json()["alert"]["id"]
    r = client.post("/api/gateway/alerts/note", headers=gw, json=NOTE)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == alert_id
    assert r.json()["detail"]["valve"] == "closed_confirmed"
    assert r.json()["detail"]["lel"] == 27.5  # merged, not replaced
    later = client.post("/api/gateway/alerts/note", headers=gw, json=NOTE | {
        "note": "valve did not confirm", "detail": {"valve": "no_confirmation"}})
    assert later.json()["detail"]["valve"] == "no_confirmation"
    full = client.get(f"/api/alerts/{alert_id}", headers=op).json()
    assert [(h["actor"], h["action"], h["note"]) for h in full["history"]] == [
        ("gateway", "raised", ""), ("gateway", "note", "valve closed, confirmed"),
        ("gateway", "note", "valve did not confirm")]
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        audit = [(a.actor, a.action, a.target, a.detail) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "alert.note"))]
    assert audit[0] == ("gateway", "alert.note", f"alert:{alert_id}", "valve closed, confirmed")


def test_a_note_without_an_open_alert_is_404(client: TestClient) -> None:
    gw = auth(client, "gateway", "gateway123")
    op = auth(client, "operator", "operator123")
    r = client.post("/api/gateway/alerts/note", headers=gw, json=NOTE)
    assert r.status_code == 404
    assert r.json() == {"detail": "no open gas_alarm alert for device gas-1-2-1502"}
    alert_id = client.post("/api/gateway/signals", headers=gw, json=signal()).json()["alert"]["id"]
    client.post(f"/api/alerts/{alert_id}/resolve", headers=op, json={"cause": "real"})
    assert client.post("/api/gateway/alerts/note", headers=gw, json=NOTE).status_code == 404


def test_notes_are_for_the_gateway_and_bodies_are_checked(client: TestClient) -> None:
    op = auth(client, "operator", "operator123")
    gw = auth(client, "gateway", "gateway123")
    assert client.post("/api/gateway/alerts/note", json=NOTE).status_code == 401
    assert client.post("/api/gateway/alerts/note", headers=op, json=NOTE).status_code == 403
    bad = client.post("/api/gateway/alerts/note", headers=gw, json=NOTE | {"extra": 1})
    assert bad.status_code == 422
    no_note = client.post("/api/gateway/alerts/note", headers=gw,
                          json={k: v for k, v in NOTE.items() if k != "note"})
    assert no_note.status_code == 422 and "note: Field required" in no_note.json()["detail"]


def test_a_note_is_announced_and_prefers_the_real_alert_to_a_test_one(service: Service
                                                                      ) -> None:
    test_id = service.signal("gas-1-2-1502", test=True)
    real_id = service.signal("gas-1-2-1502")
    alert = service.alerts.note("gas-1-2-1502", "gas_alarm", "valve closed",
                                {"valve": "closed_confirmed"})
    assert alert.id == real_id != test_id
    last = service.broadcaster.sent[-1]
    assert json.loads(last.data)["detail"]["valve"] == "closed_confirmed"
    assert last.id == service.alerts.get(real_id).history[-1].id  # type: ignore[arg-type]
