"""Service requests for staff: the queue by SLA deadline, the lifecycle at the desk, role
refusals, and the SLA watcher escalating a request ordered at the kiosk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from controlroom.core.models import AuditEntry
from controlroom.services.requests.flow import STATES, TYPES
from tests.controlroom.conftest import T0, Clock, RecordingNotifier
from tests.utils import auth, wait_until

BUTLER1 = ("butler1", "butler1123")
BUTLER2 = ("butler2", "butler2123")
PASSWORDS = {"operator": "operator123", "supervisor": "supervisor123", "admin": "admin123",
             "frontdesk": "frontdesk123", "maintenance": "maintenance123",
             "gateway": "gateway123", "kiosk-1": "kiosk1-secret"}


def z(dt: Any) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def desk(client: TestClient, who: dict[str, str], **body: Any) -> dict[str, Any]:
    r = client.post("/api/requests", headers=who, json={"unit": "1-2-1502", "type": "repair",
                                                        "category": "taps", **body})
    assert r.status_code == 201, r.text
    return r.json()


def step(client: TestClient, who: dict[str, str], rid: int, path: str, status: int = 200,
         **body: Any) -> dict[str, Any]:
    r = client.post(f"/api/requests/{rid}/{path}", headers=who, json=body)
    assert r.status_code == status, r.text
    return r.json()


# -- taking requests ---------------------------------------------------------------------------


def test_a_phone_request_is_owned_by_the_butler_of_the_flats_building(
        clocked_client: TestClient) -> None:
    client = clocked_client
    fd = auth(client, "frontdesk", PASSWORDS["frontdesk"])
    req = desk(client, fd, unit="2-1-0304", channel="phone", description="卫生间漏水")
    assert (req["owner"], req["building"], req["channel"], req["state"]) == (
        "butler2", "2", "phone", "received")
    assert req["created_by"] == "frontdesk"
    assert [(p["name"], p["due"]) for p in req["promises"]] == [
        ("respond", z(T0 + timedelta(minutes=10))), ("on_site", z(T0 + timedelta(minutes=15)))]
    assert (req["next_promise"], req["next_due"]) == ("respond", z(T0 + timedelta(minutes=10)))
    assert [(h["actor"], h["action"]) for h in req["history"]] == [("frontdesk", "received")]


def test_a_desk_request_with_an_unknown_flat_or_field_is_refused_with_the_field(
        client: TestClient) -> None:
    fd = auth(client, "frontdesk", PASSWORDS["frontdesk"])
    r = client.post("/api/requests", headers=fd, json={"unit": "9-9-9999", "type": "help"})
    assert (r.status_code, r.json()["field"]) == (422, "unit")
    assert r.json()["detail"].startswith("unit: no flat '9-9-9999'")
    r = client.post("/api/requests", headers=fd, json={"unit": "1-2-1502", "type": "fix"})
    assert r.status_code == 422 and r.json()["detail"].startswith("type: ")


def test_the_queue_puts_overdue_first_then_the_nearest_deadline(
        clocked_client: TestClient, clock: Clock) -> None:
    client = clocked_client
    fd = auth(client, "frontdesk", PASSWORDS["frontdesk"])
    complaint = desk(client, fd, type="complaint", category="noise", unit="2-1-0101")
    clock.advance(minutes=1)
    urgent = desk(client, fd, category="lifts")  # urgent: answer by T0+11 min
    clock.advance(minutes=1)
    enquiry = desk(client, fd, type="enquiry", unit="2-1-0304")  # answer by T0+12 min
    step(client, fd, complaint["id"], "assign", assignee="butler2")  # next: on site T0+1 h
    ids = [r["id"] for r in client.get("/api/requests", headers=fd).json()["data"]]
    assert ids == [urgent["id"], enquiry["id"], complaint["id"]]

    clock.advance(minutes=10)  # T0+12 min: the urgent repair's answer promise ran out
    client.app.state.requests.escalate_due(clock())  # type: ignore[attr-defined]
    rows = client.get("/api/requests", headers=fd).json()["data"]
    assert (rows[0]["id"], rows[0]["overdue"]) == (urgent["id"], True)

    b2 = client.get("/api/requests", headers=fd, params={"owner": "butler2"}).json()["data"]
    assert {r["id"] for r in b2} == {complaint["id"], enquiry["id"]}
    late = client.get("/api/requests", headers=fd, params={"overdue": "true"}).json()["data"]
    assert [r["id"] for r in late] == [urgent["id"]]
    b1 = client.get("/api/requests", headers=fd, params={"building": "1"}).json()["data"]
    assert [r["id"] for r in b1] == [urgent["id"]]
    bad = client.get("/api/requests", headers=fd, params={"state": "done"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("state: ")


# -- the lifecycle -----------------------------------------------------------------------------


def test_a_repair_from_received_to_closed_every_step_in_history_and_audit(
        clocked_client: TestClient, clock: Clock) -> None:
    client = clocked_client
    b1 = auth(client, *BUTLER1)
    tech = auth(client, "maintenance", PASSWORDS["maintenance"])
    outbox = client.app.state.outbox  # type: ignore[attr-defined]
    rid = desk(client, b1, description="水龙头漏水")["id"]

    clock.advance(minutes=2)
    due = T0 + timedelta(hours=3)
    req = step(client, b1, rid, "assign", assignee="maintenance", department="engineering",
               due_at=z(due))
    assert (req["state"], req["assignee"], req["department"]) == (
        "assigned", "maintenance", "engineering")
    promises = {p["name"]: p for p in req["promises"]}
    assert promises["respond"]["met_at"] == z(T0 + timedelta(minutes=2))
    assert promises["work"]["due"] == z(due)

    clock.advance(minutes=8)
    assert step(client, tech, rid, "start")["state"] == "in_progress"
    req = step(client, tech, rid, "wait-parts", note="需要更换阀芯")
    assert req["state"] == "waiting_parts"
    [told] = outbox.list(kind="waiting_for_parts")  # the resident is told, in their language
    assert (told.unit, told.recipient) == ("1-2-1502", "139-0000-1502")
    assert "正在等待配件" in told.text
    step(client, tech, rid, "start")
    req = step(client, tech, rid, "complete", note="已更换阀芯")
    assert (req["state"], req["next_due"], req["overdue"]) == ("completed", None, False)
    step(client, b1, rid, "accept")
    req = step(client, b1, rid, "return-visit", attitude=5, quality=4, punctuality=5)
    assert req["ratings"] == {"attitude": 5, "quality": 4, "punctuality": 5}
    req = step(client, b1, rid, "close")
    assert req["state"] == "closed" and req["closed_at"]
    assert [(h["actor"], h["action"], h["state"]) for h in req["history"]] == [
        ("butler1", "received", "received"), ("butler1", "assign", "assigned"),
        ("maintenance", "start", "in_progress"), ("maintenance", "wait_parts", "waiting_parts"),
        ("maintenance", "start", "in_progress"), ("maintenance", "complete", "completed"),
        ("butler1", "accept", "accepted"), ("butler1", "return_visit", "return_visit"),
        ("butler1", "close", "closed")]
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        audit = [(a.actor, a.action) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.target == f"request:{rid}")
            .order_by(AuditEntry.id))]
    assert audit == [(h["actor"], f"request.{h['action']}") for h in req["history"]]
    # Closed is closed; the queue of open requests no longer has it.
    assert step(client, b1, rid, "cancel", 409, note="x")["code"] == "not_allowed_now"
    assert client.get("/api/requests", headers=b1).json()["count"] == 0


def test_a_complaint_closes_only_with_the_residents_confirmation(client: TestClient) -> None:
    b1 = auth(client, *BUTLER1)
    rid = desk(client, b1, type="complaint", category="staff-attitude")["id"]
    req = step(client, b1, rid, "judge", valid=True, serious=True)
    assert (req["valid"], req["severity"]) == (True, "serious")
    # Serious: resolved within 5 working days, after the 24-hour feedback.
    assert [p["name"] for p in req["promises"]][-2:] == ["feedback", "resolve"]
    step(client, b1, rid, "assign", assignee="supervisor")
    step(client, b1, rid, "start")
    assert step(client, b1, rid, "feedback", note="已向住户道歉并说明整改措施")["promises"]
    step(client, b1, rid, "complete")
    step(client, b1, rid, "accept")
    step(client, b1, rid, "return-visit", attitude=4, quality=4, punctuality=4)
    refused = step(client, b1, rid, "close", 409)
    assert refused["code"] == "confirmation_required"
    assert "resident's confirmation" in refused["detail"]
    req = step(client, b1, rid, "close", resident_confirmed=True)
    assert (req["state"], req["resident_confirmed"]) == ("closed", True)


def test_a_serious_complaint_is_due_in_5_working_days(clocked_client: TestClient) -> None:
    # T0 is Sunday 22 November 2026, 18:00 in Shanghai: Monday to Friday are the five days.
    client = clocked_client
    b1 = auth(client, *BUTLER1)
    req = desk(client, b1, type="complaint", category="noise", severity="serious")
    resolve = next(p for p in req["promises"] if p["name"] == "resolve")
    assert resolve["due"] == z(T0 + timedelta(days=5))


def test_steps_out_of_order_are_409_with_the_state_and_bad_values_422(
        client: TestClient) -> None:
    b1 = auth(client, *BUTLER1)
    rid = desk(client, b1)["id"]
    r = step(client, b1, rid, "complete", 409)
    assert (r["code"], r["state"]) == ("not_allowed_now", "received")
    assert r["detail"] == ("cannot complete a request that is received; "
                           "only from assigned, in_progress")
    bad = step(client, b1, rid, "assign", 422, assignee="nobody")
    assert bad["detail"].startswith("assignee: 'nobody' is not a member of staff")
    assert step(client, b1, rid, "assign", 422, assignee="maintenance",
                due_at="2020-01-01T00:00:00Z")["detail"] == (
        "due_at: the deadline must be in the future")
    assert step(client, b1, rid, "cancel", 422)["detail"] == (
        "note: say why the request is cancelled")
    assert step(client, b1, rid, "judge", 422, valid=True)["detail"].startswith("type: ")
    step(client, b1, rid, "assign", assignee="maintenance")
    step(client, b1, rid, "complete")
    step(client, b1, rid, "accept")
    assert step(client, b1, rid, "return-visit", 422, attitude=6, quality=4,
                punctuality=5)["detail"].startswith("attitude: ")
    assert client.get("/api/requests/99999", headers=b1).status_code == 404
    assert step(client, b1, 99999, "start", 404)["code"] == "not_found"


def test_role_refusals(client: TestClient) -> None:
    b1 = auth(client, *BUTLER1)
    rid = desk(client, b1)["id"]
    op = auth(client, "operator", PASSWORDS["operator"])
    tech = auth(client, "maintenance", PASSWORDS["maintenance"])
    assert client.get("/api/requests", headers=op).status_code == 200
    assert client.get(f"/api/requests/{rid}", headers=tech).status_code == 200
    for who in ("gateway", "kiosk-1"):
        assert client.get("/api/requests", headers=auth(client, who, PASSWORDS[who])
                          ).status_code == 403
    assert client.get("/api/requests").status_code == 401
    # Operators read only; a technician works only what is assigned to them.
    assert client.post("/api/requests", headers=op,
                       json={"unit": "1-2-1502", "type": "help"}).status_code == 403
    assert step(client, op, rid, "assign", 403, assignee="maintenance")["code"] == "forbidden"
    step(client, b1, rid, "assign", assignee="butler1")
    refused = step(client, tech, rid, "start", 403)
    assert "assigned to them" in refused["detail"]
    step(client, b1, rid, "assign", assignee="maintenance")
    assert step(client, tech, rid, "start")["state"] == "in_progress"
    assert step(client, tech, rid, "cancel", 403, note="no")["code"] == "forbidden"
    for role in ("supervisor", "admin"):
        assert step(client, auth(client, role, PASSWORDS[role]), rid, "note",
                    note=f"{role} looked")["history"][-1]["actor"] == role


# -- acceptance 4: from the kiosk to the butler's queue, overdue and escalated ------------------


def test_a_kiosk_request_lands_in_the_butlers_queue_and_is_escalated_when_overdue(
        clocked_client: TestClient, clock: Clock, notifier: RecordingNotifier) -> None:
    client = clocked_client
    kiosk = auth(client, "kiosk-1", PASSWORDS["kiosk-1"])
    r = client.post("/api/kiosk/session", headers=kiosk,
                    json={"method": "pin", "unit": "1-2-1502", "pin": "246810"})
    resident = {**kiosk, "X-Resident-Session": r.json()["session"]}
    ordered = client.post("/api/kiosk/requests", headers=resident,
                          json={"type": "repair", "category": "drains",
                                "description": "厨房下水道堵塞"}).json()

    b1 = auth(client, *BUTLER1)
    queue = client.get("/api/requests", headers=b1, params={"owner": "butler1"}).json()["data"]
    assert [(q["number"], q["unit"], q["next_promise"], q["next_due"], q["overdue"])
            for q in queue] == [(ordered["number"], "1-2-1502", "respond",
                                 z(T0 + timedelta(minutes=10)), False)]
    assert client.get("/api/requests", headers=auth(client, *BUTLER2),
                      params={"owner": "butler2"}).json()["data"] == []

    clock.advance(minutes=10)  # at the deadline: not yet late
    assert client.get(f"/api/requests/{ordered['id']}", headers=b1).json()["overdue"] is False

    clock.advance(seconds=1)  # past it: the watcher marks and escalates
    url = f"/api/requests/{ordered['id']}"
    req = wait_until("the request marked overdue",
                     lambda: (r := client.get(url, headers=b1).json())["overdue"] and r,
                     timeout=15.0, every=0.05)  # the SLA watcher runs every second
    assert req["escalated"] == ["respond"]
    escalated = [h for h in req["history"] if h["action"] == "escalated"]
    assert [(h["actor"], h["at"]) for h in escalated] == [("system", z(clock()))]
    assert escalated[0]["note"] == "answer promise missed (due 2026-11-22 18:10:00)"  # site time
    assert [(role, ordered["number"] in subject) for role, subject, _ in notifier.sent] == [
        ("supervisor", True)]
    assert client.get("/api/requests", headers=b1).json()["data"][0]["overdue"] is True
    # The resident (logged in again: the first session idled out) still sees the promise.
    r = client.post("/api/kiosk/session", headers=kiosk,
                    json={"method": "card", "card": "04A3150201"})
    resident = {**kiosk, "X-Resident-Session": r.json()["session"]}
    mine = client.get(f"/api/kiosk/requests/{ordered['id']}", headers=resident).json()
    assert mine["promised_by"] == z(T0 + timedelta(minutes=10))
    assert "escalated" not in mine

    # Once per promise: later sweeps do not notify again until the next promise runs out.
    clock.advance(minutes=2)
    client.app.state.requests.escalate_due(clock())  # type: ignore[attr-defined]
    assert len(notifier.sent) == 1
    clock.advance(minutes=3)  # T0+15:01: the technician's on-site promise ran out too
    wait_until("the on-site promise escalated", lambda: len(notifier.sent) == 2,
               timeout=15.0, every=0.05)
    req = client.get(url, headers=b1).json()
    assert req["escalated"] == ["respond", "on_site"]
    assert [h["action"] for h in req["history"]].count("escalated") == 2

    # Answering it (assigning) keeps the answer promise late but not open; on site still late.
    req = step(client, b1, ordered["id"], "assign", assignee="maintenance")
    assert req["overdue"] is True and req["next_promise"] == "on_site"
    req = step(client, auth(client, "maintenance", PASSWORDS["maintenance"]), ordered["id"],
               "start")
    assert req["overdue"] is False and req["next_due"] is None


def test_a_return_visit_without_ratings_is_refused_and_records_nothing(
        client: TestClient) -> None:
    """Issue 19: no rating is assumed (no 5/5/5 by default); a complaint closes only with
    the resident's confirmation, a clear 409 otherwise."""
    b1 = auth(client, *BUTLER1)
    rid = desk(client, b1, type="complaint", category="noise")["id"]
    for path, body in (("assign", {"assignee": "maintenance"}), ("complete", {}),
                       ("accept", {})):
        step(client, b1, rid, path, **body)
    for missing in ({}, {"attitude": 4, "quality": 4}):
        refused = step(client, b1, rid, "return-visit", 422, **missing)
        assert "punctuality" in refused["detail"], refused
    req = client.get(f"/api/requests/{rid}", headers=b1).json()
    assert (req["state"], req["ratings"]) == ("accepted", None)
    step(client, b1, rid, "return-visit", attitude=2, quality=3, punctuality=4)
    for body in ({}, {"resident_confirmed": False}):
        refused = step(client, b1, rid, "close", 409, **body)
        assert refused["code"] == "confirmation_required"
    assert client.get(f"/api/requests/{rid}", headers=b1).json()["state"] == "return_visit"
    req = step(client, b1, rid, "close", resident_confirmed=True)
    assert (req["state"], req["ratings"]) == (
        "closed", {"attitude": 2, "quality": 3, "punctuality": 4})


