"""Acceptance 7 of issue 18: with short retention and a hand clock, the retention job (the
control room's guarded loop) removes old idempotency keys and the histories of resolved
alerts, while open alerts, their history and the audit inside the window stay."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from config import Settings, load_site
from config.model import Retention
from controlroom.alarms.models import Alert, AlertHistory, IngestedSignal
from controlroom.app import create_app
from controlroom.core.models import AuditEntry
from controlroom.retention import cutoffs
from tests.controlroom.conftest import T0, Clock, _passwords
from tests.utils import auth, wait_until

POLICY = Retention(ingest_keys_days=1, history_days=1, audit_days=3, sweep_s=0.05)


def test_cutoffs_follow_the_policy_and_zero_keeps_for_ever() -> None:
    cut = cutoffs(Retention(ingest_keys_days=1, history_days=730, audit_days=0), T0)
    assert cut.ingest_keys == T0 - timedelta(days=1)
    assert cut.history == T0 - timedelta(days=730)
    assert cut.audit is None  # the default: the audit is kept for ever
    assert cutoffs(Retention(), T0).audit is None


@pytest.fixture
def app_on_clock(db_url: str) -> Iterator[tuple[TestClient, Clock]]:
    site = replace(load_site(), retention=POLICY)
    clock = Clock()
    app = create_app(site, Settings(db_url, site.mqtt_url, "http://testserver"), _passwords(),
                     clock=clock)
    with TestClient(app) as c:
        yield c, clock


def _count(c: TestClient, stmt) -> int:  # type: ignore[no-untyped-def]
    with c.app.state.sessions() as s:  # type: ignore[attr-defined]
        return int(s.scalar(stmt) or 0)


@pytest.mark.db
def test_the_job_removes_old_keys_and_histories_and_keeps_open_alerts_and_recent_audit(
        app_on_clock: tuple[TestClient, Clock]) -> None:
    c, clock = app_on_clock
    gw = auth(c, "gateway", "gateway123")
    op = auth(c, "operator", "operator123")
    ids = []
    for n, device in enumerate(("gas-1-2-1502", "gas-1-1-0101")):
        r = c.post("/api/gateway/signals", headers=gw, json={
            "key": f"ret-{n}/gas_alarm", "device": device, "kind": "gas_alarm", "priority": 1,
            "condition": "active", "observed_at": clock().isoformat()})
        assert r.status_code in (200, 201), r.text
        ids.append(r.json()["alert"]["id"])
    done, still_open = ids
    assert c.post(f"/api/alerts/{done}/ack", headers=op, json={}).status_code == 200
    assert c.post(f"/api/alerts/{done}/resolve", headers=op,
                  json={"cause": "false_alarm"}).status_code == 200
    keys = select(func.count()).select_from(IngestedSignal)
    history_of = lambda a: select(func.count()).select_from(AlertHistory).where(  # noqa: E731
        AlertHistory.alert_id == a)
    assert _count(c, keys) == 2 and _count(c, history_of(done)) >= 3
    open_history = _count(c, history_of(still_open))
    first_day = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.at < T0 + timedelta(hours=1))
    old_audit = _count(c, first_day)
    assert old_audit > 0

    # Half a day on: nothing is old enough yet.
    clock.advance(hours=12)
    sweeps = _sweeps(c)
    wait_until("a sweep at +12 h", lambda: _sweeps(c) > sweeps + 1, 10)
    assert _count(c, keys) == 2

    # Two days on: the keys and the resolved alert's history go; the open one stays whole.
    clock.advance(days=2)
    assert c.post(f"/api/alerts/{still_open}/ack", headers=op, json={}).status_code == 200
    wait_until("old keys removed", lambda: _count(c, keys) == 0, 10)
    wait_until("the resolved alert's history removed",
               lambda: _count(c, history_of(done)) == 0, 10)
    assert _count(c, history_of(still_open)) == open_history + 1
    with c.app.state.sessions() as s:  # type: ignore[attr-defined]
        assert s.get(Alert, still_open).state != "resolved"
        assert s.get(Alert, done) is not None  # the alert itself stays on the record
    # The audit is younger than its three days: all of it is there, and says what went.
    assert _count(c, first_day) == old_audit
    swept = _count(c, select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "retention.sweep"))
    assert swept >= 1

    # Four days on: the audit of the first day goes, the audit of the window stays.
    clock.advance(days=2)
    wait_until("the first day's audit removed", lambda: _count(c, first_day) == 0, 10)
    assert _count(c, select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "alert.ack", AuditEntry.at > T0 + timedelta(days=2))) == 1
    assert _count(c, history_of(still_open)) == open_history + 1


def _sweeps(c: TestClient) -> int:
    return int(c.app.state.retention_runs)  # type: ignore[attr-defined]
