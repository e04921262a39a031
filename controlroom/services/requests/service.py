"""Service requests: created at the kiosk or the desk, worked through the lifecycle of
request_flow.py on the clocks of sla.py, every step in the request's history and the audit log;
the SLA watcher marks and escalates the ones whose promise ran out."""

from __future__ import annotations

import builtins
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from config import Resident, Site
from controlroom.core.clock import as_utc, utcnow
from controlroom.core.models import AuditEntry
from controlroom.core.notify import (
    LogNotifier,
    LogResidentNotifier,
    Notifier,
    ResidentMessage,
    ResidentNotifier,
    notify_safely,
)
from controlroom.services.requests.flow import (
    ACTIONS,
    CHANNELS,
    OPEN_STATES,
    SEVERITIES,
    TYPES,
    Forbidden,
    Invalid,
    NotFound,
    TransitionError,
    may,
    next_state,
)
from controlroom.services.requests.models import ServiceRequest, ServiceRequestHistory
from controlroom.services.requests.sla import (
    Promise,
    WorkingCalendar,
    deadlines,
    met_by,
    next_promise,
    overdue,
)
from controlroom.services.requests.steps import ASSIGNEE_ROLES, RequestSteps
from controlroom.services.requests.wording import PROMISE_LABELS, TYPE_LABELS

log = logging.getLogger(__name__)

ESCALATION_ROLE = "supervisor"
MAX_DESCRIPTION = 500

# Told of every step in the step's own transaction: (session, request, action, actor, now);
# action "received" on create. Another domain keeps its records in step this way (the fees'
# order charges: app.py) without this service knowing it.
StepWatcher = Callable[[Session, ServiceRequest, str, str, datetime], None]


@dataclass(frozen=True)
class Actor:
    username: str
    role: str


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def _dt(text: str | None) -> datetime | None:
    return as_utc(datetime.fromisoformat(text)) if text else None


def promises_of(req: ServiceRequest) -> tuple[list[Promise], dict[str, datetime]]:
    """The request's promises and when each was kept, from its stored JSON."""
    promises, met = [], {}
    for name, p in (req.promises or {}).items():
        promises.append(Promise(name, _dt(p["due"])))  # type: ignore[arg-type]
        if p.get("met"):
            met[name] = _dt(p["met"])
    return promises, met  # type: ignore[return-value]


