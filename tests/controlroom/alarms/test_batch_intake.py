"""A batch of signals applied in one transaction ends exactly where the same signals applied
one at a time end (every rule kept), with a result per signal, in a bounded number of
statements however large the batch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from config import load_site
from controlroom.alarms.intake import SignalApplied, UnknownDevice
from controlroom.alarms.models import Alert, AlertHistory, IngestedSignal
from controlroom.alarms.rules import SignalOutcome
from controlroom.alarms.schemas import SignalIn
from controlroom.alarms.service import AlertService
from controlroom.alarms.test_mode import TestModeService
from controlroom.core.db import Base, make_engine, make_sessionmaker
from tests.controlroom.conftest import Clock, RecordingBroadcaster, RecordingNotifier, Service
from tests.controlroom.conftest import signal as signal_json
from tests.support import postgres
from tests.utils import auth

SITE = load_site()


def sig(key: str, device: str, kind: str, priority: int, condition: str = "active",
        clock: Clock | None = None, test: bool = False) -> SignalIn:
    return SignalIn(key=key, device=device, kind=kind, priority=priority,
                    condition=condition,  # type: ignore[arg-type]
                    observed_at=(clock or Clock())(), test=test)


@pytest.fixture
def twin(tmp_path: Path, clock: Clock) -> Iterator[Service]:
    """A second alert service, on a database of its own, on the same clock."""
    url = postgres.test_db_url(tmp_path, "twin")
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    b = RecordingBroadcaster()
    alerts = AlertService(sessions, b, SITE, TestModeService(sessions, SITE, clock), now=clock)
    yield Service(alerts, clock, b, RecordingNotifier())
    engine.dispose()
    postgres.drop(url)


def _scenario(clock: Clock) -> list[list[SignalIn]]:
    """Rounds of signals: gas alarms in three flats of building 1 (an incident) and one of
    building 2, repeats, a latching panic pressed and reset, a battery that goes low, ok
    (resolved) and low again (a new alert), a test signal, a duplicate key, and a tamper
    switch chattering until it is held open as flapping."""
    first = [
        sig("g1", "gas-1-1-0101", "gas_alarm", 1, clock=clock),
        sig("g2", "gas-1-1-0102", "gas_alarm", 1, clock=clock),
        sig("g1", "gas-1-1-0101", "gas_alarm", 1, clock=clock),  # the same key again
        sig("p1", "btn-1-1-0101", "panic", 1, clock=clock),
        sig("p2", "btn-1-1-0101", "panic", 1, "restored", clock=clock),
        sig("b1", "btn-2-1-0304", "battery_low", 4, clock=clock),
        sig("b2", "btn-2-1-0304", "battery_low", 4, "restored", clock=clock),
        sig("b3", "btn-2-1-0304", "battery_low", 4, clock=clock),
        sig("g3", "gas-2-1-0304", "gas_alarm", 1, clock=clock),
        sig("t1", "gas-1-1-0103", "gas_alarm", 1, clock=clock, test=True),
    ]
    second = [
        sig("g4", "gas-1-1-0103", "gas_alarm", 1, clock=clock),  # linked to the incident
        sig("g5", "gas-1-1-0104", "gas_alarm", 1, clock=clock),
        sig("g1", "gas-1-1-0101", "gas_alarm", 1, clock=clock),  # applied in round one
        sig("g6", "gas-1-1-0101", "gas_alarm", 1, clock=clock),  # a repeat
        sig("g7", "gas-1-1-0101", "gas_alarm", 1, "restored", clock=clock),  # latched
        sig("p3", "btn-1-1-0101", "panic", 1, clock=clock),  # reactivated
    ]
    chatter = [sig(f"c{n}", "btn-2-1-0101", "tamper", 3, cond, clock=clock)
               for n, cond in enumerate(["active", "restored"] * 4)]  # flapping, one batch
    return [first, second, chatter]


def _state(svc: Service) -> list[tuple[Any, ...]]:
    with svc.alerts.sessions() as s:
        alerts = s.scalars(select(Alert).order_by(Alert.id)).all()
        ids = {a.id: i for i, a in enumerate(alerts)}
        out = []
        for a in alerts:
            detail = {k: v for k, v in a.detail.items() if k != "observed_at"}
            if "alerts" in detail:
                detail["alerts"] = sorted(ids[x] for x in detail["alerts"])
            actions = sorted(h.action for h in s.scalars(select(AlertHistory).where(
                AlertHistory.alert_id == a.id)) if h.action != "linked")
            out.append((a.kind, a.device, a.unit, a.state, a.condition, a.occurrences, a.test,
                        a.escalation, repr(sorted(detail.items())), tuple(actions)))
        keys = sorted(s.scalars(select(IngestedSignal.key)))
        return [*sorted(out, key=repr), ("keys", *keys)]


def test_a_batch_ends_where_the_same_signals_one_at_a_time_end(
        service: Service, twin: Service, clock: Clock) -> None:
    for n, rounds in enumerate(_scenario(clock)):
        for s in rounds:
            service.alerts.apply_signal(s)
        results = twin.alerts.apply_batch(rounds)
        assert len(results) == len(rounds)
        with twin.alerts.sessions() as s:  # each result names the alert as stored
            for r in results:
                assert isinstance(r, SignalApplied)
                if r.alert is not None:
                    stored = s.get(Alert, r.alert.id)
                    assert stored is not None and stored.open_key == r.alert.open_key
        clock.advance(seconds=10 + n)
    state = _state(service)
    assert state == _state(twin)
    assert any("('flapping', True)" in row[8] for row in state if row[0] == "tamper")
    incident = [row for row in state if row[0] == "incident"]
    assert len(incident) == 1 and incident[0][5] == 4  # four flats' alarms linked


def test_each_signal_of_a_batch_gets_its_own_result(service: Service, clock: Clock) -> None:
    batch = [sig("a", "gas-1-1-0101", "gas_alarm", 1, clock=clock),
             sig("x", "gas-9-9-9999", "gas_alarm", 1, clock=clock),  # not registered
             sig("a", "gas-1-1-0101", "gas_alarm", 1, clock=clock),
             sig("b", "gas-1-1-0101", "gas_alarm", 1, clock=clock)]
    first, unknown, dup, repeat = service.alerts.apply_batch(batch)
    assert isinstance(first, SignalApplied) and first.outcome is SignalOutcome.CREATE
    assert isinstance(unknown, UnknownDevice)
    assert isinstance(dup, SignalApplied) and dup.duplicate and dup.alert is not None
    assert isinstance(repeat, SignalApplied) and repeat.outcome is SignalOutcome.REPEAT
    assert first.alert is not None and dup.alert.id == first.alert.id
    again = service.alerts.apply_batch(batch[:1] + batch[3:])
    assert all(isinstance(r, SignalApplied) and r.duplicate for r in again)
    assert all(isinstance(r, SignalApplied) and r.alert is not None
               and r.alert.id == first.alert.id for r in again)


def test_a_batch_of_every_alarm_of_a_building_takes_a_bounded_number_of_statements(
        service: Service, clock: Clock) -> None:
    devices = [d.id for d in SITE.devices.values() if d.building == "1"]
    assert len(devices) > 100
    batch = [sig(f"k{i}", d, "gas_alarm" if d.startswith("gas") else "panic", 1, clock=clock)
             for i, d in enumerate(devices)]
    engine = service.alerts.sessions.kw["bind"]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        results = service.alerts.apply_batch(batch)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert all(isinstance(r, SignalApplied) and r.outcome is SignalOutcome.CREATE
               for r in results)
    # Set-based: the statement count does not grow with the batch (one at a time took ~10
    # per signal, thousands here).
    from collections import Counter
    assert len(statements) < 40, Counter(s[:60] for s in statements).most_common(8)
    sent = {m.id for m in service.broadcaster.sent}
    assert len(sent) == len(devices) + 1  # each alert raised, and the building's incident
    clock.advance(seconds=1)


def test_the_batch_call_refuses_a_bad_signal_alone(client: TestClient) -> None:
    gw = auth(client, "gateway", "gateway123")
    good = signal_json("gas-1-1-0101", key="one")
    bad = {**signal_json("gas-1-1-0102", key="two"), "priority": 9}
    unknown = signal_json("gas-9-9-9999", key="three")
    r = client.post("/api/gateway/signals/batch", json={"signals": [bad, good, unknown]},
                    headers=gw)
    assert r.status_code == 200, r.text
    first, second, third = r.json()["results"]
    assert (first["key"], first["status"]) == ("two", 422) and "priority" in first["detail"]
    assert (second["status"], second["outcome"]) == (200, "create")
    alert = client.get(f"/api/alerts/{second['alert_id']}",
                       headers=auth(client, "operator", "operator123")).json()
    assert alert["device"] == "gas-1-1-0101"
    assert third["status"] == 422 and "gas-9-9-9999" in third["detail"]
    r = client.post("/api/gateway/signals/batch", json={"signals": [good]}, headers=gw)
    assert r.json()["results"][0]["duplicate"] is True
    assert client.post("/api/gateway/signals/batch", json={"signals": []},
                       headers=gw).status_code == 422


def test_escalation_clocks_start_when_a_batch_raises_its_alerts(
        service: Service, clock: Clock) -> None:
    raised_at = clock()
    service.alerts.apply_batch([sig("e1", "btn-1-1-0101", "panic", 1, clock=clock),
                                sig("e2", "btn-1-1-0102", "panic", 1, clock=clock)])
    clock.advance(seconds=31)
    escalated = service.alerts.escalate_due(clock())
    assert sorted(a.device or "" for a in escalated) == ["btn-1-1-0101", "btn-1-1-0102"]
    assert all(a.raised_at.replace(tzinfo=raised_at.tzinfo) == raised_at for a in escalated)
    assert clock() - raised_at == timedelta(seconds=31)
