"""Alert service: applies gateway signals and operator actions, records history and audit,
and announces every change on the broadcaster after it is committed."""

from __future__ import annotations

import builtins
import logging
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from config import Device, Panel, Site
from controlroom.alarms.correlation import (
    INCIDENT_KIND,
    INCIDENT_PRIORITY,
    INCIDENT_REASON,
    INCIDENT_TRIGGER_KIND,
    correlated_units,
    in_window,
    incident_due,
)
from controlroom.alarms.escalation import ESCALATE_AFTER, ESCALATION_ROLE, escalation_due
from controlroom.alarms.flapping import FLAP_WINDOW, is_flapping
from controlroom.alarms.models import Alert, AlertHistory, IngestedSignal, TestReport
from controlroom.alarms.rules import (
    SignalOutcome,
    TransitionError,
    latches,
    next_state,
    on_signal,
    open_key,
)
from controlroom.alarms.schemas import AlertPublic, SignalIn
from controlroom.alarms.stream import Broadcaster, Message
from controlroom.alarms.test_mode import TestModeService
from controlroom.core import errors
from controlroom.core.clock import utcnow
from controlroom.core.models import AuditEntry
from controlroom.core.notify import LogNotifier, Notifier

log = logging.getLogger(__name__)


class NotFound(errors.NotFound):
    """No such alert (the alarm API's errors carry no `code`)."""


class UnknownDevice(errors.Invalid):
    def __init__(self, message: str, field: str = "device") -> None:
        super().__init__(message)
        self.field = field  # the signal's field that names what is not registered

    def public_detail(self) -> str:
        return f"{self.field}: {self}; register it in the site file first"


@dataclass(frozen=True)
class SignalApplied:
    outcome: SignalOutcome
    duplicate: bool
    alert: Alert | None


def alert_json(alert: Alert) -> str:
    return AlertPublic.model_validate(alert).model_dump_json()


