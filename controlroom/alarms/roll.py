"""The roll of a building's flats on a building-wide alert (an incident's or a fire's
evacuation), ticked flat by flat; and drills: a scheduled exercise on a building that raises a
test alert of a priority-1 kind under a test window, so its plan is run with test events, and
reports how long each step took (issue 17). Every change is audited and in the alert's
history."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Site
from controlroom.alarms.models import Alert, AlertHistory, Drill, PlanTick, RollMark
from controlroom.alarms.service import AlertService
from controlroom.alarms.test_mode import TestModeService
from controlroom.core import errors
from controlroom.core.audit import audit

ROLL_KINDS = ("incident", "fire")  # building-wide: the building's flats are on the roll
DRILL_KINDS = ("incident", "fire")


@dataclass(frozen=True)
class RollEntry:
    unit: str
    floor: int
    reached: bool
    at: datetime | None
    by: str | None


@dataclass(frozen=True)
class StepTime:
    n: int
    en: str
    zh: str
    ticked_at: datetime | None
    ticked_by: str | None
    took_s: float | None  # from the previous tick (the first: from the alert being raised)


def step_times(raised_at: datetime, ticks: dict[int, tuple[datetime, str]],
               steps: list[tuple[str, str]]) -> list[StepTime]:
    """Each step's time, in order: from the previous ticked step (or the raise) to its tick.
    Pure."""
    out, prev = [], raised_at
    for n, (en, zh) in enumerate(steps, start=1):
        tick = ticks.get(n)
        took = None
        if tick is not None:
            took = max(0.0, (tick[0] - prev).total_seconds())
            prev = tick[0]
        out.append(StepTime(n, en, zh, tick[0] if tick else None, tick[1] if tick else None,
                            took))
    return out


class RollService:
    def __init__(self, sessions: sessionmaker, site: Site, alerts: AlertService,
                 test_mode: TestModeService, now: Callable[[], datetime]) -> None:
        self.sessions, self.site, self.alerts, self.test_mode, self.now = (
            sessions, site, alerts, test_mode, now)

    # -- the roll ------------------------------------------------------------------------------

    def roll(self, alert_id: int) -> tuple[Alert, list[RollEntry]]:
        with self.sessions() as s:
            alert = self._roll_alert(s, alert_id)
            marks = {m.unit: m for m in s.scalars(select(RollMark).where(
                RollMark.alert_id == alert_id))}
        units = sorted((u for u in self.site.units.values() if u.building == alert.building),
                       key=lambda u: (u.entrance, u.floor, u.flat))
        return alert, [RollEntry(u.id, u.floor, bool(marks[u.id].reached) if u.id in marks
                                 else False, marks[u.id].at if u.id in marks else None,
                                 marks[u.id].actor if u.id in marks else None) for u in units]

    def mark(self, alert_id: int, unit: str, reached: bool, actor: str
             ) -> tuple[Alert, list[RollEntry]]:
        now = self.now()
        with self.sessions() as s:
            alert = self._roll_alert(s, alert_id)
            u = self.site.units.get(unit)
            if u is None or u.building != alert.building:
                raise errors.NotFound(f"flat {unit!r} is not in building {alert.building}")
            if alert.state == "resolved":
                raise errors.Conflict(f"alert {alert_id} is resolved")
            m = s.scalar(select(RollMark).where(RollMark.alert_id == alert_id,
                                                RollMark.unit == unit))
            if m is None:
                s.add(RollMark(alert_id=alert_id, unit=unit, reached=reached, at=now,
                               actor=actor))
            else:
                m.reached, m.at, m.actor = reached, now, actor
            text = f"roll: {unit} {'reached' if reached else 'not reached'}"
            s.add(AlertHistory(alert_id=alert_id, at=now, actor=actor, action="roll",
                               note=text))
            audit(s, now, actor, "alert.roll", f"alert:{alert_id}", text)
            s.commit()
        self.alerts.announce([alert_id])
        return self.roll(alert_id)

    def _roll_alert(self, s: Session, alert_id: int) -> Alert:
        alert = s.get(Alert, alert_id)
        if alert is None:
            raise errors.NotFound(f"no alert {alert_id}")
        if alert.kind not in ROLL_KINDS or alert.building is None:
            raise errors.Invalid(f"a {alert.kind} alert has no roll of flats "
                                 f"(only {', '.join(ROLL_KINDS)} on a building)")
        return alert

    # -- drills --------------------------------------------------------------------------------

    def start_drill(self, building: str, kind: str, minutes: int, note: str, actor: str
                    ) -> Drill:
        if kind not in DRILL_KINDS:
            raise errors.Invalid(f"a drill runs the plan of {', '.join(DRILL_KINDS)}")
        if building not in self.site.buildings:
            raise errors.NotFound(f"no building {building!r}")
        window = self.test_mode.start("building", building, minutes,
                                      f"drill: {kind}" + (f" — {note}" if note else ""), actor)
        now = self.now()
        with self.sessions() as s:
            alert = Alert(kind=kind, priority=1, state="open", condition="active",
                          site=self.site.id, building=building, unit=None, device=None,
                          raised_at=now, updated_at=now, occurrences=1, escalation=0,
                          test=True, detail={"drill": True, "reason": f"drill: {note}"},
                          open_key=f"drill/{window.id}")
            s.add(alert)
            s.flush()
            drill = Drill(building=building, kind=kind, alert_id=alert.id, window_id=window.id,
                          started_by=actor, started_at=now, note=note)
            s.add(drill)
            s.flush()
            alert.detail = {**alert.detail, "drill": drill.id}
            s.add(AlertHistory(alert_id=alert.id, at=now, actor=actor, action="raised",
                               note=f"drill {drill.id} on building {building}: {kind}"))
            audit(s, now, actor, "drill.start", f"building:{building}",
                  f"drill {drill.id}: {kind} ({minutes} min) {note}")
            s.commit()
            s.refresh(drill)
        self.alerts.announce([drill.alert_id])
        return drill

    def drills(self) -> builtins.list[Drill]:
        with self.sessions() as s:
            return list(s.scalars(select(Drill).order_by(Drill.id.desc()).limit(50)))

    def drill_report(self, drill_id: int) -> tuple[Drill, Alert, list[StepTime], int, int]:
        """The drill, its alert, each plan step's time, and the roll: reached of total."""
        with self.sessions() as s:
            drill = s.get(Drill, drill_id)
            if drill is None:
                raise errors.NotFound(f"no drill {drill_id}")
            alert = s.get(Alert, drill.alert_id)
            assert alert is not None
            ticks = {t.step: (t.at, t.actor) for t in s.scalars(
                select(PlanTick).where(PlanTick.alert_id == alert.id))}
        plan = self.site.plans.get(drill.kind)
        steps = [(st.en, st.zh) for st in plan.steps] if plan else []
        _, roll = self.roll(alert.id)
        return (drill, alert, step_times(alert.raised_at, ticks, steps),
                sum(r.reached for r in roll), len(roll))
