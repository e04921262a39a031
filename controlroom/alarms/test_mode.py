"""Test mode: devices on test report as test events, shown apart, never paged, and feed a
walk-test report of which devices reported and which did not.

The rules (`covers`, `is_active`, `walk_report`) are pure; `TestModeService` keeps the windows.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config import Device, Site
from controlroom.alarms.models import Alert, AlertHistory, TestReport, TestWindow
from controlroom.core import errors
from controlroom.core.clock import utcnow
from controlroom.core.models import AuditEntry

MAX_MINUTES = 8 * 60  # a forgotten test window must not silence a building for days
SCOPES = ("device", "unit", "building")
# Signals the gateway raises *about* a device (its last will, missed heartbeats): they say the
# device is gone, so they never count as the device reporting in a walk test.
SUPERVISION_KINDS = frozenset({"device_offline", "panel_offline"})


class TestModeError(errors.Invalid):
    # scope and minutes are checked by the body's model: what is left is the target.
    def public_detail(self) -> str:
        return (f"target: {self}; give a device id, a unit such as 1-2-1502 or a "
                "building number")


class NoWindow(errors.NotFound):
    """No such test window."""


def covers(scope: str, target: str, device: Device) -> bool:
    return ((scope == "device" and device.id == target)
            or (scope == "unit" and device.unit == target)
            or (scope == "building" and device.building == target))


def handover_key(test_open_key: str | None) -> str | None:
    """The real alert's open key for a test alert's (`test/<key>`, alerts.py)."""
    if test_open_key is None or not test_open_key.startswith("test/"):
        return None
    return test_open_key.removeprefix("test/")


def is_active(window: TestWindow, now: datetime) -> bool:
    return window.ended_at is None and window.ends_at > now


@dataclass(frozen=True)
class DeviceResult:
    device: str
    unit: str
    kind: str
    reported: bool
    first_at: datetime | None
    signals: tuple[str, ...]


def walk_report(devices: Sequence[Device], reports: Sequence[TestReport]) -> list[DeviceResult]:
    """Every device in scope, whether it reported during the window, and what.

    Only the device's own signals (a press, a reset, a gas reading...) count as reporting; a
    supervision signal (`device_offline`: its last will or its silence) is listed among its
    signals but says the opposite.
    """
    by_device: dict[str, list[TestReport]] = {}
    for r in sorted(reports, key=lambda r: r.at):
        by_device.setdefault(r.device, []).append(r)
    out = []
    for d in sorted(devices, key=lambda d: (d.unit, d.id)):
        rs = by_device.get(d.id, [])
        own = [r for r in rs if r.kind not in SUPERVISION_KINDS]
        out.append(DeviceResult(d.id, d.unit, d.kind, bool(own), own[0].at if own else None,
                                tuple(f"{r.kind}/{r.condition}" for r in rs)))
    return out


class TestModeService:
    __test__ = False

    def __init__(self, sessions: sessionmaker, site: Site,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.now = now

    def devices_in(self, scope: str, target: str) -> list[Device]:
        return [d for d in self.site.devices.values() if covers(scope, target, d)]

    def start(self, scope: str, target: str, minutes: int, reason: str, actor: str
              ) -> TestWindow:
        if scope not in SCOPES:
            raise TestModeError(f"scope must be one of {', '.join(SCOPES)}")
        if not 1 <= minutes <= MAX_MINUTES:
            raise TestModeError(f"minutes must be between 1 and {MAX_MINUTES}")
        if not self.devices_in(scope, target):
            raise TestModeError(f"no {scope} {target!r} with devices at site {self.site.id}")
        now = self.now()
        with self.sessions() as s:
            w = TestWindow(scope=scope, target=target, reason=reason, started_by=actor,
                           started_at=now, ends_at=now + timedelta(minutes=minutes))
            s.add(w)
            s.flush()
            s.add(AuditEntry(at=now, actor=actor, action="test_mode.start",
                             target=f"{scope}:{target}", detail=f"{minutes} min: {reason}"))
            s.commit()
            return w

    def get(self, window_id: int) -> TestWindow:
        with self.sessions() as s:
            w = s.get(TestWindow, window_id)
            if w is None:
                raise NoWindow(f"no test window {window_id}")
            return w

    def list(self, active_only: bool) -> Sequence[TestWindow]:
        with self.sessions() as s:
            rows = s.scalars(select(TestWindow).order_by(TestWindow.id.desc()).limit(200)).all()
        now = self.now()
        return [w for w in rows if is_active(w, now)] if active_only else rows

    def window_for(self, s: Session, device: Device, now: datetime) -> TestWindow | None:
        """The active window covering a device, if any (called inside the ingest session)."""
        open_windows = s.scalars(select(TestWindow).where(TestWindow.ended_at.is_(None),
                                                          TestWindow.ends_at > now)).all()
        return next((w for w in open_windows if covers(w.scope, w.target, device)), None)

    def end(self, window_id: int, actor: str) -> tuple[TestWindow, builtins.list[Alert]]:
        """End a window now; its test alerts still open are resolved with cause `test`."""
        now = self.now()
        with self.sessions() as s:
            # Locked, so an operator ending it and a replica's sweep expiring it close it once.
            w = s.get(TestWindow, window_id, with_for_update=True)
            if w is None:
                raise NoWindow(f"no test window {window_id}")
            closed = self._close(s, w, now, actor)
            s.commit()
            return w, closed

    def expire(self) -> builtins.list[Alert]:
        """Return every window past its end to service (run periodically)."""
        now = self.now()
        closed: list[Alert] = []
        with self.sessions() as s:
            # SKIP LOCKED: with several replicas sweeping, a window another one is closing is
            # left to it (PostgreSQL; SQLite has one writer and no row locks).
            due = s.scalars(select(TestWindow).where(TestWindow.ended_at.is_(None),
                                                     TestWindow.ends_at <= now)
                            .with_for_update(skip_locked=True)).all()
            for w in due:
                closed += self._close(s, w, now, "system")
            s.commit()
        return closed

    def _close(self, s: Session, w: TestWindow, now: datetime, actor: str) -> builtins.list[Alert]:
        """End the window: resolve its open test alerts (cause `test`), and raise a real
        alert for each whose condition is still active (a button still offline, a detector
        still in alarm), so the end of a test never hides a fault. Returns every alert
        changed or raised, to be announced."""
        if w.ended_at is not None:
            return []
        w.ended_at = now
        # A device also covered by another window still running stays on test until that one
        # ends (its test alerts are closed, or handed over, then).
        others = s.scalars(select(TestWindow).where(
            TestWindow.ended_at.is_(None), TestWindow.ends_at > now, TestWindow.id != w.id)).all()
        ids = {d.id for d in self.devices_in(w.scope, w.target)
               if not any(covers(o.scope, o.target, d) for o in others)}
        alerts = s.scalars(select(Alert).where(Alert.test.is_(True),
                                               Alert.state != "resolved")).all()
        closed = [a for a in alerts if a.device in ids]
        changed = list(closed)
        for a in closed:
            key = handover_key(a.open_key)
            a.state, a.cause, a.resolved_at, a.resolved_by = "resolved", "test", now, actor
            a.open_key, a.updated_at = None, now
            real = (self._hand_over(s, w, a, key, now)
                    if a.condition == "active" and key is not None else None)
            note = "test window ended"
            if real is not None:
                note += f"; still active: raised as real alert {real.id}"
                changed.append(real)
            s.add(AlertHistory(alert_id=a.id, at=now, actor=actor, action="resolved",
                               note=note))
        s.add(AuditEntry(at=now, actor=actor, action="test_mode.end",
                         target=f"{w.scope}:{w.target}", detail=f"window {w.id}"))
        return changed

    def _hand_over(self, s: Session, w: TestWindow, test_alert: Alert, key: str,
                   now: datetime) -> Alert | None:
        """A real alert (open key `key`) for a test alert still active when its window ends;
        None when the device already has that real alert open."""
        if s.scalar(select(Alert.id).where(Alert.open_key == key)) is not None:
            return None
        a = test_alert
        real = Alert(kind=a.kind, priority=a.priority, state="open", condition="active",
                     site=a.site, building=a.building, unit=a.unit, device=a.device,
                     raised_at=now, updated_at=now, occurrences=1, escalation=0, test=False,
                     detail={**a.detail, "from_test_alert": a.id}, open_key=key)
        try:
            # A savepoint: a signal of the device's own, arriving as the window expires, may
            # have raised this real alert on another replica first; then that one stands.
            with s.begin_nested():
                s.add(real)
        except IntegrityError:
            return None
        note = f"still active when test window {w.id} ended (test alert {a.id})"
        s.add(AlertHistory(alert_id=real.id, at=now, actor="system", action="raised",
                           note=note))
        s.add(AuditEntry(at=now, actor="system", action="alert.raise",
                         target=f"alert:{real.id}", detail=note))
        return real

    def report(self, window_id: int) -> tuple[TestWindow, builtins.list[DeviceResult]]:
        with self.sessions() as s:
            w = s.get(TestWindow, window_id)
            if w is None:
                raise NoWindow(f"no test window {window_id}")
            reports = s.scalars(select(TestReport).where(TestReport.window_id == w.id)).all()
        return w, walk_report(self.devices_in(w.scope, w.target), reports)
