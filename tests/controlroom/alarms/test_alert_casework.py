"""Working an alert through the API: notes, assignment, the action plan, and the flat."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from controlroom.alarms.units import mask_name
from controlroom.core.models import AuditEntry
from tests.controlroom.conftest import Clock, signal
from tests.utils import auth, wait_until

OPERATOR = ("operator", "operator123")
ROLES = {"supervisor": "supervisor123", "admin": "admin123", "frontdesk": "frontdesk123",
         "maintenance": "maintenance123", "gateway": "gateway123"}


def _raise(client: TestClient, device: str = "gas-1-2-1502", kind: str = "gas_alarm") -> int:
    gw = auth(client, "gateway", "gateway123")
    r = client.post("/api/gateway/signals", headers=gw, json=signal(device, kind))
    assert r.status_code == 200, r.text
    return r.json()["alert"]["id"]


def _audit(client: TestClient, action: str) -> list[tuple[str, str, str]]:
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        return [(a.actor, a.target, a.detail) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


# -- notes -----------------------------------------------------------------------------------


def test_an_operator_notes_an_alert_in_its_history_and_the_audit_log(client: TestClient
                                                                      ) -> None:
    alert_id = _raise(client)
    op = auth(client, *OPERATOR)
    r = client.post(f"/api/alerts/{alert_id}/note", headers=op,
                    json={"note": "Resident says she is at her daughter's."})
    assert r.status_code == 200, r.text
    assert [(h["actor"], h["action"], h["note"]) for h in r.json()["history"]][-1] == (
        "operator", "note", "Resident says she is at her daughter's.")
    assert _audit(client, "alert.note") == [
        ("operator", f"alert:{alert_id}", "Resident says she is at her daughter's.")]
    sup = auth(client, "supervisor", ROLES["supervisor"])
    assert client.post(f"/api/alerts/{alert_id}/note", headers=sup,
                       json={"note": "ok"}).status_code == 200


def test_notes_are_checked(client: TestClient) -> None:
    alert_id = _raise(client)
    op = auth(client, *OPERATOR)
    url = f"/api/alerts/{alert_id}/note"
    assert client.post(url, json={"note": "x"}).status_code == 401
    for role in ("frontdesk", "maintenance", "gateway"):
        r = client.post(url, headers=auth(client, role, ROLES[role]), json={"note": "x"})
        assert r.status_code == 403, role
        assert "may not do this" in r.json()["detail"]
    empty = client.post(url, headers=op, json={"note": ""})
    assert empty.status_code == 422 and empty.json()["detail"].startswith("note: ")
    assert client.post(url, headers=op, json={"note": "x", "extra": 1}).status_code == 422
    missing = client.post("/api/alerts/999/note", headers=op, json={"note": "x"})
    assert missing.status_code == 404 and missing.json() == {"detail": "no alert 999"}


# -- assignment ------------------------------------------------------------------------------


def test_an_alert_is_assigned_to_an_operator_or_supervisor(client: TestClient) -> None:
    alert_id = _raise(client)
    op = auth(client, *OPERATOR)
    r = client.post(f"/api/alerts/{alert_id}/assign", headers=op, json={"to": "operator"})
    assert r.status_code == 200, r.text
    assert r.json()["detail"]["assigned_to"] == "operator"
    assert r.json()["detail"]["lel"] == 27.5  # the device's detail is kept
    assert (r.json()["history"][-1]["action"], r.json()["history"][-1]["note"]) == (
        "assigned", "to operator")
    sup = auth(client, "supervisor", ROLES["supervisor"])
    again = client.post(f"/api/alerts/{alert_id}/assign", headers=sup, json={"to": "supervisor"})
    assert again.json()["detail"]["assigned_to"] == "supervisor"
    listed = client.get("/api/alerts", headers=op).json()["data"][0]
    assert listed["detail"]["assigned_to"] == "supervisor"
    assert _audit(client, "alert.assign") == [
        ("operator", f"alert:{alert_id}", "to operator"),
        ("supervisor", f"alert:{alert_id}", "to supervisor")]


def test_assignment_is_checked(client: TestClient) -> None:
    alert_id = _raise(client)
    op = auth(client, *OPERATOR)
    url = f"/api/alerts/{alert_id}/assign"
    for to in ("frontdesk", "gateway", "nobody"):
        r = client.post(url, headers=op, json={"to": to})
        assert r.status_code == 422, to
        assert r.json()["detail"].startswith(
            f"to: {to!r} is not an active operator or supervisor")
    assert client.post(url, headers=op, json={}).status_code == 422
    r = client.post(url, headers=auth(client, "maintenance", ROLES["maintenance"]),
                    json={"to": "operator"})
    assert r.status_code == 403
    assert client.post("/api/alerts/999/assign", headers=op,
                       json={"to": "operator"}).status_code == 404
    client.post(f"/api/alerts/{alert_id}/resolve", headers=op, json={"cause": "test"})
    done = client.post(url, headers=op, json={"to": "operator"})
    assert done.status_code == 409 and done.json() == {"detail": f"alert {alert_id} is resolved"}


# -- the action plan -------------------------------------------------------------------------


def test_a_gas_alarm_has_the_six_step_plan_unticked(client: TestClient) -> None:
    alert_id = _raise(client)
    maint = auth(client, "maintenance", ROLES["maintenance"])  # readers may see the plan
    r = client.get(f"/api/alerts/{alert_id}/plan", headers=maint)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert (plan["alert_id"], plan["kind"], plan["done"], plan["total"]) == (
        alert_id, "gas_alarm", 0, 6)
    assert [s["n"] for s in plan["steps"]] == [1, 2, 3, 4, 5, 6]
    assert plan["steps"][0]["en"].startswith("Identify the unit")
    assert plan["steps"][0]["zh"] and plan["steps"][0]["ticked_at"] is None
    assert plan["steps"][0]["ticked_by"] is None


def test_ticking_steps_records_who_and_when_once(clocked_client: TestClient, clock: Clock
                                                 ) -> None:
    client = clocked_client
    alert_id = _raise(client)
    op = auth(client, *OPERATOR)
    clock.advance(seconds=20)
    r = client.post(f"/api/alerts/{alert_id}/plan/1/tick", headers=op)
    assert r.status_code == 200, r.text
    step1 = r.json()["steps"][0]
    assert step1["ticked_by"] == "operator"
    assert step1["ticked_at"].startswith(clock().isoformat()[:19])
    assert r.json()["done"] == 1
    clock.advance(seconds=15)
    sup = auth(client, "supervisor", ROLES["supervisor"])
    r = client.post(f"/api/alerts/{alert_id}/plan/3/tick", headers=sup)
    assert [(s["n"], s["ticked_by"]) for s in r.json()["steps"] if s["ticked_at"]] == [
        (1, "operator"), (3, "supervisor")]

    twice = client.post(f"/api/alerts/{alert_id}/plan/1/tick", headers=sup)
    assert twice.status_code == 409
    assert twice.json()["detail"].startswith("step 1 was ticked by operator at ")

    history = client.get(f"/api/alerts/{alert_id}", headers=op).json()["history"]
    # (the escalation sweep may also have written "not acknowledged 35 s after" meanwhile)
    ticks = [(h["actor"], h["action"], h["note"]) for h in history
             if h["action"] == "step_ticked"]
    assert len(ticks) == 2
    assert ticks[0][:2] == ("operator", "step_ticked")
    assert ticks[0][2].startswith("step 1 ticked: Identify the unit")
    assert ticks[1][2].startswith("step 3 ticked: Phone the resident")
    assert [a[0] for a in _audit(client, "alert.plan_tick")] == ["operator", "supervisor"]
    assert client.get(f"/api/alerts/{alert_id}/plan", headers=op).json()["done"] == 2


def test_ticking_is_checked(client: TestClient) -> None:
    alert_id = _raise(client)
    op = auth(client, *OPERATOR)
    for step in (0, 7):
        r = client.post(f"/api/alerts/{alert_id}/plan/{step}/tick", headers=op)
        assert r.status_code == 404, step
        assert r.json() == {"detail": f"the gas_alarm plan has no step {step} (steps 1 to 6)"}
    assert client.post(f"/api/alerts/{alert_id}/plan/one/tick", headers=op).status_code == 422
    assert client.post("/api/alerts/999/plan/1/tick", headers=op).status_code == 404
    assert client.get("/api/alerts/999/plan", headers=op).status_code == 404
    for role in ("frontdesk", "maintenance"):
        r = client.post(f"/api/alerts/{alert_id}/plan/1/tick",
                        headers=auth(client, role, ROLES[role]))
        assert r.status_code == 403, role
    assert client.get(f"/api/alerts/{alert_id}/plan",
                      headers=auth(client, "frontdesk", ROLES["frontdesk"])).status_code == 403
    client.post(f"/api/alerts/{alert_id}/resolve", headers=op, json={"cause": "test"})
    assert client.post(f"/api/alerts/{alert_id}/plan/1/tick", headers=op).status_code == 409


def test_the_emergency_button_plan_and_a_kind_without_a_plan(client: TestClient) -> None:
    op = auth(client, *OPERATOR)
    panic = _raise(client, "btn-2-1-0304", "panic")
    plan = client.get(f"/api/alerts/{panic}/plan", headers=op).json()
    assert [s["en"] for s in plan["steps"]][:2] == ["Call the unit", "Send the nearest guard"]
    low = _raise(client, "gas-1-1-0101", "battery_low")
    none = client.get(f"/api/alerts/{low}/plan", headers=op).json()
    assert (none["steps"], none["total"], none["done"]) == ([], 0, 0)
    r = client.post(f"/api/alerts/{low}/plan/1/tick", headers=op)
    assert r.status_code == 404 and r.json() == {"detail": "no action plan for battery_low alerts"}


def test_every_change_is_announced_on_the_stream(client: TestClient) -> None:
    alert_id = _raise(client)
    op = auth(client, *OPERATOR)
    sent: list[tuple[int, str]] = []
    broadcaster = client.app.state.broadcaster  # type: ignore[attr-defined]
    publish = broadcaster.publish
    broadcaster.publish = lambda msg: (sent.append((msg.id, msg.data)), publish(msg))
    client.post(f"/api/alerts/{alert_id}/note", headers=op, json={"note": "calling"})
    client.post(f"/api/alerts/{alert_id}/assign", headers=op, json={"to": "operator"})
    client.post(f"/api/alerts/{alert_id}/plan/1/tick", headers=op)
    history = client.get(f"/api/alerts/{alert_id}", headers=op).json()["history"]
    changes = [h["id"] for h in history[-3:]]
    # In-process on SQLite; through the database's NOTIFY, a moment later, on PostgreSQL (where
    # the raise's own announcement may also arrive after the hook: it is not one of the three).
    wait_until("the three changes announced", lambda: set(changes) <= {i for i, _ in sent},
               timeout=30, every=0.02)
    announced = [(i, data) for i, data in sent if i in changes]
    assert [i for i, _ in announced] == changes
    assert [i for i, _ in sent if i not in changes] in ([], [history[0]["id"]])
    assert '"assigned_to":"operator"' in announced[-1][1]


# -- the flat --------------------------------------------------------------------------------


def test_operators_see_the_flat_with_residents_in_full(client: TestClient) -> None:
    op = auth(client, *OPERATOR)
    r = client.get("/api/units/1-2-1502", headers=op)
    assert r.status_code == 200, r.text
    flat = r.json()
    assert (flat["unit"], flat["building"], flat["entrance"], flat["floor"], flat["masked"]) == (
        "1-2-1502", "1", 2, 15, False)
    assert {d["id"] for d in flat["devices"]} == {"gas-1-2-1502", "btn-1-2-1502"}
    assert {"online", "battery", "last_seen"} <= set(flat["devices"][0])
    (chen,) = flat["residents"]
    assert (chen["name"], chen["phone"], chen["elderly_alone"]) == (
        "陈桂芳", "139-0000-1502", True)
    assert chen["emergency_contacts"][0] == {"name": "陈志强", "phone": "138-0000-2811",
                                             "relation": "儿子 son"}
    assert _audit(client, "unit.residents_view") == [
        ("operator", "unit:1-2-1502", "1 resident(s) shown in full")]


def test_other_roles_see_names_masked_and_no_phones(client: TestClient) -> None:
    for role in ("frontdesk", "maintenance"):
        flat = client.get("/api/units/2-1-0304", headers=auth(client, role, ROLES[role])).json()
        assert flat["masked"] is True
        assert flat["residents"] == [
            {"name": "周*", "phone": None, "elderly_alone": None, "emergency_contacts": []},
            {"name": "吴*", "phone": None, "elderly_alone": None, "emergency_contacts": []}]
        assert "139-0000" not in str(flat)
    assert _audit(client, "unit.residents_view") == []


def test_the_flat_is_checked(client: TestClient) -> None:
    op = auth(client, *OPERATOR)
    assert client.get("/api/units/1-2-1502").status_code == 401
    gw = client.get("/api/units/1-2-1502", headers=auth(client, "gateway", ROLES["gateway"]))
    assert gw.status_code == 403
    missing = client.get("/api/units/9-9-9999", headers=op)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no unit '9-9-9999' at site riverside"}
    empty = client.get("/api/units/1-1-0102", headers=op).json()
    assert empty["residents"] == [] and len(empty["devices"]) == 2


def test_mask_name_keeps_the_first_character() -> None:
    assert [mask_name(n) for n in ("张三", "欧阳娜娜", "王", "Emma Wilson", "")] == [
        "张*", "欧*", "王*", "E*", ""]