def test_a_butlers_token_names_their_buildings_so_the_console_opens_on_their_queue(
        client: TestClient) -> None:
    def token(user: str, password: str) -> dict[str, Any]:
        r = client.post("/api/auth/token", data={"username": user, "password": password})
        assert r.status_code == 200, r.text
        return r.json()

    assert token(*BUTLER1)["butler_for"] == ["1"]
    assert token(*BUTLER2)["butler_for"] == ["2"]
    assert token("frontdesk", PASSWORDS["frontdesk"])["butler_for"] == []
    assert token("operator", PASSWORDS["operator"])["butler_for"] == []


def test_the_request_vocabulary_is_served_to_staff_and_the_kiosk_in_both_languages(
        client: TestClient) -> None:
    """Issue 12: one vocabulary for every state and type, read by staff and the kiosk."""
    assert client.get("/api/requests/vocabulary").status_code == 401
    gateway = auth(client, "gateway", PASSWORDS["gateway"])
    assert client.get("/api/requests/vocabulary", headers=gateway).status_code == 403
    answers = []
    for who in ("operator", "frontdesk", "maintenance", "kiosk-1"):
        r = client.get("/api/requests/vocabulary", headers=auth(client, who, PASSWORDS[who]))
        assert r.status_code == 200, (who, r.text)
        answers.append(r.json())
    vocab = answers[0]
    assert all(a == vocab for a in answers)
    assert set(vocab["states"]) == set(STATES) and set(vocab["next_steps"]) == set(STATES)
    assert set(vocab["types"]) == set(TYPES)
    for table in vocab.values():
        for label in table.values():
            assert label["zh"] and label["en"] and label["zh"] != label["en"]
    # The kiosk's timeline labels a step with the same words as the vocabulary.
    kiosk = auth(client, "kiosk-1", PASSWORDS["kiosk-1"])
    s = client.post("/api/kiosk/session", headers=kiosk,
                    json={"method": "pin", "unit": "1-2-1502", "pin": "246810"})
    assert s.status_code == 201, s.text
    mine = {**kiosk, "X-Resident-Session": s.json()["session"]}
    made = client.post("/api/kiosk/requests", headers=mine,
                       json={"type": "enquiry", "description": "发票？"})
    assert made.status_code == 201, made.text
    step = made.json()["timeline"][0]
    assert (step["label_zh"], step["label_en"]) == (
        vocab["states"]["received"]["zh"], vocab["states"]["received"]["en"])
