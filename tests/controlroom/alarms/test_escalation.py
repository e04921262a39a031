import json
import logging
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from controlroom.alarms.escalation import ESCALATE_AFTER, escalation_due, escalation_level
from controlroom.core.models import AuditEntry
from controlroom.core.notify import LogNotifier
from tests.controlroom.conftest import T0, Clock, RecordingNotifier, Service, signal
from tests.utils import auth

S = timedelta(seconds=1)


def due(**kw: object) -> int | None:
    args: dict[str, object] = {"priority": 1, "test": False, "acknowledged": False,
                               "resolved": False, "raised_at": T0, "escalation": 0,
                               "now": T0 + 30 * S}
    return escalation_due(**(args | kw))  # type: ignore[arg-type]


def test_thresholds_are_the_en_50518_30_and_60_seconds() -> None:
    assert timedelta(seconds=30) == ESCALATE_AFTER[0]
    assert timedelta(seconds=60) == ESCALATE_AFTER[1]
    assert [escalation_level(T0, T0 + n * S) for n in (0, 29, 30, 59, 60, 600)] == [
        0, 0, 1, 1, 2, 2]


def test_an_unacknowledged_critical_alert_is_due_at_30_s_then_60_s() -> None:
    assert due(now=T0 + 29 * S) is None
    assert due(now=T0 + 30 * S) == 1
    assert due(now=T0 + 45 * S, escalation=1) is None  # a level is never repeated
    assert due(now=T0 + 60 * S, escalation=1) == 2
    assert due(now=T0 + 600 * S, escalation=2) is None  # two levels, no more


def test_a_late_check_goes_straight_to_the_level_due() -> None:
    assert due(now=T0 + 90 * S) == 2


@pytest.mark.parametrize("kw", [{"priority": 2}, {"test": True}, {"acknowledged": True},
                                {"resolved": True}])
def test_only_unacknowledged_real_priority_1_alerts_escalate(kw: dict[str, object]) -> None:
    assert due(now=T0 + 90 * S, **kw) is None


def _audit(service: Service) -> list[tuple[str, str, str]]:
    with service.alerts.sessions() as s:
        return [(a.actor, a.action, a.target) for a in s.scalars(select(AuditEntry))]


def test_escalation_marks_records_audits_announces_and_notifies(service: Service) -> None:
    alert_id = service.signal("btn-1-1-0101", "panic")
    assert service.alerts.escalate_due(T0 + 29 * S) == []
    [first] = service.alerts.escalate_due(T0 + 30 * S)
    assert (first.id, first.escalation) == (alert_id, 1)
    assert service.alerts.escalate_due(T0 + 45 * S) == []
    [second] = service.alerts.escalate_due(T0 + 60 * S)
    assert second.escalation == 2
    assert service.alerts.escalate_due(T0 + 300 * S) == []

    alert = service.alerts.get(alert_id)  # type: ignore[arg-type]
    assert [(h.actor, h.action) for h in alert.history] == [
        ("gateway", "raised"), ("system", "escalated"), ("system", "escalated")]
    assert alert.history[1].note == "level 1: not acknowledged 30 s after it was raised"
    assert _audit(service) == [("system", "alert.escalate", f"alert:{alert_id}")] * 2
    announced = [json.loads(m.data) for m in service.broadcaster.sent]
    assert [(a["id"], a["escalation"]) for a in announced] == [
        (alert_id, 0), (alert_id, 1), (alert_id, 2)]
    assert [m.id for m in service.broadcaster.sent] == [h.id for h in alert.history]
    assert [(role, subject) for role, subject, _ in service.notifier.sent] == [
        ("supervisor", f"Escalation 1: panic at 1-1-0101 (alert {alert_id})"),
        ("supervisor", f"Escalation 2: panic at 1-1-0101 (alert {alert_id})"),
        ("manager", f"Escalation 2: panic at 1-1-0101 (alert {alert_id})")]
    assert "not acknowledged after 60 s" in service.notifier.sent[1][2]


def test_acknowledging_stops_escalation(service: Service) -> None:
    escalated = service.signal("btn-1-1-0101", "panic")
    in_time = service.signal("btn-1-1-0102", "panic")
    service.alerts.act(in_time, "ack", "operator")  # type: ignore[arg-type]
    assert [a.id for a in service.alerts.escalate_due(T0 + 31 * S)] == [escalated]
    service.alerts.act(escalated, "ack", "operator")  # type: ignore[arg-type]
    assert service.alerts.escalate_due(T0 + 61 * S) == []
    assert service.alerts.get(escalated).escalation == 1  # type: ignore[arg-type]
    assert service.alerts.get(in_time).escalation == 0  # type: ignore[arg-type]
    assert len(service.notifier.sent) == 1


def test_dispatching_or_resolving_counts_as_handled(service: Service) -> None:
    dispatched = service.signal("btn-1-1-0101", "panic")
    resolved = service.signal("btn-1-1-0102", "panic")
    service.alerts.act(dispatched, "dispatch", "operator", to="guard")  # type: ignore[arg-type]
    service.alerts.act(resolved, "resolve", "operator", cause="false_alarm")  # type: ignore[arg-type]
    assert service.alerts.escalate_due(T0 + 61 * S) == []


def test_test_events_and_lower_priorities_never_escalate(service: Service) -> None:
    service.signal("btn-1-1-0101", "panic", test=True)
    service.signal("gas-1-1-0102", "gas_prealarm", priority=2)
    service.signal("btn-1-1-0103", "tamper", priority=3)
    assert service.alerts.escalate_due(T0 + 120 * S) == []
    assert service.notifier.sent == []


def test_a_failing_notifier_does_not_stop_escalation(service: Service) -> None:
    class Broken:
        def notify(self, role: str, subject: str, body: str) -> None:
            raise OSError("pager gateway down")

    service.alerts.notifier = Broken()
    alert_id = service.signal("btn-1-1-0101", "panic")
    assert [a.id for a in service.alerts.escalate_due(T0 + 30 * S)] == [alert_id]
    assert service.alerts.get(alert_id).escalation == 1  # type: ignore[arg-type]


def test_the_default_notifier_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="controlroom.core.notify"):
        LogNotifier().notify("supervisor", "Escalation 1", "panic at 1-1-0101")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "notify supervisor: Escalation 1")]


def test_the_control_room_escalates_by_itself_every_second(
        clocked_client: TestClient, clock: Clock, notifier: RecordingNotifier) -> None:
    gw = auth(clocked_client, "gateway", "gateway123")
    op = auth(clocked_client, "operator", "operator123")
    alert_id = clocked_client.post("/api/gateway/signals", headers=gw,
                                   json=signal("btn-1-1-0101", "panic")).json()["alert"]["id"]
    clock.advance(seconds=31)
    # The background sweep runs once a second: wait (bounded) for it, the clock is ours.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        alert = clocked_client.get(f"/api/alerts/{alert_id}", headers=op).json()
        if alert["escalation"] == 1:
            break
        time.sleep(0.05)
    assert alert["escalation"] == 1
    assert alert["history"][-1]["actor"] == "system"
    assert alert["history"][-1]["action"] == "escalated"
    assert [role for role, _, _ in notifier.sent] == ["supervisor"]
    acked = clocked_client.post(f"/api/alerts/{alert_id}/ack", headers=op, json={})
    assert acked.json()["state"] == "acknowledged"
    clock.advance(seconds=60)
    clocked_client.app.state.alerts.escalate_due(clock())  # type: ignore[attr-defined]
    assert clocked_client.get(f"/api/alerts/{alert_id}", headers=op).json()["escalation"] == 1
    assert len(notifier.sent) == 1
