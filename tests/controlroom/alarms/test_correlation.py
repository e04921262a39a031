import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from controlroom.alarms.correlation import correlated_units, incident_due
from controlroom.core.models import AuditEntry
from tests.controlroom.conftest import T0, Clock, Service, signal
from tests.utils import auth

MIN = timedelta(minutes=1)


def test_gas_alarms_in_two_units_within_two_minutes_are_an_incident() -> None:
    assert incident_due([("1-1-0101", T0), ("1-1-0201", T0 + 2 * MIN)], T0 + 2 * MIN)
    assert correlated_units([("1-1-0201", T0), ("1-1-0101", T0), ("1-1-0101", T0)], T0) == [
        "1-1-0101", "1-1-0201"]


def test_one_unit_alone_or_alarms_too_far_apart_are_not() -> None:
    assert not incident_due([], T0)
    assert not incident_due([("1-1-0101", T0), ("1-1-0101", T0)], T0)  # two detectors, 1 flat
    assert not incident_due([("1-1-0101", T0), ("1-1-0201", T0 + 3 * MIN)], T0 + 3 * MIN)
    assert not incident_due([(None, T0), ("1-1-0201", T0)], T0)


def _open(service: Service, kind: str | None = None) -> list[dict[str, object]]:
    rows, _ = service.alerts.list(kind=kind)
    return [{"id": a.id, "kind": a.kind, "priority": a.priority, "building": a.building,
             "unit": a.unit, "device": a.device, "occurrences": a.occurrences,
             "detail": a.detail} for a in rows]


def test_a_second_flat_raises_one_building_incident_and_a_third_updates_it(
        service: Service) -> None:
    first = service.signal("gas-1-1-0101")
    service.clock.advance(seconds=90)
    second = service.signal("gas-1-1-0201")
    [incident] = _open(service, "incident")
    assert incident | {"id": 0} == {
        "id": 0, "kind": "incident", "priority": 1, "building": "1", "unit": None,
        "device": None, "occurrences": 2,
        "detail": {"units": ["1-1-0101", "1-1-0201"], "alerts": [first, second],
                   "reason": "possible riser leak: evacuation decision"}}
    # While it is open, any further gas alarm in the building joins it, however late.
    service.clock.advance(minutes=10)
    third = service.signal("gas-1-2-1502")
    service.signal("gas-1-1-0101")  # a repeat of the first flat's alarm: not a new alarm
    [updated] = _open(service, "incident")
    assert updated["id"] == incident["id"]
    assert updated["occurrences"] == 3
    assert updated["detail"] == incident["detail"] | {  # type: ignore[operator]
        "units": ["1-1-0101", "1-1-0201", "1-2-1502"], "alerts": [first, second, third]}
    history = service.alerts.get(incident["id"]).history  # type: ignore[arg-type]
    assert [(h.actor, h.action) for h in history] == [("system", "raised"),
                                                      ("system", "linked")]
    assert history[0].note == ("possible riser leak: evacuation decision — gas alarms in "
                               "1-1-0101, 1-1-0201")
    announced = [json.loads(m.data)["kind"] for m in service.broadcaster.sent]
    assert announced == ["gas_alarm", "gas_alarm", "incident", "gas_alarm", "incident",
                         "gas_alarm"]
    with service.alerts.sessions() as s:
        audit = [(a.actor, a.action, a.target) for a in s.scalars(select(AuditEntry))]
    assert audit == [("system", "alert.incident", f"alert:{incident['id']}")]


def test_the_incident_escalates_like_any_critical_alert(service: Service) -> None:
    service.signal("gas-1-1-0101")
    service.signal("gas-1-1-0201")
    acked = [a["id"] for a in _open(service, "gas_alarm")]
    for alert_id in acked:
        service.alerts.act(alert_id, "ack", "operator")  # type: ignore[arg-type]
    [incident] = _open(service, "incident")
    assert [a.id for a in service.alerts.escalate_due(T0 + timedelta(seconds=30))] == [
        incident["id"]]


def test_no_incident_for_one_flat_other_buildings_slow_sequences_tests_or_prealarms(
        service: Service) -> None:
    service.signal("gas-1-1-0101")
    service.signal("gas-2-1-0101-kitchen2")  # another building
    service.signal("gas-2-1-0101")  # the same flat as the kitchen2 detector
    service.signal("gas-1-1-0201", test=True)  # a test event
    service.signal("gas-1-1-0301", "gas_prealarm", priority=2)
    service.clock.advance(minutes=3)
    service.signal("gas-1-1-0401")  # three minutes after the first
    assert _open(service, "incident") == []


def test_resolved_alarms_do_not_count_and_a_new_incident_follows_a_resolved_one(
        service: Service) -> None:
    first = service.signal("gas-1-1-0101")
    service.alerts.act(first, "resolve", "operator", cause="false_alarm")  # type: ignore[arg-type]
    service.signal("gas-1-1-0201")
    assert _open(service, "incident") == []
    service.signal("gas-1-1-0301")
    [incident] = _open(service, "incident")
    service.alerts.act(incident["id"], "resolve", "operator", cause="real")  # type: ignore[arg-type]
    service.signal("gas-1-1-0401")
    [again] = _open(service, "incident")
    assert again["id"] != incident["id"]
    assert again["detail"]["units"] == ["1-1-0201", "1-1-0301", "1-1-0401"]  # type: ignore[index]


def test_the_api_lists_one_building_incident_beside_its_alarms(clocked_client: TestClient,
                                                      clock: Clock) -> None:
    gw = auth(clocked_client, "gateway", "gateway123")
    op = auth(clocked_client, "operator", "operator123")
    for n, device in enumerate(("gas-2-1-0101", "gas-2-1-0102")):
        clock.advance(seconds=20)
        r = clocked_client.post("/api/gateway/signals", headers=gw,
                                json=signal(device, key=f"{device}:1:{n}/gas_alarm"))
        assert r.status_code == 200, r.text
    incidents = clocked_client.get("/api/alerts?kind=incident", headers=op).json()
    assert incidents["count"] == 1
    inc = incidents["data"][0]
    assert (inc["priority"], inc["building"], inc["unit"], inc["device"], inc["state"]) == (
        1, "2", None, None, "open")
    assert inc["detail"]["units"] == ["2-1-0101", "2-1-0102"]
    board = clocked_client.get("/api/alerts?building=2", headers=op).json()["data"]
    assert [a["kind"] for a in board] == ["gas_alarm", "gas_alarm", "incident"]


def test_a_building_incident_tells_the_supervisor_and_the_manager_at_once(
        service: Service) -> None:
    service.signal("gas-1-1-0101")
    assert service.notifier.sent == []  # one flat: no incident, nobody told yet
    service.signal("gas-1-1-0201")
    [incident] = _open(service, "incident")
    subject = f"Building 1 incident: gas alarms in 2 flats (alert {incident['id']})"
    assert [(role, s) for role, s, _ in service.notifier.sent] == [
        ("supervisor", subject), ("manager", subject)]
    assert all(d["urgent"] and d["kind"] == "incident" and d["session"] is not None
               for d in service.notifier.details)  # recorded in the signal's transaction
    service.signal("gas-1-2-1502")  # joins the open incident: no second message
    assert len(service.notifier.sent) == 2
