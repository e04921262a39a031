"""Test mode: devices on test report as test events, shown apart, never paged, and feed a
walk-test report of which devices reported and which did not.

The rules (`covers`, `is_active`, `walk_report`) are pure; `TestModeService` keeps the windows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Device, Site
from controlroom.clock import utcnow
from controlroom.models import Alert, AlertHistory, AuditEntry, TestReport, TestWindow

MAX_MINUTES = 8 * 60  # a forgotten test window must not silence a building for days
SCOPES = ("device", "unit", "building")


class TestModeError(ValueError):
    pass


def covers(scope: str, target: str, device: Device) -> bool:
    return ((scope == "device" and device.id == target)
            or (scope == "unit" and device.unit == target)
            or (scope == "building" and device.building == target))


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
    """Every device in scope, whether it reported during the window, and what."""
    by_device: dict[str, list[TestReport]] = {}
    for r in sorted(reports, key=lambda r: r.at):
        by_device.setdefault(r.device, []).append(r)
    out = []
    for d in sorted(devices, key=lambda d: (d.unit, d.id)):
        rs = by_device.get(d.id, [])
        out.append(DeviceResult(d.id, d.unit, d.kind, bool(rs), rs[0].at if rs else None,
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
                raise LookupError(f"no test window {window_id}")
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

    def end(self, window_id: int, actor: str) -> tuple[TestWindow, list[Alert]]:
        """End a window now; its test alerts still open are resolved with cause `test`."""
        now = self.now()
        with self.sessions() as s:
            # Locked, so an operator ending it and a replica's sweep expiring it close it once.
            w = s.get(TestWindow, window_id, with_for_update=True)
            if w is None:
                raise LookupError(f"no test window {window_id}")
            closed = self._close(s, w, now, actor)
            s.commit()
            return w, closed

    def expire(self) -> list[Alert]:
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

    def _close(self, s: Session, w: TestWindow, now: datetime, actor: str) -> list[Alert]:
        if w.ended_at is not None:
            return []
        w.ended_at = now
        ids = {d.id for d in self.devices_in(w.scope, w.target)}
        alerts = s.scalars(select(Alert).where(Alert.test.is_(True),
                                               Alert.state != "resolved")).all()
        closed = [a for a in alerts if a.device in ids]
        for a in closed:
            a.state, a.cause, a.resolved_at, a.resolved_by = "resolved", "test", now, actor
            a.open_key, a.updated_at = None, now
            s.add(AlertHistory(alert_id=a.id, at=now, actor=actor, action="resolved",
                               note="test window ended"))
        s.add(AuditEntry(at=now, actor=actor, action="test_mode.end",
                         target=f"{w.scope}:{w.target}", detail=f"window {w.id}"))
        return closed

    def report(self, window_id: int) -> tuple[TestWindow, list[DeviceResult]]:
        with self.sessions() as s:
            w = s.get(TestWindow, window_id)
            if w is None:
                raise LookupError(f"no test window {window_id}")
            reports = s.scalars(select(TestReport).where(TestReport.window_id == w.id)).all()
        return w, walk_report(self.devices_in(w.scope, w.target), reports)
