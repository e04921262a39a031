"""Working an alert: operators' notes, assignment to an operator, and the action plan ticked
off step by step (ARCHITECTURE §6). Every change is in the alert's history and the audit log
and is announced on the alert stream after it is committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config import Site
from controlroom.alarms.models import Alert, AlertHistory, PlanTick
from controlroom.alarms.service import AlertService, NotFound
from controlroom.core import errors
from controlroom.core.models import AuditEntry, User

# Who an alert can be assigned to: the people who work alerts at the console.
ASSIGNABLE_ROLES = ("operator", "supervisor")


class Conflict(errors.Conflict):
    """The change contradicts the alert's state (already ticked, already resolved)."""


class InvalidAssignee(errors.Invalid):
    def public_detail(self) -> str:
        return f"to: {self}"


@dataclass(frozen=True)
class StepState:
    n: int
    zh: str
    en: str
    ticked_at: datetime | None
    ticked_by: str | None


class CaseworkService:
    def __init__(self, sessions: sessionmaker, site: Site, alerts: AlertService) -> None:
        self.sessions = sessions
        self.site = site
        self.alerts = alerts

    # -- notes and assignment ------------------------------------------------------------------

    def add_note(self, alert_id: int, actor: str, note: str) -> Alert:
        with self.sessions() as s:
            alert = self._alert(s, alert_id)
            self._record(s, alert, actor, "note", note, "alert.note")
            s.commit()
        self.alerts.announce([alert_id])
        return self.alerts.get(alert_id)

    def assign(self, alert_id: int, actor: str, to: str) -> Alert:
        with self.sessions() as s:
            user = s.scalar(select(User).where(User.username == to, User.active.is_(True)))
            if user is None or user.role not in ASSIGNABLE_ROLES:
                raise InvalidAssignee(f"{to!r} is not an active operator or supervisor: give the "
                                      f"username of one")
            alert = self._alert(s, alert_id)
            if alert.state == "resolved":
                raise Conflict(f"alert {alert_id} is resolved")
            alert.detail = {**alert.detail, "assigned_to": to}
            self._record(s, alert, actor, "assigned", f"to {to}", "alert.assign")
            s.commit()
        self.alerts.announce([alert_id])
        return self.alerts.get(alert_id)

    # -- the action plan -----------------------------------------------------------------------

    def plan(self, alert_id: int) -> tuple[Alert, list[StepState]]:
        """The plan for the alert's kind with each step's tick; no steps if the kind has none."""
        with self.sessions() as s:
            alert = self._alert(s, alert_id)
            ticks = {t.step: t for t in s.scalars(
                select(PlanTick).where(PlanTick.alert_id == alert_id))}
            plan = self.site.plans.get(alert.kind)
            steps = [] if plan is None else [
                StepState(n, st.zh, st.en, ticks[n].at if n in ticks else None,
                          ticks[n].actor if n in ticks else None)
                for n, st in enumerate(plan.steps, start=1)
            ]
            return alert, steps

    def tick(self, alert_id: int, step: int, actor: str) -> tuple[Alert, list[StepState]]:
        with self.sessions() as s:
            alert = self._alert(s, alert_id)
            plan = self.site.plans.get(alert.kind)
            if plan is None:
                raise NotFound(f"no action plan for {alert.kind} alerts")
            if not 1 <= step <= len(plan.steps):
                raise NotFound(f"the {alert.kind} plan has no step {step} "
                               f"(steps 1 to {len(plan.steps)})")
            if alert.state == "resolved":
                raise Conflict(f"alert {alert_id} is resolved")
            text = plan.steps[step - 1].en
            done = s.scalar(select(PlanTick).where(PlanTick.alert_id == alert_id,
                                                   PlanTick.step == step))
            if done is not None:
                raise Conflict(f"step {step} was ticked by {done.actor} at "
                               f"{done.at.isoformat()}")
            s.add(PlanTick(alert_id=alert_id, step=step, text=text, at=self.alerts.now(),
                           actor=actor))
            self._record(s, alert, actor, "step_ticked", f"step {step} ticked: {text}",
                         "alert.plan_tick")
            try:
                s.commit()
            except IntegrityError:  # ticked at the same moment by someone else
                s.rollback()
                raise Conflict(f"step {step} is already ticked") from None
        self.alerts.announce([alert_id])
        return self.plan(alert_id)

    # -- helpers -------------------------------------------------------------------------------

    def _alert(self, s: Session, alert_id: int) -> Alert:
        alert = s.get(Alert, alert_id, with_for_update=True)
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        return alert

    def _record(self, s: Session, alert: Alert, actor: str, action: str, note: str,
                audit: str) -> None:
        now = self.alerts.now()
        alert.updated_at = now
        s.add(AlertHistory(alert_id=alert.id, at=now, actor=actor, action=action, note=note))
        s.add(AuditEntry(at=now, actor=actor, action=audit, target=f"alert:{alert.id}",
                         detail=note))
        s.flush()