class RequestService(RequestSteps):
    def __init__(self, sessions: sessionmaker, site: Site,
                 now: Callable[[], datetime] = utcnow, notifier: Notifier | None = None,
                 resident_notifier: ResidentNotifier | None = None,
                 residents_of: Callable[[str], Sequence[Resident]] | None = None) -> None:
        self.sessions = sessions
        self.site = site
        # The flat's living residents: the desk's register (app.py), the site file's alone.
        self.residents_of = residents_of or site.residents_of
        self.now = now
        self.notifier: Notifier = notifier or LogNotifier()
        self.resident_notifier: ResidentNotifier = resident_notifier or LogResidentNotifier()
        self.calendar = WorkingCalendar.from_settings(site.sla, site.timezone)
        self.items = {it.id: (m.id, it) for m in site.menus for it in m.items}
        self.watchers: list[StepWatcher] = []

    def watch(self, watcher: StepWatcher) -> None:
        self.watchers.append(watcher)

    def _tell_watchers(self, s: Session, req: ServiceRequest, action: str, actor: str,
                       now: datetime) -> None:
        for watcher in self.watchers:
            watcher(s, req, action, actor, now)

    # -- creating ------------------------------------------------------------------------------

    def create(self, *, unit: str, type: str, actor: str, channel: str,
               item: str | None = None, category: str | None = None, description: str = "",
               severity: str = "ordinary") -> ServiceRequest:
        """A new request, received now, owned by the butler of the flat's building."""
        flat = self.site.units.get(unit)
        if flat is None:
            raise Invalid("unit", f"no flat {unit!r} at this site (e.g. 1-2-1502)")
        if type not in TYPES:
            raise Invalid("type", f"unknown type {type!r}; one of {', '.join(TYPES)}")
        if channel not in CHANNELS:
            raise Invalid("channel", f"one of {', '.join(CHANNELS)}")
        if severity not in SEVERITIES:
            raise Invalid("severity", f"one of {', '.join(SEVERITIES)}")
        description = (description or "").strip()
        if len(description) > MAX_DESCRIPTION:
            raise Invalid("description", f"at most {MAX_DESCRIPTION} characters")
        title, type, item_sla, department = self._subject(type, item, category)
        now = self.now()
        owner = self.site.butler_of(flat.building)
        promises = deadlines(type, severity, now, self.site.sla, self.calendar,
                             item_sla=item_sla)
        with self.sessions() as s:
            req = ServiceRequest(
                number=f"new-{secrets.token_hex(8)}", site=self.site.id, unit=unit,
                building=flat.building, type=type, severity=severity,
                item=item if type in ("service_order", "assistance") else None,
                category=category if type in ("repair", "urgent_repair", "complaint") else None,
                title_zh=title[0], title_en=title[1], description=description,
                channel=channel, state="received", owner=owner.username if owner else None,
                department=department, created_by=actor, created_at=now, updated_at=now,
                promises={p.name: {"due": p.due.isoformat(), "met": None} for p in promises},
                escalated=[], overdue=False)
            s.add(req)
            s.flush()
            # The number carries the row id, so replicas never hand out the same one.
            local = now.astimezone(self.calendar.tz)
            req.number = f"SR-{local:%Y%m%d}-{req.id:04d}"
            self._derive(req, now)
            note = f"{channel}: {title[1]}" + (f" — {description}" if description else "")
            self._record(s, req, actor, "received", note, now)
            self._tell_watchers(s, req, "received", actor, now)
            s.commit()
        return self.get(req.id)

    def _subject(self, type: str, item: str | None, category: str | None
                 ) -> tuple[tuple[str, str], str, str | None, str | None]:
        """(title zh/en, type, the item's SLA class, department) after checking the item or
        category the type needs. A repair in an urgent category is an urgent repair."""
        if type in ("service_order", "assistance"):
            if not item:
                raise Invalid("item", f"a {type} needs the menu item's id")
            found = self.items.get(item)
            if found is None:
                raise Invalid("item", f"unknown menu item {item!r}")
            menu, it = found
            if (menu == "assistance") != (type == "assistance"):
                raise Invalid("item", f"{item!r} is on the {menu} menu: order it as "
                              f"{'assistance' if menu == 'assistance' else 'service_order'}")
            return (it.name_zh, it.name_en), type, it.sla, it.department
        if type in ("repair", "urgent_repair", "complaint"):
            cats = (self.site.complaint_categories if type == "complaint"
                    else self.site.repair_categories)
            if not category:
                raise Invalid("category", f"a {type.replace('_', ' ')} needs a category: "
                              f"one of {', '.join(c.id for c in cats)}")
            cat = next((c for c in cats if c.id == category), None)
            if cat is None:
                kind = "complaint" if type == "complaint" else "repair"
                raise Invalid("category", f"unknown {kind} category {category!r}")
            if type == "repair" and cat.urgent:
                type = "urgent_repair"
            return ((cat.name_zh, cat.name_en), type, None,
                    "service" if type == "complaint" else "engineering")
        return TYPE_LABELS[type], type, None, "service"

    # -- reading -------------------------------------------------------------------------------

    def list(self, *, state: str = "open", building: str | None = None,
             owner: str | None = None, overdue_only: bool | None = None,
             unit: str | None = None, limit: int = 500) -> Sequence[ServiceRequest]:
        """The queue: overdue first, then by the next deadline, then oldest first."""
        q = select(ServiceRequest)
        if state == "open":
            q = q.where(ServiceRequest.state.in_(OPEN_STATES))
        elif state != "all":
            q = q.where(ServiceRequest.state == state)
        for col, val in ((ServiceRequest.building, building), (ServiceRequest.owner, owner),
                         (ServiceRequest.unit, unit), (ServiceRequest.overdue, overdue_only)):
            if val is not None:
                q = q.where(col == val)
        q = q.order_by(ServiceRequest.overdue.desc(),
                       case((ServiceRequest.next_due.is_(None), 1), else_=0),
                       ServiceRequest.next_due, ServiceRequest.created_at, ServiceRequest.id)
        with self.sessions() as s:
            return s.scalars(q.limit(limit)).all()

    def for_unit(self, unit: str) -> Sequence[ServiceRequest]:
        """A flat's requests, newest first, with their history (for the kiosk)."""
        with self.sessions() as s:
            return s.scalars(select(ServiceRequest).where(ServiceRequest.unit == unit)
                             .options(selectinload(ServiceRequest.history))
                             .order_by(ServiceRequest.created_at.desc(),
                                       ServiceRequest.id.desc())).all()

    def get(self, request_id: int) -> ServiceRequest:
        with self.sessions() as s:
            req = s.get(ServiceRequest, request_id,
                        options=[selectinload(ServiceRequest.history)])
            if req is None:
                raise NotFound(f"no service request {request_id}")
            return req

    # -- steps ---------------------------------------------------------------------------------

    def act(self, request_id: int, action: str, actor: Actor, **kw: Any) -> ServiceRequest:
        """Take one step (an action of request_flow, or feedback / judge / note)."""
        now = self.now()
        told: list[ResidentMessage] = []
        with self.sessions() as s:
            req = s.get(ServiceRequest, request_id, with_for_update=True)
            if req is None:
                raise NotFound(f"no service request {request_id}")
            if not may(actor.role, action, actor=actor.username, assignee=req.assignee):
                raise Forbidden(
                    f"role {actor.role!r} may not {action.replace('_', ' ')} this request"
                    + (" (a technician works only the requests assigned to them)"
                       if actor.role == "maintenance" else ""))
            state = next_state(req.state, action)
            note = (kw.get("note") or "").strip()
            step = getattr(self, f"_{action}")
            extra = step(req, now, told=told, **kw)
            if action in ACTIONS:
                req.state = state
                self._keep(req, met_by(state), now)
            elif action == "feedback":
                self._keep(req, met_by("feedback"), now)
            self._derive(req, now)
            self._record(s, req, actor.username, action,
                         " — ".join(p for p in (extra, note) if p), now)
            self._tell_watchers(s, req, action, actor.username, now)
            for message in told:  # recorded with the step, sent after the commit
                self.resident_notifier.tell_resident(message, s)
            s.commit()
        return self.get(request_id)

    # -- the SLA watcher -----------------------------------------------------------------------

    def escalate_due(self, now: datetime) -> builtins.list[ServiceRequest]:
        """Mark overdue every open request with a promise past its deadline, and escalate each
        such promise once to the supervisor (history, audit, notification)."""
        done: list[tuple[ServiceRequest, list[str]]] = []
        with self.sessions() as s:
            due = s.scalars(select(ServiceRequest).where(
                ServiceRequest.state.in_(OPEN_STATES), ServiceRequest.watch_at.is_not(None),
                ServiceRequest.watch_at <= now).order_by(ServiceRequest.watch_at)).all()
            for req in due:
                promises, met = promises_of(req)
                late = [n for n in overdue(promises, met, now) if n not in req.escalated]
                if not late:
                    continue
                # Compare and set on watch_at: another replica's sweep, or a step taken
                # between the read and this write, makes it match no row.
                won = s.execute(
                    update(ServiceRequest).where(ServiceRequest.id == req.id,
                                                 ServiceRequest.watch_at == req.watch_at,
                                                 ServiceRequest.state == req.state)
                    .values(escalated=[*req.escalated, *late], overdue=True)
                    .execution_options(synchronize_session=False)).rowcount
                if not won:
                    continue
                s.refresh(req)
                self._derive(req, now)
                dues = {p.name: p.due for p in promises}
                # The deadline in the site's time, as the desk reads its clock.
                note = "; ".join(f"{PROMISE_LABELS[n][1]} promise missed (due "
                                 f"{dues[n].astimezone(self.calendar.tz):%Y-%m-%d %H:%M:%S})"
                                 for n in late)
                self._record(s, req, "system", "escalated", note, now, touch=False)
                self._notify(s, req, late)  # in this transaction, sent after the commit
                done.append((req, late))
            s.commit()
        return [req for req, _ in done]

    def _notify(self, s: Session, req: ServiceRequest, late: builtins.list[str]) -> None:
        subject = f"Overdue service request {req.number} ({req.unit}): " + ", ".join(
            PROMISE_LABELS[n][1] for n in late)
        body = (f"{req.title_en} for {req.unit}, received {req.created_at.isoformat()}, owner "
                f"{req.owner or '-'}, state {req.state}: the {', '.join(late)} promise ran out.")
        notify_safely(self.notifier, ESCALATION_ROLE, subject, body, f"request:{req.id}",
                      kind="request_overdue", session=s)

    # -- helpers -------------------------------------------------------------------------------

    def _keep(self, req: ServiceRequest, names: frozenset[str], now: datetime) -> None:
        if not names:
            return
        req.promises = {n: ({**p, "met": now.isoformat()} if n in names and not p.get("met")
                            else p) for n, p in req.promises.items()}

    def _derive(self, req: ServiceRequest, now: datetime) -> None:
        """The queue's columns from the promises: next deadline, overdue, when to look again."""
        if req.state not in OPEN_STATES:
            req.next_promise = req.next_due = req.watch_at = None
            req.overdue = False
            return
        promises, met = promises_of(req)
        nxt = next_promise(promises, met)
        req.next_promise = nxt.name if nxt else None
        req.next_due = nxt.due if nxt else None
        watch = [p.due for p in promises if p.name not in met and p.name not in req.escalated]
        req.watch_at = min(watch) if watch else None
        req.overdue = bool(overdue(promises, met, now))

    def _record(self, s: Session, req: ServiceRequest, actor: str, action: str, note: str,
                now: datetime, touch: bool = True) -> None:
        if touch:
            req.updated_at = now
        s.add(ServiceRequestHistory(request_id=req.id, at=now, actor=actor[:64], action=action,
                                    state=req.state, note=note))
        s.add(AuditEntry(at=now, actor=actor[:64], action=f"request.{action}",
                         target=f"request:{req.id}", detail=f"{req.number}: {note}"[:2000]))
        s.flush()


__all__ = ["ASSIGNEE_ROLES", "Actor", "Forbidden", "Invalid", "NotFound", "RequestService",
           "StepWatcher", "TransitionError", "promises_of"]
