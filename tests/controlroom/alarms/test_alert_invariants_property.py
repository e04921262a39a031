"""Property test of the alert engine (AlertService on an in-memory SQLite): whatever the
sequence of device signals, redeliveries, restores and operator actions, there is at most one
open alert per device and kind, and a restore never resolves a latched (priority 1-2) alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import create_engine, select
from sqlalchemy.pool import StaticPool

import controlroom.tables  # noqa: F401  (every domain's tables on Base.metadata)
from config import load_site
from controlroom.alarms.models import Alert
from controlroom.alarms.rules import TransitionError
from controlroom.alarms.schemas import SignalIn
from controlroom.alarms.service import AlertService
from controlroom.alarms.stream import Broadcaster
from controlroom.alarms.test_mode import TestModeService
from controlroom.core.db import Base, make_sessionmaker
from gateway.classify import PRIORITY

SITE = load_site()
# Three flats of one building (gas alarms there correlate into an incident) and a button.
DEVICES = ["gas-1-1-0101", "gas-1-1-0102", "gas-1-1-0103", "btn-1-1-0101"]
KINDS = ["gas_alarm", "gas_prealarm", "device_offline", "tamper", "battery_low", "panic"]


class AlertEngine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = create_engine("sqlite://", poolclass=StaticPool,
                                    connect_args={"check_same_thread": False})
        Base.metadata.create_all(self.engine)
        sessions = make_sessionmaker(self.engine)
        self.at = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
        self.sessions = sessions
        self.alerts = AlertService(sessions, Broadcaster(), SITE,
                                   TestModeService(sessions, SITE, lambda: self.at),
                                   now=lambda: self.at)
        self.sent: list[SignalIn] = []

    def _rows(self) -> list[Alert]:
        with self.sessions() as s:
            return list(s.scalars(select(Alert)))

    def _open(self, device: str, kind: str, test: bool) -> Alert | None:
        return next((a for a in self._rows() if a.device == device and a.kind == kind
                     and a.test == test and a.state != "resolved"), None)

    @rule(device=st.sampled_from(DEVICES), kind=st.sampled_from(KINDS),
          condition=st.sampled_from(["active", "restored"]), test=st.booleans())
    def signal(self, device: str, kind: str, condition: str, test: bool) -> None:
        sig = SignalIn(key=f"{device}:1:{len(self.sent)}/{kind}", device=device, kind=kind,
                       priority=PRIORITY[kind], condition=condition,  # type: ignore[arg-type]
                       observed_at=self.at, test=test)
        before = self._open(device, kind, test)
        self.alerts.apply_signal(sig)
        self.sent.append(sig)
        if condition == "restored" and before is not None and before.priority <= 2 and not test:
            after = next(a for a in self._rows() if a.id == before.id)
            assert after.state != "resolved", "a restore resolved a latched alert"

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def redeliver(self, data: st.DataObject) -> None:
        """The same signal again (a gateway replica redelivered it): nothing changes."""
        sig = data.draw(st.sampled_from(self.sent))
        before = [(a.id, a.state, a.condition, a.occurrences) for a in self._rows()]
        applied = self.alerts.apply_signal(sig)
        assert applied.duplicate
        assert [(a.id, a.state, a.condition, a.occurrences) for a in self._rows()] == before

    @rule(data=st.data(), action=st.sampled_from(["ack", "dispatch", "resolve"]))
    def operator(self, data: st.DataObject, action: str) -> None:
        rows = self._rows()
        if not rows:
            return
        alert = data.draw(st.sampled_from(rows))
        try:
            self.alerts.act(alert.id, action, "operator", cause="real")
        except TransitionError:
            assert alert.state == "resolved" or (action == "ack" and alert.state != "open")

    @rule(minutes=st.integers(min_value=0, max_value=30))
    def time_passes(self, minutes: int) -> None:
        self.at += timedelta(minutes=minutes)
        self.alerts.escalate_due(self.at)

    @invariant()
    def engine_rules_hold(self) -> None:
        rows = self._rows()
        # At most one open alert per device and kind (per building for an incident) ...
        open_ = [(a.device, a.building if a.device is None else "", a.kind, a.test)
                 for a in rows if a.state != "resolved"]
        assert len(open_) == len(set(open_)), open_
        for a in rows:
            # ... which alone holds the open key ...
            assert (a.open_key is None) == (a.state == "resolved"), (a.id, a.state, a.open_key)
            # ... and a latched alert is closed by a person, never by a restore.
            if a.state == "resolved" and a.priority <= 2 and not a.test:
                assert a.resolved_by != "system", (a.id, a.kind)

    def teardown(self) -> None:
        self.engine.dispose()


# Each step is a few database transactions: a third of the profile's examples keeps this test
# near 10 s on a loaded machine; HYPOTHESIS_PROFILE=thorough scales it up with the rest.
AlertEngine.TestCase.settings = settings(
    settings(), max_examples=max(10, settings().max_examples // 3), stateful_step_count=20)
test_alert_engine_invariants = AlertEngine.TestCase
