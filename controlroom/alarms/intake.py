"""Signal intake: how a gateway signal becomes an alert change (the rules in rules.py,
flapping, correlation into a building's incident), recorded with its history and announced
after the commit. `AlertService` (service.py) is a `SignalIntake`."""

from __future__ import annotations

import builtins
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

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
from controlroom.alarms.escalation import INCIDENT_ROLES
from controlroom.alarms.flapping import FLAP_WINDOW, is_flapping
from controlroom.alarms.models import Alert, AlertHistory, IngestedSignal, TestReport
from controlroom.alarms.rules import (
    SignalOutcome,
    latches,
    on_signal,
    open_key,
)
from controlroom.alarms.schemas import AlertPublic, SignalIn
from controlroom.alarms.stream import Broadcaster, Message
from controlroom.alarms.test_mode import TestModeService
from controlroom.core import errors
from controlroom.core.models import AuditEntry
from controlroom.core.notify import Notifier, notify_safely

log = logging.getLogger(__name__)


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


class SignalIntake:
    """The signal half of the alert service: what it needs from the service, declared."""

    site: Site
    sessions: sessionmaker
    broadcaster: Broadcaster
    test_mode: TestModeService
    now: Callable[[], datetime]
    notifier: Notifier

    def apply_signal(self, sig: SignalIn) -> SignalApplied:
        try:
            return self._apply_signal(sig)
        except IntegrityError:
            # Raced at a flush, not at the commit (PostgreSQL reports a duplicate key when a
            # concurrent delivery, e.g. on another replica, inserts it first): once more,
            # and find what the other one made.
            return self._apply_signal(sig)

    def _locate(self, sig: SignalIn) -> tuple[Device | Panel, str | None, str]:
        """The signal's registered device or panel, its flat, and the source an open alert is
        kept for (a panel's zone is a source of its own)."""
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
        return device, unit, source

    def _apply_signal(self, sig: SignalIn) -> SignalApplied:
        device, unit, source = self._locate(sig)
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
            alert, outcome, action, note, audit = self._change(
                s, alert, outcome, sig, device, unit, okey, test, now)
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
            announced = [(hist, alert)] if hist is not None and alert is not None else []
            for pair in [*announced, *late, *([incident] if incident is not None else [])]:
                self._announce(*pair)
            return SignalApplied(outcome, False, alert)

    def _change(self, s: Session, alert: Alert | None, outcome: SignalOutcome, sig: SignalIn,
                device: Device | Panel, unit: str | None, okey: str, test: bool, now: datetime
                ) -> tuple[Alert | None, SignalOutcome, str, str, str]:
        """Apply the signal's outcome to the alert (made here when the outcome is CREATE):
        the alert, the outcome (a flapping restore keeps it open), and the history action,
        note and audit action to record ("" for none)."""
        detail = {k: v for k, v in sig.detail.items() if v is not None}
        action = note = audit = ""
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
        return alert, outcome, action, note, audit

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
        for role in INCIDENT_ROLES:  # ARCHITECTURE §10: at once, in this transaction
            notify_safely(self.notifier, role, f"Building {building} incident: gas alarms in "
                          f"{len(units)} flats (alert {incident.id})", note,
                          f"alert:{incident.id}", kind="incident", urgent=True, session=s)
        return hist, incident

    def _history(self, s: Session, alert: Alert, actor: str, action: str, note: str
                 ) -> AlertHistory:
        hist = AlertHistory(alert_id=alert.id, at=alert.updated_at, actor=actor, action=action,
                            note=note)
        s.add(hist)
        s.flush()
        return hist

    def _announce(self, hist: AlertHistory, alert: Alert) -> None:
        self.broadcaster.publish(Message(hist.id, "alert", alert_json(alert)))
