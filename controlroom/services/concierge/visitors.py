"""Visitors (seeds 000, 002): registered at the desk or announced by the resident at the kiosk;
the desk sees who is expected today and records arrival (with the last 4 characters of an ID
shown, if any) and leaving. Every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.db import get_or_not_found
from controlroom.core.errors import Conflict, Invalid
from controlroom.services.concierge.models import Visitor

__all__ = ["ANNOUNCE_AHEAD", "VisitorService"]

ANNOUNCE_AHEAD = timedelta(days=7)  # a visit further ahead is announced nearer the day
MOVES = {"arrive": ("expected", "arrived"), "leave": ("arrived", "left"),
         "cancel": ("expected", "cancelled")}


class VisitorService:
    def __init__(self, sessions: sessionmaker, site: Site,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.now = now

    def register(self, actor: str, source: str, unit: str, name: str, expected_at: datetime,
                 phone: str = "", purpose: str = "") -> Visitor:
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r} at this site", code="unknown_unit")
        if not name.strip():
            raise Invalid("name: who is coming", code="invalid")
        now = self.now()
        if not now - timedelta(hours=12) <= expected_at <= now + ANNOUNCE_AHEAD:
            raise Invalid("expected_at: a visit within the next 7 days", code="invalid")
        with self.sessions.begin() as s:
            v = Visitor(unit=unit, name=name.strip(), phone=phone.strip(),
                        purpose=purpose.strip(), expected_at=expected_at, source=source,
                        registered_by=actor, created_at=now, state="expected")
            s.add(v)
            s.flush()
            audit(s, now, actor, "visitor.register", f"visitor:{v.id}",
                  f"{v.name} expected at {unit} ({source})")
            return v

    def expected(self, day: date | None = None, unit: str | None = None) -> list[Visitor]:
        """The day's visitors (site time; today by default), by expected time."""
        zone = ZoneInfo(self.site.timezone)
        day = day or self.now().astimezone(zone).date()
        lo = datetime.combine(day, time(0), zone)
        stmt = (select(Visitor).where(Visitor.expected_at >= lo,
                                      Visitor.expected_at < lo + timedelta(days=1))
                .order_by(Visitor.expected_at))
        if unit:
            stmt = stmt.where(Visitor.unit == unit)
        with self.sessions() as s:
            return list(s.scalars(stmt))

    def upcoming(self, unit: str) -> list[Visitor]:
        """A flat's visitors still expected, soonest first (what the resident announced)."""
        with self.sessions() as s:
            return list(s.scalars(select(Visitor).where(
                Visitor.unit == unit, Visitor.state == "expected",
                Visitor.expected_at >= self.now() - timedelta(hours=12))
                .order_by(Visitor.expected_at)))

    def move(self, actor: str, visitor_id: int, step: str, id_number: str = "") -> Visitor:
        if step not in MOVES:
            raise Invalid(f"step: one of {', '.join(MOVES)}", code="invalid")
        need, after = MOVES[step]
        now = self.now()
        with self.sessions.begin() as s:
            v = get_or_not_found(s, Visitor, visitor_id, "visitor")
            if v.state != need:
                raise Conflict(f"{v.name} is {v.state}: cannot {step}", code="visitor_state")
            v.state = after
            if step == "arrive":
                v.arrived_at = now
                v.id_last4 = id_number.strip()[-4:] or None
            elif step == "leave":
                v.left_at = now
            audit(s, now, actor, f"visitor.{step}", f"visitor:{v.id}", f"{v.name} at {v.unit}")
            return v
