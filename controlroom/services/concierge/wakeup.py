"""Wake-up calls (seed 003): the desk calls the flat at the booked time; an unanswered call is
tried again after `RETRY`; after the second unanswered call a butler is sent to the door.

`decide(call, now)` is the rule, a pure function; `WakeupService` records the calls and the
attempts, and its `sweep` (every few seconds, controlroom/jobs) tells the desk when a call is
due and sends the butler."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.db import get_or_not_found
from controlroom.core.errors import Conflict, Invalid
from controlroom.core.notify import Notifier, notify_safely
from controlroom.services.concierge.models import WakeupCall

__all__ = ["RETRY", "UNANSWERED_LIMIT", "WakeupService", "decide"]

RETRY = timedelta(minutes=5)  # between the first and the second call
UNANSWERED_LIMIT = 2  # unanswered calls before a butler goes to the door


@dataclass(frozen=True)
class CallState:
    at: datetime
    state: str
    attempts: int
    last_attempt_at: datetime | None


def decide(call: CallState, now: datetime) -> str:
    """'wait', 'call' (attempt `attempts + 1` is due) or 'send_butler'."""
    if call.state != "scheduled":
        return "wait"
    if call.attempts >= UNANSWERED_LIMIT:
        return "send_butler"
    if call.attempts == 0:
        return "call" if now >= call.at else "wait"
    assert call.last_attempt_at is not None
    return "call" if now >= call.last_attempt_at + RETRY else "wait"


def _state(c: WakeupCall) -> CallState:
    return CallState(c.at, c.state, c.attempts, c.last_attempt_at)


class WakeupService:
    def __init__(self, sessions: sessionmaker, site: Site, notifier: Callable[[], Notifier],
                 phone_of: Callable[[str], str], now: Callable[[], datetime] = utcnow) -> None:
        self.phone_of = phone_of  # the flat's first resident's phone (the register)
        self._sweeping = threading.Lock()
        self.sessions = sessions
        self.site = site
        self.notifier = notifier
        self.now = now

    def book(self, actor: str, unit: str, at: datetime, phone: str = "", note: str = ""
             ) -> WakeupCall:
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r} at this site", code="unknown_unit")
        now = self.now()
        if at <= now:
            raise Invalid("at: a wake-up call must be booked for a time still to come",
                          code="invalid")
        phone = phone or self.phone_of(unit)
        with self.sessions.begin() as s:
            c = WakeupCall(unit=unit, phone=phone, at=at, note=note, state="scheduled",
                           attempts=0, told_due=0, created_by=actor, created_at=now)
            s.add(c)
            s.flush()
            audit(s, now, actor, "wakeup.book", f"wakeup:{c.id}",
                  f"{unit} at {at.isoformat()}")
            return c

    def calls(self, open_only: bool = True) -> list[WakeupCall]:
        stmt = select(WakeupCall).order_by(WakeupCall.at)
        if open_only:
            stmt = stmt.where(WakeupCall.state == "scheduled")
        with self.sessions() as s:
            return list(s.scalars(stmt.limit(500)))

    def _get(self, s: Session, call_id: int) -> WakeupCall:
        return get_or_not_found(s, WakeupCall, call_id, "wake-up call", lock=True)

    def attempt(self, actor: str, call_id: int, answered: bool) -> WakeupCall:
        """The desk called the flat: answered (the call is done) or not."""
        now = self.now()
        with self.sessions.begin() as s:
            c = self._get(s, call_id)
            if c.state != "scheduled":
                raise Conflict(f"the wake-up call is {c.state}", code="wakeup_state")
            if decide(_state(c), now) != "call":
                due = c.at if c.attempts == 0 else (c.last_attempt_at or now) + RETRY
                raise Conflict(f"the next call is due at {due.isoformat()}", code="not_due")
            c.last_attempt_at = now
            if answered:
                c.state, c.closed_at = "answered", now
                audit(s, now, actor, "wakeup.answered", f"wakeup:{c.id}",
                      f"answered on call {c.attempts + 1}")
                return c
            c.attempts += 1
            audit(s, now, actor, "wakeup.unanswered", f"wakeup:{c.id}",
                  f"call {c.attempts} unanswered")
            if decide(_state(c), now) == "send_butler":
                self._send_butler(s, c, now)
            return c

    def cancel(self, actor: str, call_id: int) -> WakeupCall:
        now = self.now()
        with self.sessions.begin() as s:
            c = self._get(s, call_id)
            if c.state != "scheduled":
                raise Conflict(f"the wake-up call is {c.state}", code="wakeup_state")
            c.state, c.closed_at = "cancelled", now
            audit(s, now, actor, "wakeup.cancel", f"wakeup:{c.id}", "")
            return c

    def sweep(self) -> None:
        """Tell the desk of each call that falls due (once per attempt)."""
        now = self.now()
        # One sweep at a time in this process; replicas skip the calls another one holds.
        with self._sweeping, self.sessions.begin() as s:
            for c in s.scalars(select(WakeupCall).where(WakeupCall.state == "scheduled",
                                                        WakeupCall.at <= now)
                               .with_for_update(skip_locked=True)):
                step = decide(_state(c), now)
                if step == "call" and c.told_due <= c.attempts:
                    c.told_due = c.attempts + 1
                    notify_safely(self.notifier(), "frontdesk",
                                  f"叫醒服务 wake-up call due: {c.unit}",
                                  f"call {c.told_due} to {c.unit} ({c.phone}) is due now",
                                  f"wake-up call {c.id}")
                elif step == "send_butler":
                    self._send_butler(s, c, now)

    def _send_butler(self, s: Session, c: WakeupCall, now: datetime) -> None:
        unit = self.site.units.get(c.unit)
        building = unit.building if unit else ""
        butler = self.site.butler_of(building)
        who = butler.username if butler else "the butler on duty"
        c.state, c.closed_at = "butler_sent", now
        audit(s, now, "system", "wakeup.butler_sent", f"wakeup:{c.id}",
              f"{c.attempts} calls unanswered: {who} sent to {c.unit}")
        # Butlers sign in with the front desk's role (ARCHITECTURE §2): theirs is the channel.
        notify_safely(self.notifier(), "frontdesk",
                      f"叫醒无人接听，请上门 wake-up unanswered: go to {c.unit}",
                      f"{c.attempts} wake-up calls to {c.unit} were not answered; {who}: "
                      f"knock at the door now (two people if you must enter).",
                      f"wake-up call {c.id}")
