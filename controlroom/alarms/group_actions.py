"""One operator action for a group of alerts (a building's alerts, an incident and the alarms
linked to it, or a list of ids) — each alert changed, recorded, audited and announced on its
own, exactly as the single-alert action does; an alert whose state does not allow the action
is skipped and reported, not an error for the whole group (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from controlroom.alarms.correlation import INCIDENT_KIND
from controlroom.alarms.models import Alert, AlertHistory
from controlroom.alarms.rules import TransitionError
from controlroom.core import errors

OFFLINE_KIND = "device_offline"


@dataclass
class GroupOutcome:
    done: list[Alert] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (id, state, why)


class GroupActions:
    """Mixed into AlertService (service.py), whose `_transition` and `_announce` it reuses."""

    sessions: sessionmaker
    now: Callable[[], datetime]
    _transition: Callable[..., AlertHistory]
    _announce: Callable[[AlertHistory, Alert], None]

    def _group_ids(self, s: Session, building: str | None, incident: int | None,
                   alert_ids: list[int] | None) -> list[int]:
        if alert_ids:
            return list(dict.fromkeys(alert_ids))
        if incident is not None:
            inc = s.get(Alert, incident)
            if inc is None or inc.kind != INCIDENT_KIND:
                raise errors.NotFound(f"no building incident {incident}")
            linked = [int(i) for i in inc.detail.get("alerts", [])]
            return [inc.id, *linked]
        if building is None:
            raise errors.Invalid("name a building, an incident or alert ids")
        return list(s.scalars(select(Alert.id).where(
            Alert.building == building, Alert.state != "resolved", Alert.test.is_(False))
            .order_by(Alert.priority, Alert.raised_at, Alert.id)))

    def act_group(self, action: str, actor: str, *, building: str | None = None,
                  incident: int | None = None, alert_ids: list[int] | None = None,
                  note: str = "", cause: str | None = None,
                  only: Callable[[Alert], bool] | None = None) -> GroupOutcome:
        """`action` ("ack" or "resolve") on every alert of the group, in one transaction;
        each change announced after the commit."""
        now = self.now()
        out = GroupOutcome()
        changed: list[tuple[AlertHistory, Alert]] = []
        with self.sessions() as s:
            ids = self._group_ids(s, building, incident, alert_ids)
            rows = {a.id: a for a in s.scalars(
                select(Alert).where(Alert.id.in_(ids)).with_for_update())} if ids else {}
            for aid in ids:
                alert = rows.get(aid)
                if alert is None:
                    out.skipped.append((aid, "", "no such alert"))
                    continue
                if only is not None and not only(alert):
                    continue
                try:
                    hist = self._transition(s, alert, action, actor, now, note=note, cause=cause)
                except TransitionError as e:
                    out.skipped.append((aid, alert.state, str(e)))
                    continue
                changed.append((hist, alert))
                out.done.append(alert)
            s.commit()
        for hist, alert in changed:
            self._announce(hist, alert)
        return out

    def resolve_restored_offline(self, building: str, actor: str, note: str = "",
                                 cause: str = "other") -> GroupOutcome:
        """After a power cut: acknowledge and resolve, in one action, a building's "device
        offline" rows whose devices have come back (condition restored)."""
        def restored_offline(a: Alert) -> bool:
            return a.kind == OFFLINE_KIND and a.condition == "restored"
        return self.act_group("resolve", actor, building=building, note=note,
                              cause=cause, only=restored_offline)


def outcome_json(out: GroupOutcome, label: str) -> dict[str, Any]:
    return {label: [a.id for a in out.done], "count": len(out.done),
            "skipped": [{"id": i, "state": st, "reason": why} for i, st, why in out.skipped]}
