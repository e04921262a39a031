"""Signals in batches: what a gateway had queued, applied in ONE transaction with set-based
statements — the batch's ingest keys looked up at once, the open alerts of all its
device/kind pairs at once, new alerts, history, audit and ingest keys inserted together —
under exactly the rules a lone signal follows (intake.py): one open alert per device and kind,
latching, flapping, test mode, correlation into a building's incident. A flood of 577 alarms
is then a handful of statements instead of some six thousand round trips.

A result per signal: an unknown device is refused on its own, the rest are applied. If
another replica races the batch (a unique key refused at flush or commit), the batch is
rolled back and applied one signal at a time, each of which handles its own race.
"""

from __future__ import annotations

import builtins
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import Device, Panel
from controlroom.alarms import fanout
from controlroom.alarms.correlation import INCIDENT_KIND, INCIDENT_TRIGGER_KIND
from controlroom.alarms.intake import SignalApplied, SignalIntake, alert_json
from controlroom.alarms.models import Alert, AlertHistory, IngestedSignal, TestReport, TestWindow
from controlroom.alarms.rules import SignalOutcome, latches, on_signal, open_key
from controlroom.alarms.schemas import SignalIn
from controlroom.alarms.stream import Message
from controlroom.alarms.test_mode import covers
from controlroom.core import errors
from controlroom.core.models import AuditEntry

BatchResult = SignalApplied | errors.DomainError


class _Row(NamedTuple):
    """A history row inserted as a plain row: what announcing it needs."""

    id: int
    alert_id: int


