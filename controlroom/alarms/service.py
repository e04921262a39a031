"""Alert service: applies gateway signals (intake.py) and operator actions, records history
and audit, and announces every change on the broadcaster after it is committed."""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from config import Site
from controlroom.alarms.batch import BatchIntake
from controlroom.alarms.escalation import (
    ESCALATE_AFTER,
    ESCALATION_ROLE,
    ESCALATION_ROLES,
    escalation_due,
)
from controlroom.alarms.group_actions import GroupActions
from controlroom.alarms.intake import alert_json
from controlroom.alarms.models import Alert, AlertHistory
from controlroom.alarms.offline_summary import summarize_offline
from controlroom.alarms.rules import (
    TransitionError,
    next_state,
)
from controlroom.alarms.schemas import AlertPublic
from controlroom.alarms.stream import Broadcaster, Message
from controlroom.alarms.test_mode import TestModeService
from controlroom.core import errors
from controlroom.core.clock import utcnow
from controlroom.core.models import AuditEntry
from controlroom.core.notify import LogNotifier, Notifier, notify_safely


class NotFound(errors.NotFound):
    """No such alert (the alarm API's errors carry no `code`)."""


class AlertService(BatchIntake, GroupActions):
    def __init__(self, sessions: sessionmaker, broadcaster: Broadcaster, site: Site,
                 test_mode: TestModeService, now: Callable[[], datetime] = utcnow,
                 notifier: Notifier | None = None) -> None:
        self.test_mode = test_mode
        self.sessions = sessions
        self.broadcaster = broadcaster
        self.site = site
        self.now = now
        self.notifier: Notifier = notifier or LogNotifier()

    # -- reading -------------------------------------------------------------------------

    def list(self, *, state: str = "open", priority: int | None = None,
             building: str | None = None, unit: str | None = None, kind: str | None = None,
             test: bool | None = None, condition: str | None = None, limit: int = 500,
             offset: int = 0) -> tuple[Sequence[Alert], int]:
        q = _board_query(select(Alert), state, priority, building, unit, kind, test, condition)
        with self.sessions() as s:
            rows = s.scalars(q.limit(limit).offset(offset)).all()
            total = offset + len(rows) if len(rows) < limit else s.scalar(
                select(func.count()).select_from(q.order_by(None).subquery()))
            return rows, int(total or 0)

    def board(self, *, state: str = "open", priority: int | None = None,
              building: str | None = None, unit: str | None = None, kind: str | None = None,
              test: bool | None = None, condition: str | None = None, limit: int = 500,
              offset: int = 0) -> str:
        """`list` as the API answers it (`AlertsPublic` JSON): the columns the JSON needs,
        read as plain rows and written out directly (no ORM object and no validation per
        alert: the board with a thousand open alerts stays fast)."""
        names = list(AlertPublic.model_fields)
        q = _board_query(select(*(Alert.__table__.c[n] for n in names)), state, priority,
                         building, unit, kind, test, condition)
        with self.sessions() as s:
            rows = s.execute(q.limit(limit).offset(offset)).all()
            total = offset + len(rows) if len(rows) < limit else s.scalar(
                select(func.count()).select_from(q.order_by(None).subquery()))
        return board_json(names, rows, int(total or 0))

    def get(self, alert_id: int) -> Alert:
        with self.sessions() as s:
            alert = s.get(Alert, alert_id, options=[selectinload(Alert.history)])
            if alert is None:
                raise NotFound(f"no alert {alert_id}")
            return alert

    def changes_since(self, last_id: int, limit: int = 1000) -> builtins.list[Message]:
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

    def raised_times(self, since: datetime) -> builtins.list[datetime]:
        """When each alert (test events excluded) raised after `since` was raised."""
        with self.sessions() as s:
            return list(s.scalars(select(Alert.raised_at).where(Alert.test.is_(False),
                                                                Alert.raised_at > since)))


    # -- escalation ----------------------------------------------------------------------------

    def escalate_due(self, now: datetime) -> builtins.list[Alert]:
        """Escalate every priority-1 alert left unacknowledged past a threshold (§6): mark it,
        record and audit it, announce it and notify the supervisors. Run every second."""
        done: list[tuple[AlertHistory, Alert, int, int]] = []
        with self.sessions() as s:
            due = s.scalars(
                select(Alert).where(
                    Alert.priority == 1, Alert.test.is_(False), Alert.state == "open",
                    Alert.acknowledged_at.is_(None), Alert.escalation < len(ESCALATE_AFTER),
                    Alert.raised_at <= now - ESCALATE_AFTER[0],
                ).order_by(Alert.raised_at, Alert.id)
            ).all()
            for alert in due:
                level = escalation_due(
                    priority=alert.priority, test=alert.test,
                    acknowledged=alert.acknowledged_at is not None or alert.state != "open",
                    resolved=alert.state == "resolved", raised_at=alert.raised_at,
                    escalation=alert.escalation, now=now)
                if level is None:
                    continue
                # Compare and set: an operator acknowledging it, or another replica's sweep,
                # between the read above and this write makes it match no row, on SQLite
                # (whose reads run outside the write transaction) as on PostgreSQL.
                won = s.execute(
                    update(Alert).where(
                        Alert.id == alert.id, Alert.escalation == alert.escalation,
                        Alert.state == "open", Alert.acknowledged_at.is_(None),
                    ).values(escalation=level, updated_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not won:
                    continue
                s.refresh(alert)
                waited = int((now - alert.raised_at).total_seconds())
                note = f"level {level}: not acknowledged {waited} s after it was raised"
                hist = self._history(s, alert, "system", "escalated", note)
                s.add(AuditEntry(at=now, actor="system", action="alert.escalate",
                                 target=f"alert:{alert.id}", detail=note))
                # In this transaction: the escalation and its messages commit together.
                self._notify_escalation(s, alert, level, waited)
                done.append((hist, alert, level, waited))
            s.commit()
        for hist, alert, _, _ in done:
            self._announce(hist, alert)
        return [alert for _, alert, _, _ in done]

    def _notify_escalation(self, s: Session, alert: Alert, level: int, waited: int) -> None:
        where = alert.unit or f"building {alert.building or '-'}"
        subject = f"Escalation {level}: {alert.kind} at {where} (alert {alert.id})"
        body = (f"Priority {alert.priority} {alert.kind} at {where} raised "
                f"{alert.raised_at.isoformat()} is not acknowledged after {waited} s.")
        for role in ESCALATION_ROLES.get(level, (ESCALATION_ROLE,)):
            notify_safely(self.notifier, role, subject, body, f"alert:{alert.id}",
                          kind="escalation", urgent=True, session=s)

    def summarize_offline(self, now: datetime) -> int:
        """One message to maintenance for the devices gone silent since the last summary."""
        return summarize_offline(self.sessions, self.notifier, now)

    # -- gateway notes -------------------------------------------------------------------------

    def note(self, device: str, kind: str, note: str, detail: dict[str, Any],
             actor: str = "gateway", audit_actor: str | None = None) -> Alert:
        """Add the gateway's note (e.g. whether the gas valve confirmed closing) to the open
        alert of a device and kind, merging `detail` into the alert's detail."""
        now = self.now()
        with self.sessions() as s:
            alert = s.scalars(
                select(Alert).where(Alert.device == device, Alert.kind == kind,
                                    Alert.state != "resolved")
                # A real alert before a test one; the newest if a panel has several zones.
                .order_by(Alert.test, Alert.id.desc()).limit(1).with_for_update()
            ).first()
            if alert is None:
                raise NotFound(f"no open {kind} alert for device {device}")
            alert.detail = {**alert.detail, **detail}
            alert.updated_at = now
            hist = self._history(s, alert, actor, "note", note)
            s.add(AuditEntry(at=now, actor=audit_actor or actor, action="alert.note",
                             target=f"alert:{alert.id}", detail=note))
            s.commit()
            self._announce(hist, alert)
            return alert

    # -- operator actions --------------------------------------------------------------------

    def act(self, alert_id: int, action: str, actor: str, *, note: str = "",
            to: str | None = None, cause: str | None = None) -> Alert:
        now = self.now()
        with self.sessions() as s:
            alert = s.get(Alert, alert_id, with_for_update=True)
            if alert is None:
                raise NotFound(f"no alert {alert_id}")
            hist = self._transition(s, alert, action, actor, now, note=note, to=to, cause=cause)
            s.commit()
            self._announce(hist, alert)
            return alert

    def _transition(self, s: Session, alert: Alert, action: str, actor: str, now: datetime, *,
                    note: str = "", to: str | None = None, cause: str | None = None
                    ) -> AlertHistory:
        """One operator action on one alert, with its history row and audit entry (in `s`'s
        transaction; TransitionError when the alert's state does not allow it)."""
        alert.state = next_state(alert.state, action)  # type: ignore[arg-type]
        # The operator's first action acknowledges: dispatching, or resolving straight
        # away, stamps the acknowledgement too (docs/decisions.md, "Resolving acknowledges").
        if alert.acknowledged_at is None:
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
        # Resolving does not make a device's condition go away: say so in the record. (A
        # building's incident has no device to restore it: its condition says nothing.)
        still = ("condition still active" if action == "resolve" and alert.device
                 and alert.condition == "active" else "")
        text = " — ".join(p for p in (f"to {to}" if to else "",
                                      f"cause {cause}" if cause else "", still, note) if p)
        hist = self._history(s, alert, actor, label, text)
        s.add(AuditEntry(at=now, actor=actor, action=f"alert.{action}",
                         target=f"alert:{alert.id}", detail=text))
        return hist

    def announce(self, alert_ids: builtins.list[int]) -> None:
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


def _json_value(v: object) -> object:
    if isinstance(v, datetime):
        # As pydantic writes a UTC time: ISO 8601 with "Z".
        return v.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(v).__name__} is not JSON")


def board_json(names: builtins.list[str], rows: Sequence[Any], count: int) -> str:
    """`AlertsPublic` as JSON, from rows of the `names` columns (tests/controlroom/alarms/
    test_board_json.py holds it to pydantic's output)."""
    return json.dumps({"data": [dict(zip(names, r, strict=True)) for r in rows],
                       "count": count}, default=_json_value, ensure_ascii=False,
                      separators=(",", ":"))


def _board_query(q: Select[Any], state: str, priority: int | None, building: str | None,
                 unit: str | None, kind: str | None, test: bool | None,
                 condition: str | None) -> Select[Any]:
    if state == "open":
        q = q.where(Alert.state != "resolved")
    elif state != "all":
        q = q.where(Alert.state == state)
    for col, val in ((Alert.priority, priority), (Alert.building, building),
                     (Alert.unit, unit), (Alert.kind, kind), (Alert.test, test),
                     (Alert.condition, condition)):
        if val is not None:
            q = q.where(col == val)
    # Priority first, then oldest first (§7); resolved alerts sort after open ones.
    return q.order_by(case((Alert.state == "resolved", 1), else_=0), Alert.priority,
                      Alert.raised_at, Alert.id)


__all__ = ["AlertService", "NotFound", "TransitionError"]
