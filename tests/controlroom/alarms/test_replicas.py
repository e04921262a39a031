"""Several control rooms on one PostgreSQL (a server of the test run's own): an operator on
replica A sees, within a second, an alert delivered to replica B; the stream's event ids rise
and miss nothing while both replicas take alerts at once; a console resuming on the other
replica with Last-Event-ID gets what it missed; and the background work (escalation, test
windows running out) happens once, not once per replica.

These run on PostgreSQL whatever BUTLER_TEST_DB says: replicas are a PostgreSQL feature.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from config import load_site
from controlroom.alarms import fanout
from controlroom.alarms.escalation import ESCALATE_AFTER
from controlroom.alarms.intake import alert_json
from controlroom.alarms.models import Alert, AlertHistory
from controlroom.alarms.schemas import SignalIn
from controlroom.alarms.service import AlertService
from controlroom.alarms.test_mode import TestModeService
from controlroom.core.db import make_engine, make_sessionmaker
from controlroom.core.models import AuditEntry
from tests.controlroom.conftest import T0, Clock, RecordingBroadcaster, RecordingNotifier
from tests.support import postgres
from tests.support.stack import Stack

SITE = load_site()
BUTTONS = sorted(d.id for d in SITE.devices.values() if d.kind == "panic_button")
GAS_B1 = sorted(d.id for d in SITE.devices.values()
                if d.kind == "gas_detector" and d.building == "1")


@pytest.fixture
def shared_db() -> Iterator[str]:
    url = postgres.fresh_postgres_url("replicas")
    yield url
    postgres.drop(url)


# -- two control-room processes ------------------------------------------------------------------


class Stream:
    """An SSE client on one replica, keeping (event id, alert) and when each arrived."""

    def __init__(self, api_url: str, token: str, last_event_id: int | None = None) -> None:
        self.events: list[tuple[int, dict[str, object], float]] = []
        self.connected = threading.Event()
        self._cond = threading.Condition()
        headers = {"Authorization": f"Bearer {token}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self._client = httpx.Client(timeout=httpx.Timeout(10.0, read=None))
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        args=(f"{api_url}/api/alerts/stream", headers))
        self._thread.start()
        assert self.connected.wait(30), "the stream did not open"

    def _run(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", url, headers=headers) as r:
                self.connected.set()
                eid, event = 0, ""
                for line in r.iter_lines():
                    if line.startswith("id:"):
                        eid = int(line[3:])
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "alert":
                        with self._cond:
                            self.events.append((eid, json.loads(line[5:]), time.monotonic()))
                            self._cond.notify_all()
        except httpx.HTTPError:
            return

    def wait(self, pred, timeout: float) -> bool:  # type: ignore[no-untyped-def]
        with self._cond:
            return self._cond.wait_for(lambda: pred(self.events), timeout)

    def close(self) -> None:
        self._client.close()


def _signal(api_url: str, token: str, device: str, kind: str, n: int) -> dict[str, object]:
    r = httpx.post(f"{api_url}/api/gateway/signals", headers={"Authorization": f"Bearer {token}"},
                   json={"key": f"{device}:1:{n}/{kind}", "device": device, "kind": kind,
                         "priority": 1, "condition": "active",
                         "observed_at": datetime.now(UTC).isoformat()}, timeout=30)
    assert r.status_code == 200, r.text
    return dict(r.json()["alert"])


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Stack, str]]:
    """Two control-room processes on one PostgreSQL database, started at the same moment
    (they take turns to migrate and sync the accounts)."""
    url = postgres.fresh_postgres_url("replicas")
    a = Stack(tmp_path_factory.mktemp("replica-a"), db_url=url)
    b = Stack(tmp_path_factory.mktemp("replica-b"), db_url=url)
    try:
        ca = a.group.start("controlroom", ["-m", "controlroom"])
        cb = b.group.start("controlroom", ["-m", "controlroom"])
        a.group.wait_http(f"{a.api_url}/api/health", ca, timeout=90)
        b.group.wait_http(f"{b.api_url}/api/health", cb, timeout=90)
        yield a, b, url
    finally:
        a.group.stop_all()
        b.group.stop_all()
        postgres.drop(url)


def test_an_operator_on_one_replica_sees_within_a_second_an_alert_delivered_to_the_other(
        replicas: tuple[Stack, Stack, str]) -> None:
    a, b, _ = replicas
    stream = Stream(a.api_url, a.token("operator", "operator123"))
    gw = b.token("gateway", "gateway123")
    try:
        sent = time.monotonic()  # the gateway posts the signal to B
        alert = _signal(b.api_url, gw, BUTTONS[0], "panic", 1)
        assert stream.wait(lambda es: any(e[1]["id"] == alert["id"] for e in es), 5), \
            "replica A never showed the alert delivered to replica B"
        _, seen, at = next(e for e in stream.events if e[1]["id"] == alert["id"])
        assert (seen["device"], seen["kind"], seen["state"]) == (BUTTONS[0], "panic", "open")
        assert at - sent < 1.0, f"seen on replica A {at - sent:.3f} s after delivery to B"
    finally:
        stream.close()


def test_alerts_taken_by_both_replicas_at_once_reach_both_streams_in_order_and_all(
        replicas: tuple[Stack, Stack, str]) -> None:
    a, b, url = replicas
    streams = [Stream(r.api_url, r.token("operator", "operator123")) for r in (a, b)]
    gw = {r.api_url: r.token("gateway", "gateway123") for r in (a, b)}
    # Buttons and gas alarms of one building, so the building's incident is raised and linked
    # while both replicas write: alerts, history and the incident interleave.
    work = [(r.api_url, dev, kind, 2)
            for i, (dev, kind) in enumerate([(d, "panic") for d in BUTTONS[1:21]]
                                            + [(d, "gas_alarm") for d in GAS_B1[:10]])
            for r in ([a, b][i % 2],)]
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda w: _signal(w[0], gw[w[0]], w[1], w[2], w[3]), work))
        engine = make_engine(url)
        with engine.connect() as conn:
            want = list(conn.scalars(select(AlertHistory.id).order_by(AlertHistory.id)))
        engine.dispose()
        for s in streams:
            assert s.wait(lambda es: {e[0] for e in es} >= set(want[-len(work):]), 20)
            ids = [e[0] for e in s.events]
            assert ids == sorted(set(ids)), "event ids must rise on a stream"
            first = next(i for i, h in enumerate(want) if h == ids[0])
            assert ids == want[first:], "a stream missed or reordered an event"
    finally:
        for s in streams:
            s.close()


def test_a_console_resuming_on_the_other_replica_gets_what_it_missed(
        replicas: tuple[Stack, Stack, str]) -> None:
    a, b, _ = replicas
    gw = a.token("gateway", "gateway123")
    first = Stream(a.api_url, a.token("operator", "operator123"))
    alert = _signal(a.api_url, gw, BUTTONS[30], "panic", 3)
    assert first.wait(lambda es: any(e[1]["id"] == alert["id"] for e in es), 10)
    last_seen = first.events[-1][0]
    first.close()
    missed = [_signal(a.api_url, gw, dev, "panic", 3)["id"] for dev in BUTTONS[31:34]]
    resumed = Stream(b.api_url, b.token("operator", "operator123"), last_event_id=last_seen)
    try:
        assert resumed.wait(lambda es: {e[1]["id"] for e in es} >= set(missed), 10)
        assert all(e[0] > last_seen for e in resumed.events)
        assert [e[1]["id"] for e in resumed.events][:3] == missed
    finally:
        resumed.close()


# -- background work on two replicas -------------------------------------------------------------


@dataclass
class Replica:
    engine: Engine
    alerts: AlertService
    test_mode: TestModeService


def _replica(url: str, clock: Clock, notifier: RecordingNotifier) -> Replica:
    """What a control-room process runs its sweeps with: its own engine on the shared
    database, with the PostgreSQL stream hooks installed as the app does."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    fanout.install(engine, sessions, alert_json)
    test_mode = TestModeService(sessions, SITE, clock)
    alerts = AlertService(sessions, RecordingBroadcaster(), SITE, test_mode, now=clock,
                          notifier=notifier)
    return Replica(engine, alerts, test_mode)