@dataclass
class _Batch:
    """A batch being applied: the signals and what has been decided so far."""

    sigs: builtins.list[SignalIn]
    results: builtins.list[BatchResult | None] = field(default_factory=list)
    located: dict[int, tuple[Device | Panel, str | None, str]] = field(default_factory=dict)
    seen: dict[str, int | None] = field(default_factory=dict)  # keys applied before
    keyed: dict[str, Alert | None] = field(default_factory=dict)  # this batch's keys
    changes: builtins.list[tuple[Alert, str, str, str]] = field(default_factory=list)
    created: builtins.list[Alert] = field(default_factory=list)
    restores: set[tuple[str, str, str | None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.results = [None] * len(self.sigs)


class BatchIntake(SignalIntake):
    """`apply_batch` beside `apply_signal`; `AlertService` is one."""

    def apply_batch(self, sigs: builtins.list[SignalIn]) -> builtins.list[BatchResult]:
        if len(sigs) <= 1:
            return [self._apply_one(sig) for sig in sigs]
        try:
            return self._apply_batch(sigs)
        except IntegrityError:
            # Raced by another delivery (another replica creating one of these alerts, or
            # recording one of these keys): one at a time, each finds what the other made.
            return [self._apply_one(sig) for sig in sigs]

    def _apply_one(self, sig: SignalIn) -> BatchResult:
        try:
            return self.apply_signal(sig)
        except errors.DomainError as exc:
            return exc

    def _apply_batch(self, sigs: builtins.list[SignalIn]) -> builtins.list[BatchResult]:
        now = self.now()
        b = _Batch(sigs)
        for i, sig in enumerate(sigs):
            try:
                b.located[i] = self._locate(sig)
            except errors.DomainError as exc:
                b.results[i] = exc
        with self.sessions() as s:
            if s.get_bind().dialect.name == "sqlite":
                # The write lock first, so that the ids given below stay this batch's, and
                # the reads below see what the last writer committed.
                s.execute(text("UPDATE ingested_signals SET id = id WHERE id < 0"))
            # FOR UPDATE (PostgreSQL): the first statement takes the stream lock (fanout.py),
            # so no other writer commits between these reads and this batch's writes.
            b.seen = dict(s.execute(
                select(IngestedSignal.key, IngestedSignal.alert_id)
                .where(IngestedSignal.key.in_([sigs[i].key for i in b.located]))
                .with_for_update()).all())  # type: ignore[arg-type]
            self._decide(s, b, now)
            # (A flapping check may have flushed some already: those keep the id they got.)
            waiting = [a for a in b.created if a.id is None]
            for alert, new_id in zip(waiting, _next_ids(s, Alert, len(waiting)), strict=True):
                alert.id = new_id
            s.flush()  # the new alerts, together: their ids
            announce = self._record(s, b, now)
            s.flush()  # history, keys and audit, together
            earlier_ids = {aid for aid in b.seen.values() if aid is not None}
            earlier = {a.id: a for a in s.scalars(select(Alert).where(
                Alert.id.in_(earlier_ids)))} if earlier_ids else {}
            s.commit()
        for i, r in enumerate(b.results):
            if isinstance(r, SignalApplied) and r.duplicate:
                aid = b.seen.get(sigs[i].key)
                found = earlier.get(aid) if aid is not None else b.keyed.get(sigs[i].key)
                b.results[i] = SignalApplied(SignalOutcome.IGNORE, True, found)
        data: dict[int, str] = {}  # an alert changed twice is serialised once
        for hist, alert in sorted(announce, key=lambda p: p[0].id):
            if alert.id not in data:
                data[alert.id] = alert_json(alert)
            self.broadcaster.publish(Message(hist.id, "alert", data[alert.id]))
        return [r for r in b.results if r is not None]

    def _plan(self, s: Session, b: _Batch, now: datetime
              ) -> dict[int, tuple[str, bool, TestWindow | None]]:
        """Each signal's open key, whether it is a test, and its test window."""
        windows = s.scalars(select(TestWindow).where(TestWindow.ended_at.is_(None),
                                                     TestWindow.ends_at > now)).all()
        plan = {}
        for i, (device, _unit, source) in b.located.items():
            okey = open_key(self.site.id, source, device.building, b.sigs[i].kind)
            window = (next((w for w in windows if covers(w.scope, w.target, device)), None)
                      if isinstance(device, Device) else None)
            test = b.sigs[i].test or window is not None
            plan[i] = (f"test/{okey}" if test else okey, test, window)
        return plan

    def _decide(self, s: Session, b: _Batch, now: datetime) -> None:
        """Each signal in order against the open alerts as the earlier ones left them."""
        plan = self._plan(s, b, now)
        by_okey = {a.open_key: a for a in s.scalars(
            select(Alert).where(Alert.open_key.in_({p[0] for p in plan.values()})))}
        for i, (device, unit, _source) in b.located.items():
            sig = b.sigs[i]
            if sig.key in b.seen or sig.key in b.keyed:
                b.results[i] = SignalApplied(SignalOutcome.IGNORE, True, None)
                continue
            okey, test, window = plan[i]
            if window is not None:
                s.add(TestReport(window_id=window.id, device=sig.device, kind=sig.kind,
                                 condition=sig.condition, at=now))
            alert = by_okey.get(okey)
            flapping = alert is not None and bool(alert.detail.get("flapping"))
            outcome = on_signal(alert.condition if alert else None, sig.condition,
                                latches(sig.priority, test) or flapping)
            alert, outcome, action, note, audit = self._change(
                s, alert, outcome, sig, device, unit, okey, test, now)
            if outcome is SignalOutcome.CREATE and alert is not None:
                by_okey[okey] = alert
                b.created.append(alert)
            elif alert is not None and alert.open_key is None:
                by_okey.pop(okey, None)  # resolved: the next signal raises a new one
            if sig.condition == "restored":
                b.restores.add((sig.device, sig.kind, unit))
            b.keyed[sig.key] = alert
            if action and alert is not None:
                b.changes.append((alert, action, note, audit))
            b.results[i] = SignalApplied(outcome, False, alert)

    def _record(self, s: Session, b: _Batch, now: datetime
                ) -> builtins.list[tuple[AlertHistory | _Row, Alert]]:
        """History, audit, ingest keys and correlation, inserted together (history and keys
        as plain rows: hundreds of ORM objects cost more than the statements); the history
        rows to announce after the commit."""
        changes = [(alert, "gateway", action, note) for alert, action, note, _ in b.changes]
        for alert, _, note, audit in b.changes:
            if audit:
                s.add(AuditEntry(at=now, actor="system", action=audit,
                                 target=f"alert:{alert.id}", detail=note))
        changes += self._restore_resolved_many(s, b.restores, now)
        # Ids given here make each insert one statement (SQLite cannot hand back the ids of
        # a many-row insert in order, so the ORM would insert row by row).
        hids = _next_ids(s, AlertHistory, len(changes))
        announce: list[tuple[AlertHistory | _Row, Alert]] = [
            (_Row(hid, alert.id), alert) for hid, (alert, *_) in zip(hids, changes, strict=True)]
        if changes:
            s.execute(insert(AlertHistory), [
                {"id": hid, "alert_id": alert.id, "at": alert.updated_at, "actor": actor,
                 "action": action, "note": note}
                for hid, (alert, actor, action, note) in zip(hids, changes, strict=True)])
            fanout.will_announce(s, [row for row, _ in announce])
        kids = _next_ids(s, IngestedSignal, len(b.keyed))
        if kids:
            s.execute(insert(IngestedSignal), [
                {"id": kid, "key": k, "alert_id": a.id if a else None, "at": now}
                for kid, (k, a) in zip(kids, b.keyed.items(), strict=True)])
        by_building: dict[str | None, list[Alert]] = defaultdict(list)
        for alert in b.created:
            if alert.kind == INCIDENT_TRIGGER_KIND and not alert.test:
                by_building[alert.building].append(alert)
        for alarms in by_building.values():
            pair = self._correlate_many(s, alarms, now)
            if pair is not None:
                announce.append(pair)
        return announce

    def _restore_resolved_many(self, s: Session, restores: set[tuple[str, str, str | None]],
                               now: datetime) -> builtins.list[tuple[Alert, str, str, str]]:
        """`_restore_resolved` (intake.py) for every restore of the batch, in one query."""
        if not restores:
            return []
        rows = s.scalars(select(Alert).where(
            Alert.device.in_({d for d, _, _ in restores}), Alert.state == "resolved",
            Alert.condition == "active")).all()
        out = []
        for a in rows:
            if (a.device, a.kind, a.unit) not in restores:
                continue
            a.condition = "restored"
            a.updated_at = now
            out.append((a, "gateway", "restored", "restored after it was resolved"))
        return out

    def _correlate_many(self, s: Session, alarms: builtins.list[Alert], now: datetime
                        ) -> tuple[AlertHistory, Alert] | None:
        """Correlation (intake.py `_correlate`) for a batch's new gas alarms in one building:
        raise the building's incident if due (it then links every alarm of the window, these
        included), or link them all to the open one with one history entry."""
        ikey = open_key(self.site.id, None, alarms[0].building, INCIDENT_KIND)
        if s.get_bind().dialect.name == "postgresql":
            s.execute(select(func.pg_advisory_xact_lock(zlib.crc32(ikey.encode()))))
        incident = s.scalar(select(Alert).where(Alert.open_key == ikey))
        if incident is None:
            return self._correlate(s, alarms[0], now)
        units = sorted({*incident.detail.get("units", []), *(a.unit for a in alarms if a.unit)})
        incident.detail = {**incident.detail, "units": units,
                           "alerts": [*incident.detail.get("alerts", []),
                                      *(a.id for a in alarms)]}
        incident.occurrences += len(alarms)
        incident.updated_at = now
        note = "; ".join(f"gas alarm in {a.unit or '-'} (alert {a.id})" for a in alarms)
        hist = AlertHistory(alert_id=incident.id, at=now, actor="system", action="linked",
                            note=note)
        s.add(hist)
        return hist, incident


def _next_ids(s: Session, model: type[Alert | AlertHistory | IngestedSignal], n: int
              ) -> builtins.list[int]:
    """`n` fresh ids for a table: from its sequence on PostgreSQL, above its largest id on
    SQLite (whose write lock the batch holds)."""
    if n == 0:
        return []
    with s.no_autoflush:  # the rows waiting for these ids must not be flushed without them
        if s.get_bind().dialect.name == "postgresql":
            return list(s.scalars(text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :n)"), {"table": model.__tablename__, "n": n}))
        top = s.scalar(select(func.max(model.id))) or 0
    return list(range(top + 1, top + n + 1))