class AlertService:
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
        q = select(Alert)
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
        q = q.order_by(case((Alert.state == "resolved", 1), else_=0), Alert.priority,
                       Alert.raised_at, Alert.id)
        with self.sessions() as s:
            rows = s.scalars(q.limit(limit).offset(offset)).all()
            total = offset + len(rows) if len(rows) < limit else s.scalar(
                select(func.count()).select_from(q.order_by(None).subquery()))
            return rows, int(total or 0)

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

    # -- gateway signals -------------------------------------------------------------------

    def apply_signal(self, sig: SignalIn) -> SignalApplied:
        try:
            return self._apply_signal(sig)
        except IntegrityError:
            # Raced at a flush, not at the commit (PostgreSQL reports a duplicate key when a
            # concurrent delivery, e.g. on another replica, inserts it first): once more,
            # and find what the other one made.
            return self._apply_signal(sig)

    def _apply_signal(self, sig: SignalIn) -> SignalApplied:
        device = self.site.devices.get(sig.device) or self.site.panels.get(sig.device)
        if device is None:
            raise UnknownDevice(f"{sig.device!r} is not registered at site {self.site.id}")
        unit = getattr(device, "unit", None)
        source = sig.device
        if isinstance(device, Panel) and sig.zone is not None:
            unit = device.zones.get(sig.zone)
            if unit is None:
                raise UnknownDevice(f"panel {sig.device!r} has no zone {sig.zone}", "zone")
            source = f"{sig.device}:{sig.zone}"  # one open alert per zone, not per panel
        now = self.now()
        okey = open_key(self.site.id, source, device.building, sig.kind)
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
            # A flapping alert is held open like a latching one: its restores only count.
            flapping = alert is not None and bool(alert.detail.get("flapping"))
            outcome = on_signal(alert.condition if alert else None, sig.condition,
                                latches(sig.priority, test) or flapping)
            detail = {k: v for k, v in sig.detail.items() if v is not None}
            action = note = ""
            audit = ""
            if outcome is SignalOutcome.CREATE:
                alert = Alert(
                    kind=sig.kind, priority=sig.priority, state="open", condition="active",
                    site=self.site.id, building=device.building, unit=unit, device=sig.device,
                    raised_at=now, updated_at=now, occurrences=1, escalation=0, test=test,
                    detail=detail | {"observed_at": sig.observed_at.isoformat()}
                    | ({"zone": sig.zone} if sig.zone else {}),
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
            elif (alert is not None and outcome is SignalOutcome.RESTORE_AND_RESOLVE
                  and (earlier := self._flap_history(s, alert, now)) is not None):
                # The device has chattered: keep this alert open, folding the earlier toggles
                # (each closed its own alert) into its count, until an operator resolves it.
                outcome = SignalOutcome.RESTORE
                alert.condition = "restored"
                alert.updated_at = now
                alert.occurrences += len(earlier)
                alert.detail = {**alert.detail, "flapping": True,
                                "flapped_alerts": [a.id for a in earlier]}
                action = "flapping"
                note = (f"toggled {len(earlier) + 1} times within "
                        f"{int(FLAP_WINDOW.total_seconds() // 60)} min: kept open, further "
                        f"toggles only count")
                audit = "alert.flapping"
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
            try:
                s.flush()
            except IntegrityError:
                # Another delivery created this device's open alert between our read and our
                # insert (two gateway replicas reporting one device): the database's unique
                # open key refuses the second, and SQLite and PostgreSQL both say so here, at
                # the insert, not at commit. Start again and find what it made.
                s.rollback()
                return self.apply_signal(sig)
            late = (self._restore_resolved(s, sig.device, sig.kind, unit, now)
                    if sig.condition == "restored" else [])
            s.add(IngestedSignal(key=sig.key, alert_id=alert.id if alert else None, at=now))
            hist = self._history(s, alert, "gateway", action, note) if action and alert else None
            if audit and alert is not None:
                s.add(AuditEntry(at=now, actor="system", action=audit,
                                 target=f"alert:{alert.id}", detail=note))
            incident = None
            if (outcome is SignalOutcome.CREATE and alert is not None
                    and alert.kind == INCIDENT_TRIGGER_KIND and not alert.test):
                incident = self._correlate(s, alert, now)
            try:
                s.commit()
            except IntegrityError:
                # A concurrent delivery of the same key (or a racing create of the alert or of
                # the building's incident) won: start again, and find what it made.
                s.rollback()
                return self._apply_signal(sig)
            if hist is not None and alert is not None:
                self._announce(hist, alert)
            for pair in late:
                self._announce(*pair)
            if incident is not None:
                self._announce(*incident)
            return SignalApplied(outcome, False, alert)

    def _restore_resolved(self, s: Session, device: str, kind: str, unit: str | None,
                          now: datetime) -> builtins.list[tuple[AlertHistory, Alert]]:
        """Record a restore on this device's alerts of this kind that an operator resolved
        while their condition was still active: they said "still in alarm" until now."""
        rows = s.scalars(select(Alert).where(
            Alert.device == device, Alert.kind == kind, Alert.unit == unit,
            Alert.state == "resolved", Alert.condition == "active")).all()
        out = []
        for a in rows:
            a.condition = "restored"
            a.updated_at = now
            out.append((self._history(s, a, "gateway", "restored", "restored after it was "
                                      "resolved"), a))
        return out

    def _flap_history(self, s: Session, alert: Alert, now: datetime) -> builtins.list[Alert] | None:
        """The earlier alerts of this device and kind that its restore closed within the
        flapping window, if this restore makes it flapping; None otherwise.

        Every earlier toggle (active→restored) of a non-latching alert resolved its own alert
        with `resolved_by = "system"`, so those rows *are* the toggle history: counting them
        needs no counter to keep in step, survives restarts and is the same for every replica.
        Test events never flap (a walk test toggles devices on purpose).
        """
        if alert.test or alert.device is None:
            return None
        earlier = s.scalars(
            select(Alert).where(
                Alert.device == alert.device, Alert.kind == alert.kind,
                Alert.unit == alert.unit,  # a panel's zones are told apart by their flat
                Alert.test.is_(False), Alert.state == "resolved",
                Alert.resolved_by == "system", Alert.resolved_at >= now - FLAP_WINDOW,
                Alert.id != alert.id,
            ).order_by(Alert.resolved_at)
        ).all()
        toggles = [a.resolved_at for a in earlier if a.resolved_at is not None]
        return list(earlier) if is_flapping(toggles, now) else None

    def _correlate(self, s: Session, alarm: Alert, now: datetime
                   ) -> tuple[AlertHistory, Alert] | None:
        """After a new gas alarm: raise the building's incident if due, or link the alarm to
        the incident already open. Runs inside the signal's transaction."""
        building = alarm.building
        ikey = open_key(self.site.id, None, building, INCIDENT_KIND)
        if s.get_bind().dialect.name == "postgresql":
            # Two replicas creating gas alarms in two flats of one building at once would each
            # miss the other's uncommitted alarm; one lock per building serialises the check.
            # (SQLite already serialises writers.)
            s.execute(select(func.pg_advisory_xact_lock(zlib.crc32(ikey.encode()))))
        incident = s.scalar(select(Alert).where(Alert.open_key == ikey))
        if incident is not None:
            units = sorted({*incident.detail.get("units", []), *([alarm.unit] if alarm.unit
                                                                  else [])})
            incident.detail = {**incident.detail, "units": units,
                               "alerts": [*incident.detail.get("alerts", []), alarm.id]}
            incident.occurrences += 1
            incident.updated_at = now
            hist = self._history(s, incident, "system", "linked",
                                 f"gas alarm in {alarm.unit or '-'} (alert {alarm.id})")
            return hist, incident
        rows = s.execute(
            select(Alert.id, Alert.unit, Alert.raised_at).where(
                Alert.site == self.site.id, Alert.building == building,
                Alert.kind == INCIDENT_TRIGGER_KIND, Alert.state != "resolved",
                Alert.test.is_(False),
            ).order_by(Alert.raised_at, Alert.id)
        ).all()
        alarms = [(unit, raised_at) for _, unit, raised_at in rows]
        if not incident_due(alarms, now):
            return None
        units = correlated_units(alarms, now)
        ids = [aid for aid, unit, raised_at in rows if unit in units and in_window(raised_at, now)]
        incident = Alert(
            kind=INCIDENT_KIND, priority=INCIDENT_PRIORITY, state="open", condition="active",
            site=self.site.id, building=building, unit=None, device=None, raised_at=now,
            updated_at=now, occurrences=len(ids), escalation=0, test=False,
            detail={"units": units, "alerts": ids, "reason": INCIDENT_REASON}, open_key=ikey,
        )
        s.add(incident)
        s.flush()
        note = f"{INCIDENT_REASON} — gas alarms in {', '.join(units)}"
        hist = self._history(s, incident, "system", "raised", note)
        s.add(AuditEntry(at=now, actor="system", action="alert.incident",
                         target=f"alert:{incident.id}", detail=note))
        return hist, incident

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
                done.append((hist, alert, level, waited))
            s.commit()
        for hist, alert, level, waited in done:
            self._announce(hist, alert)
            self._notify_escalation(alert, level, waited)
        return [alert for _, alert, _, _ in done]

    def _notify_escalation(self, alert: Alert, level: int, waited: int) -> None:
        where = alert.unit or f"building {alert.building or '-'}"
        subject = f"Escalation {level}: {alert.kind} at {where} (alert {alert.id})"
        body = (f"Priority {alert.priority} {alert.kind} at {where} raised "
                f"{alert.raised_at.isoformat()} is not acknowledged after {waited} s.")
        try:
            self.notifier.notify(ESCALATION_ROLE, subject, body)
        except Exception:
            # The alert is escalated and on every console whatever the notifier does.
            log.exception("could not notify %s of alert %s", ESCALATION_ROLE, alert.id)

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
            s.commit()
            self._announce(hist, alert)
            return alert

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
