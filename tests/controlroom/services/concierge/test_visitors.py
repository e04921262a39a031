"""Visitors: announced by a resident at the kiosk or registered at the desk; the desk sees who
is expected today and records arrival (last 4 of the ID) and leaving, all audited."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from controlroom.core.models import AuditEntry
from tests.controlroom.conftest import Clock
from tests.utils import auth

DESK = ("frontdesk", "frontdesk123")
KIOSK = ("kiosk-1", "kiosk1-secret")


def test_a_visitor_announced_at_the_kiosk_is_expected_at_the_desk(
        clocked_client: TestClient, clock: Clock) -> None:
    c = clocked_client
    k = auth(c, *KIOSK)
    session = c.post("/api/kiosk/session", headers=k, json={
        "method": "pin", "unit": "1-2-1502", "pin": "246810"}).json()["session"]
    me = {**k, "X-Resident-Session": session}
    soon = clock.at + timedelta(hours=2)  # 20:00 in Shanghai, the same day
    r = c.post("/api/kiosk/visitors", headers=me, json={
        "name": "陈志强", "expected_at": soon.isoformat(), "purpose": "探望母亲"})
    assert r.status_code == 201, r.text
    assert r.json()["unit"] == "1-2-1502" and r.json()["source"] == "kiosk"
    assert [v["name"] for v in c.get("/api/kiosk/visitors", headers=me).json()["data"]] == [
        "陈志强"]
    far = c.post("/api/kiosk/visitors", headers=me, json={
        "name": "X", "expected_at": (clock.at + timedelta(days=8)).isoformat()})
    assert far.status_code == 422 and "expected_at" in far.json()["detail"]

    desk = auth(c, *DESK)
    c.post("/api/visitors", headers=desk, json={
        "unit": "2-1-0304", "name": "快递员 courier", "expected_at": soon.isoformat()})
    today = c.get("/api/visitors", headers=desk).json()["data"]
    assert [(v["unit"], v["name"], v["source"]) for v in today] == [
        ("1-2-1502", "陈志强", "kiosk"), ("2-1-0304", "快递员 courier", "desk")]
    vid = today[0]["id"]
    arrived = c.post(f"/api/visitors/{vid}", headers=desk,
                     json={"step": "arrive", "id_number": "310101198001012811"})
    assert arrived.json()["state"] == "arrived" and arrived.json()["id_last4"] == "2811"
    again = c.post(f"/api/visitors/{vid}", headers=desk, json={"step": "arrive"})
    assert again.status_code == 409
    assert c.post(f"/api/visitors/{vid}", headers=desk,
                  json={"step": "leave"}).json()["state"] == "left"
    assert c.get("/api/kiosk/visitors", headers=me).json()["data"] == []
    with c.app.state.sessions() as s:  # type: ignore[attr-defined]
        log = [(a.actor, a.action) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.target == f"visitor:{vid}")
            .order_by(AuditEntry.id))]
    assert log == [("kiosk:kiosk-1", "visitor.register"), ("frontdesk", "visitor.arrive"),
                   ("frontdesk", "visitor.leave")]
    assert c.post("/api/visitors", headers=auth(c, "operator", "operator123"), json={
        "unit": "2-1-0304", "name": "x", "expected_at": soon.isoformat()}).status_code == 403