def _at_once(*calls) -> list[object]:  # type: ignore[no-untyped-def]
    """Run the calls in threads released together."""
    start = threading.Barrier(len(calls))

    def run(call):  # type: ignore[no-untyped-def]
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_replicas_escalate_an_unacknowledged_alarm_once(shared_db: str) -> None:
    clock, notifier = Clock(T0), RecordingNotifier()
    one, two = _replica(shared_db, clock, notifier), _replica(shared_db, clock, notifier)
    try:
        ids = [one.alerts.apply_signal(SignalIn(
            key=f"{dev}:1:1/panic", device=dev, kind="panic", priority=1, condition="active",
            observed_at=T0)).alert.id for dev in BUTTONS[:12]]  # type: ignore[union-attr]
        for after in ESCALATE_AFTER:  # level 1 at 30 s, level 2 at 60 s
            at = T0 + after + timedelta(seconds=1)
            for _ in range(3):  # each sweep, several times over, on both replicas at once
                _at_once(lambda at=at: one.alerts.escalate_due(at),
                         lambda at=at: two.alerts.escalate_due(at))
        with one.engine.connect() as conn:
            escalations = dict(conn.execute(
                select(AlertHistory.alert_id, func.count()).where(
                    AlertHistory.action == "escalated").group_by(AlertHistory.alert_id)).all())
            levels = set(conn.scalars(select(Alert.escalation).where(Alert.id.in_(ids))))
            audits = conn.scalar(select(func.count()).where(AuditEntry.action == "alert.escalate"))
        assert escalations == {i: 2 for i in ids}  # two levels each, never twice a level
        assert levels == {2}
        assert audits == 2 * len(ids)
        # The supervisor is told once per level, the manager at the second (§10).
        assert len(notifier.sent) == 3 * len(ids)
    finally:
        one.engine.dispose()
        two.engine.dispose()


