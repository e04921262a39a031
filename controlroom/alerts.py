"""Alert service: applies gateway signals and operator actions, records history and audit,
and announces every change on the broadcaster after it is committed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from config import Device, Site
from controlroom.alert_rules import (
    SignalOutcome,
    TransitionError,
    latches,
    next_state,
    on_signal,
    open_key,
)
from controlroom.broadcaster import Broadcaster, Message
from controlroom.clock import utcnow
from controlroom.models import Alert, AlertHistory, AuditEntry, IngestedSignal, TestReport
from controlroom.schemas import AlertPublic, SignalIn
from controlroom.test_mode import TestModeService


class NotFound(LookupError):
    pass


class UnknownDevice(ValueError):
    pass


@dataclass(frozen=True)
class SignalApplied:
    outcome: SignalOutcome
    duplicate: bool
    alert: Alert | None


def alert_json(alert: Alert) -> str:
    return AlertPublic.model_validate(alert).model_dump_json()


class AlertService:
    def __init__(self, sessions: sessionmaker, broadcaster: Broadcaster, site: Site,
                 test_mode: TestModeService, now: Callable[[], datetime] = utcnow) -> None:
        self.test_mode = test_mode
        self.sessions = sessions
        self.broadcaster = broadcaster
        self.site = site
        self.now = now

    # -- reading -------------------------------------------------------------------------

    def list(self, *, state: str = "open", priority: int | None = None,
             building: str | None = None, unit: str | None = None, kind: str | None = None,
             test: bool | None = None, limit: int = 500) -> tuple[Sequence[Alert], int]:
        q = select(Alert)
        if state == "open":
            q = q.where(Alert.state != "resolved")
        elif state != "all":
            q = q.where(Alert.state == state)
        for col, val in ((Alert.priority, priority), (Alert.building, building),
                         (Alert.unit, unit), (Alert.kind, kind), (Alert.test, test)):
            if val is not None:
                q = q.where(col == val)
        # Priority first, then oldest first (§7); resolved alerts sort after open ones.
        q = q.order_by(case((Alert.state == "resolved", 1), else_=0), Alert.priority,
                       Alert.raised_at, Alert.id)
        with self.sessions() as s:
            rows = s.scalars(q.limit(limit)).all()
            total = len(rows) if len(rows) < limit else s.scalar(
                select(func.count()).select_from(q.order_by(None).subquery()))
            return rows, int(total or 0)

    def get(self, alert_id: int) -> Alert:
        with self.sessions() as s:
            alert = s.get(Alert, alert_id, options=[selectinload(Alert.history)])
            if alert is None:
                raise NotFound(f"no alert {alert_id}")
            return alert

    def changes_since(self, last_id: int, limit: int = 1000) -> list[Message]:
        """History rows after `last_id`, as the SSE messages a reconnecting client missed."""
        with self.sessions() as s:
            rows = s.execute(
                select(AlertHistory.id, Alert)
                .join(Alert, Alert.id == AlertHistory.alert_id)
                .where(AlertHistory.id > last_id)
                .order_by(AlertHistory.id)
                .limit(limit)
            ).all()
            return [Message(hid, "alert", alert_json(a)) for hid, a in rows]

    # -- gateway signals -------------------------------------------------------------------

    def apply_signal(self, sig: SignalIn) -> SignalApplied:
        device = self.site.devices.get(sig.device) or self.site.panels.get(sig.device)
        if device is None:
            raise UnknownDevice(f"device {sig.device!r} is not registered at site {self.site.id}")
        unit = getattr(device, "unit", None)
        now = self.now()
        okey = open_key(self.site.id, sig.device, device.building, sig.kind)
        with self.sessions() as s:
            seen = s.scalar(select(IngestedSignal).where(IngestedSignal.key == sig.key))
            if seen is not None:
                alert = s.get(Alert, seen.alert_id) if seen.alert_id else None
                return SignalApplied(SignalOutcome.IGNORE, True, alert)
            window = (self.test_mode.window_for(s, device, now)
                      if isinstance(device, Device) else None)
            test = sig.test or window is not None
            if test:
                okey = f"test/{okey}"  # a test never merges into a real alert
            if window is not None:
                s.add(TestReport(window_id=window.id, device=sig.device, kind=sig.kind,
                                 condition=sig.condition, at=now))
            alert = s.scalar(select(Alert).where(Alert.open_key == okey))
            outcome = on_signal(alert.condition if alert else None, sig.condition,
                                latches(sig.priority, test))
            detail = {k: v for k, v in sig.detail.items() if v is not None}
            action = ""
            if outcome is SignalOutcome.CREATE:
                alert = Alert(
                    kind=sig.kind, priority=sig.priority, state="open", condition="active",
                    site=self.site.id, building=device.building, unit=unit, device=sig.device,
                    raised_at=now, updated_at=now, occurrences=1, escalation=0, test=test,
                    detail=detail | {"observed_at": sig.observed_at.isoformat()},
                    open_key=okey,
                )
                s.add(alert)
                action = "raised"
            elif alert is not None and outcome in (SignalOutcome.REPEAT, SignalOutcome.REACTIVATE):
                alert.occurrences += 1
                alert.condition = "active"
                alert.updated_at = now
                alert.detail = {**alert.detail, **detail}
                action = "repeated" if outcome is SignalOutcome.REPEAT else "reactivated"
            elif alert is not None and outcome is SignalOutcome.RESTORE:
                alert.condition = "restored"
                alert.updated_at = now
                action = "restored"
            elif alert is not None and outcome is SignalOutcome.RESTORE_AND_RESOLVE:
                if alert.test:
                    alert.cause = "test"
                alert.condition = "restored"
                alert.state = "resolved"
                alert.resolved_at = now
                alert.resolved_by = "system"
                alert.open_key = None
                alert.updated_at = now
                action = "restored_and_resolved"
            s.flush()
            s.add(IngestedSignal(key=sig.key, alert_id=alert.id if alert else None, at=now))
            hist = self._history(s, alert, "gateway", action, "") if action and alert else None
            try:
                s.commit()
            except IntegrityError:
                # A concurrent delivery of the same key (or a racing create) won: re-read.
                s.rollback()
                return self.apply_signal(sig)
            if hist is not None and alert is not None:
                self._announce(hist, alert)
            return SignalApplied(outcome, False, alert)

    # -- operator actions --------------------------------------------------------------------

    def act(self, alert_id: int, action: str, actor: str, *, note: str = "",
            to: str | None = None, cause: str | None = None) -> Alert:
        now = self.now()
        with self.sessions() as s:
            alert = s.get(Alert, alert_id, with_for_update=True)
            if alert is None:
                raise NotFound(f"no alert {alert_id}")
            alert.state = next_state(alert.state, action)  # type: ignore[arg-type]
            if action in ("ack", "dispatch") and alert.acknowledged_at is None:
                alert.acknowledged_at = now
                alert.acknowledged_by = actor
            if action == "dispatch":
                alert.dispatched_at = now
                alert.dispatched_to = to
            if action == "resolve":
                alert.resolved_at = now
                alert.resolved_by = actor
                alert.cause = cause
                alert.open_key = None
            alert.updated_at = now
            label = {"ack": "acknowledged", "dispatch": "dispatched", "resolve": "resolved"}[action]
            text = " — ".join(p for p in (f"to {to}" if to else "",
                                          f"cause {cause}" if cause else "", note) if p)
            hist = self._history(s, alert, actor, label, text)
            s.add(AuditEntry(at=now, actor=actor, action=f"alert.{action}",
                             target=f"alert:{alert.id}", detail=text))
            s.commit()
            self._announce(hist, alert)
            return alert

    def announce(self, alert_ids: list[int]) -> None:
        """Publish the latest change of each alert (after a change made elsewhere)."""
        if not alert_ids:
            return
        with self.sessions() as s:
            latest = s.execute(
                select(func.max(AlertHistory.id), AlertHistory.alert_id)
                .where(AlertHistory.alert_id.in_(alert_ids)).group_by(AlertHistory.alert_id)
            ).all()
            for hid, aid in latest:
                alert = s.get(Alert, aid)
                if alert is not None:
                    self.broadcaster.publish(Message(hid, "alert", alert_json(alert)))

    # -- helpers -------------------------------------------------------------------------------

    def _history(self, s: Session, alert: Alert, actor: str, action: str, note: str
                 ) -> AlertHistory:
        hist = AlertHistory(alert_id=alert.id, at=alert.updated_at, actor=actor, action=action,
                            note=note)
        s.add(hist)
        s.flush()
        return hist

    def _announce(self, hist: AlertHistory, alert: Alert) -> None:
        self.broadcaster.publish(Message(hist.id, "alert", alert_json(alert)))


__all__ = ["AlertService", "NotFound", "SignalApplied", "TransitionError", "UnknownDevice",
           "alert_json"]
