"""Bookable services with time slots (seed 002: the clubhouse, the tennis court, a home
cleaning visit). A slot is booked by one flat at most: the booking's `slot_key` is unique in the
database while it stands, so two desks (or a desk and a kiosk) racing for one slot cannot both
win; the loser gets a 409 naming the slot.

`slots(service, day, taken)` and `check_slot` are pure; `BookingService` stores bookings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.core.clock import utcnow
from controlroom.core.db import get_or_not_found
from controlroom.core.errors import Conflict, Invalid
from controlroom.services.concierge.models import Booking

__all__ = ["SERVICES", "BookableService", "BookingService", "Slot", "check_slot", "slots"]


@dataclass(frozen=True)
class BookableService:
    id: str
    name_zh: str
    name_en: str
    slot_minutes: int
    opens: time
    closes: time


# The seeds' bookable services. A site file section would make them site settings; until
# then these defaults are every site's.
SERVICES = {s.id: s for s in (
    BookableService("clubhouse", "会所活动室", "Clubhouse room", 60, time(9), time(21)),
    BookableService("tennis", "网球场", "Tennis court", 60, time(7), time(21)),
    BookableService("home-cleaning", "家政保洁上门", "Home cleaning visit", 120, time(8),
                    time(18)),
)}


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    free: bool


def service(service_id: str) -> BookableService:
    svc = SERVICES.get(service_id)
    if svc is None:
        raise Invalid(f"service: one of {', '.join(SERVICES)}", code="unknown_service")
    return svc


def slots(svc: BookableService, day: date, tz: str, taken: Iterable[datetime]) -> list[Slot]:
    """The day's slots of `svc` (site time), each free or not."""
    zone = ZoneInfo(tz)
    busy = {t.astimezone(zone) for t in taken}
    out = []
    at = datetime.combine(day, svc.opens, zone)
    close = datetime.combine(day, svc.closes, zone)
    step = timedelta(minutes=svc.slot_minutes)
    while at + step <= close:
        out.append(Slot(at, at + step, at not in busy))
        at += step
    return out


def check_slot(svc: BookableService, start: datetime, tz: str, now: datetime) -> datetime:
    """The slot's end if `start` begins one of the service's slots still to come."""
    local = start.astimezone(ZoneInfo(tz))
    if start <= now:
        raise Invalid("start: the slot has begun or passed", code="invalid")
    if not any(s.start == local for s in slots(svc, local.date(), tz, ())):
        raise Invalid(f"start: {local:%H:%M} does not begin a slot of {svc.name_en} "
                      f"({svc.slot_minutes} min from {svc.opens:%H:%M} to "
                      f"{svc.closes:%H:%M})", code="invalid")
    return start + timedelta(minutes=svc.slot_minutes)


def _key(service_id: str, start: datetime) -> str:
    return f"{service_id}@{start.astimezone(ZoneInfo('UTC')).isoformat()}"


class BookingService:
    def __init__(self, sessions: sessionmaker, site: Site,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.site = site
        self.now = now

    def day(self, service_id: str, day: date) -> list[Slot]:
        svc = service(service_id)
        zone = ZoneInfo(self.site.timezone)
        lo = datetime.combine(day, time(0), zone)
        with self.sessions() as s:
            taken = s.scalars(select(Booking.start).where(
                Booking.service == svc.id, Booking.state == "booked", Booking.start >= lo,
                Booking.start < lo + timedelta(days=1)))
            return slots(svc, day, self.site.timezone, list(taken))

    def book(self, actor: str, service_id: str, start: datetime, unit: str, note: str = ""
             ) -> Booking:
        svc = service(service_id)
        if unit not in self.site.units:
            raise Invalid(f"unit: there is no flat {unit!r} at this site", code="unknown_unit")
        now = self.now()
        end = check_slot(svc, start, self.site.timezone, now)
        try:
            with self.sessions.begin() as s:
                b = Booking(service=svc.id, start=start, end=end, unit=unit, note=note,
                            state="booked", slot_key=_key(svc.id, start), created_by=actor,
                            created_at=now)
                s.add(b)
                s.flush()
                audit(s, now, actor, "booking.book", f"booking:{b.id}",
                      f"{svc.id} {start.isoformat()} for {unit}")
                return b
        except IntegrityError:
            local = start.astimezone(ZoneInfo(self.site.timezone))
            raise Conflict(f"{svc.name_en} at {local:%Y-%m-%d %H:%M} is already booked",
                           code="slot_taken") from None

    def bookings(self, unit: str | None = None) -> list[Booking]:
        stmt = select(Booking).where(Booking.state == "booked").order_by(Booking.start)
        if unit:
            stmt = stmt.where(Booking.unit == unit)
        with self.sessions() as s:
            return list(s.scalars(stmt.limit(500)))

    def cancel(self, actor: str, booking_id: int) -> Booking:
        now = self.now()
        with self.sessions.begin() as s:
            b = get_or_not_found(s, Booking, booking_id, "booking")
            if b.state != "booked":
                raise Conflict("the booking is already cancelled", code="cancelled")
            b.state, b.slot_key = "cancelled", None  # the slot is free again
            audit(s, now, actor, "booking.cancel", f"booking:{b.id}", "")
            return b