def test_two_replicas_return_a_test_window_to_service_once(shared_db: str) -> None:
    clock, notifier = Clock(T0), RecordingNotifier()
    one, two = _replica(shared_db, clock, notifier), _replica(shared_db, clock, notifier)
    try:
        windows = [one.test_mode.start("device", dev, 5, "battery swap", "maintenance").id
                   for dev in BUTTONS[:6]]
        for dev in BUTTONS[:6]:  # each button reports while on test: an open test alert
            one.alerts.apply_signal(SignalIn(key=f"{dev}:1:1/panic", device=dev, kind="panic",
                                             priority=1, condition="active", observed_at=T0))
        clock.advance(minutes=6)
        closed = _at_once(one.test_mode.expire, two.test_mode.expire,
                          one.test_mode.expire, two.test_mode.expire)
        changed = [a for batch in closed for a in batch]  # type: ignore[attr-defined]
        assert sorted(a.device for a in changed if a.test) == BUTTONS[:6]
        # Still pressed when their windows ran out: each handed over as one real alert, once.
        assert sorted(a.device for a in changed if not a.test) == BUTTONS[:6]
        with one.engine.connect() as conn:
            ends = conn.scalar(select(func.count()).where(AuditEntry.action == "test_mode.end"))
            resolved = conn.scalar(select(func.count()).where(
                AlertHistory.action == "resolved",
                AlertHistory.note.like("test window ended%")))
            still_open = conn.scalars(select(Alert.device).where(Alert.state != "resolved",
                                                                 Alert.test.is_(False))).all()
        assert (ends, resolved, sorted(still_open)) == (len(windows), 6, BUTTONS[:6])
    finally:
        one.engine.dispose()
        two.engine.dispose()


def test_one_signal_delivered_to_both_replicas_at_once_makes_one_alert(shared_db: str) -> None:
    clock, notifier = Clock(T0), RecordingNotifier()
    one, two = _replica(shared_db, clock, notifier), _replica(shared_db, clock, notifier)
    try:
        for n, dev in enumerate(BUTTONS[:10]):
            sig = SignalIn(key=f"{dev}:1:{n}/panic", device=dev, kind="panic", priority=1,
                           condition="active", observed_at=T0)
            a, b = _at_once(lambda s=sig: one.alerts.apply_signal(s),
                            lambda s=sig: two.alerts.apply_signal(s))
            assert a.alert.id == b.alert.id  # type: ignore[union-attr]
            assert sorted([a.duplicate, b.duplicate]) == [False, True]  # type: ignore[union-attr]
        with one.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Alert)) == 10
    finally:
        one.engine.dispose()
        two.engine.dispose()
