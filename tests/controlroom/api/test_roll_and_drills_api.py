"""The roll of a building's flats on an incident, ticked flat by flat, and drills with their
step times (issue 17)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from config import load_site
from tests.controlroom.conftest import Clock
from tests.utils import auth

pytestmark = pytest.mark.db
SITE = load_site()
P1_KINDS = ("gas_alarm", "panic", "medical", "fire", "incident")


def test_every_priority_1_kind_has_a_plan_and_the_incident_an_evacuation_and_a_roll() -> None:
    assert set(P1_KINDS) <= set(SITE.plans)
    incident = [st.en.lower() for st in SITE.plans["incident"].steps]
    assert any("evacuat" in st for st in incident)
    assert any("roll call" in st for st in incident)


def test_a_drill_records_step_times_and_the_roll(clocked_client: TestClient,
                                                 clock: Clock) -> None:
    c = clocked_client
    mt, op = auth(c, "maintenance", "maintenance123"), auth(c, "operator", "operator123")
    assert c.post("/api/drills", headers=op, json={"building": "1"}).status_code == 403
    r = c.post("/api/drills", headers=mt, json={"building": "1", "kind": "incident",
                                                "minutes": 30, "note": "spring drill"})
    assert r.status_code == 201, r.text
    drill = r.json()
    alert = c.get(f"/api/alerts/{drill['alert_id']}", headers=op).json()
    assert (alert["kind"], alert["test"], alert["building"], alert["priority"]) == (
        "incident", True, "1", 1)
    windows = c.get("/api/test-mode?active=true", headers=op).json()
    assert any(w["id"] == drill["window_id"] for w in windows["data"])
    # By hand: step 1 ticked 20 s after the raise, step 2 45 s after that, step 4 100 s later.
    for step, wait in ((1, 20), (2, 45), (4, 100)):
        clock.advance(seconds=wait)
        assert c.post(f"/api/alerts/{drill['alert_id']}/plan/{step}/tick",
                      headers=op).status_code == 200
    roll = c.get(f"/api/alerts/{drill['alert_id']}/roll", headers=op).json()
    flats = [u.id for u in SITE.units.values() if u.building == "1"]
    assert roll["total"] == len(flats) and roll["reached"] == 0
    assert {f["unit"] for f in roll["flats"]} == set(flats)
    for unit in flats[:3]:
        r = c.post(f"/api/alerts/{drill['alert_id']}/roll/{unit}", headers=op,
                   json={"reached": True})
        assert r.status_code == 200, r.text
    r = c.post(f"/api/alerts/{drill['alert_id']}/roll/{flats[2]}", headers=op,
               json={"reached": False})
    assert r.json()["reached"] == 2
    assert c.post(f"/api/alerts/{drill['alert_id']}/roll/2-1-0101", headers=op,
                  json={}).status_code == 404  # another building's flat
    report = c.get(f"/api/drills/{drill['id']}", headers=op).json()
    took = [(st["n"], st["took_s"]) for st in report["steps"]]
    assert took[:4] == [(1, 20.0), (2, 45.0), (3, None), (4, 100.0)]
    assert (report["roll_reached"], report["roll_total"]) == (2, len(flats))
    assert [d["id"] for d in c.get("/api/drills", headers=op).json()["data"]] == [drill["id"]]
    history = c.get(f"/api/alerts/{drill['alert_id']}", headers=op).json()["history"]
    assert [h["note"] for h in history if h["action"] == "roll"][-1] == (
        f"roll: {flats[2]} not reached")


def test_only_building_wide_alerts_have_a_roll(client: TestClient) -> None:
    gw, op = auth(client, "gateway", "gateway123"), auth(client, "operator", "operator123")
    from tests.controlroom.conftest import signal

    a = client.post("/api/gateway/signals", headers=gw,
                    json=signal("btn-1-2-1502", "panic", 1)).json()["alert"]
    assert client.get(f"/api/alerts/{a['id']}/roll", headers=op).status_code == 422
