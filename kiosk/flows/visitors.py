"""Announcing a visitor (seeds 000, 002): the logged-in resident tells the front desk who is
coming to the flat and when; then sees the flat's visitors still expected.

Rules kept here (pure functions of values, the time passed in):
- the time is picked from a few touch choices, today or tomorrow at `SLOT_HOURS` in the site's
  time zone (no free-text time to mistype); a time already past today is not offered, and a
  day with no time left is not offered either;
- nothing is sent without the visitor's name and a time; the purpose is optional, one of
  `PURPOSES`, sent in both languages (the desk reads it in either).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.api_client import ApiError
from kiosk.flows.core import Json, KioskCore
from kiosk.wording import say

__all__ = ["DAYS", "MAX_NAME", "PURPOSES", "SLOT_HOURS", "VisitorFlow", "announce_body",
           "can_announce", "expected_at", "open_days", "open_slots"]

DAYS = ("today", "tomorrow")
# Every two hours through the day: few enough to fit one row in landscape; the desk only
# needs to know roughly when to expect someone.
SLOT_HOURS = (8, 10, 12, 14, 16, 18, 20)
PURPOSES = ("family", "delivery", "service", "carer")
MAX_NAME = 64  # the API's limit


def visit_date(day: str, now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date() + timedelta(days=DAYS.index(day))


def expected_at(day: str, hour: int, now: datetime, tz: ZoneInfo) -> datetime:
    return datetime.combine(visit_date(day, now, tz), time(hour), tzinfo=tz)


def open_slots(day: str, now: datetime, tz: ZoneInfo) -> tuple[int, ...]:
    """The hours still ahead on that day."""
    return tuple(h for h in SLOT_HOURS if expected_at(day, h, now, tz) > now)


def open_days(now: datetime, tz: ZoneInfo) -> tuple[str, ...]:
    return tuple(d for d in DAYS if open_slots(d, now, tz))


def can_announce(name: str, day: str, hour: int, now: datetime, tz: ZoneInfo) -> bool:
    return (bool(name.strip()) and len(name.strip()) <= MAX_NAME and day in DAYS
            and hour in open_slots(day, now, tz))


def announce_body(name: str, day: str, hour: int, purpose: str, now: datetime,
                  tz: ZoneInfo) -> Json:
    """The body of POST /api/kiosk/visitors for an announcement that `can_announce`."""
    return {
        "name": name.strip(),
        "expected_at": expected_at(day, hour, now, tz).isoformat(),
        "purpose": (f"{say(f'purpose_{purpose}', 'zh')} / {say(f'purpose_{purpose}', 'en')}"
                    if purpose in PURPOSES else ""),
    }


def _utcnow() -> datetime:
    return datetime.now(UTC)


class VisitorFlow(KioskCore):
    # The wall clock the offered times count from (the idle clock is monotonic); tests
    # set their own.
    wall_clock: Callable[[], datetime] = staticmethod(_utcnow)

    def _reset_resident(self) -> None:
        super()._reset_resident()
        self.visitor_name = ""
        self.visitor_day = "today"
        self.visitor_hour = 0  # none chosen
        self.visitor_purpose = ""
        self.visitor_announced: Json = {}
        self.visitors: list[Json] = []

    @property
    def visitor_can_send(self) -> bool:
        return can_announce(self.visitor_name, self.visitor_day, self.visitor_hour,
                            self.wall_clock(), self.tz)

    def open_visitor(self) -> None:
        if not self.online:
            self._refuse_offline()
            return
        if not self._require_login("visitor"):
            return
        days = open_days(self.wall_clock(), self.tz)
        self.visitor_name, self.visitor_hour, self.visitor_purpose = "", 0, ""
        self.visitor_day = days[0] if days else "tomorrow"
        self._show("visitor")

    def visitor_text(self, name: str) -> None:
        """The name as typed (each key); redrawn only on the visitor screen (the field is
        cleared as the screen goes). Typing holds off the idle timeout as a touch does."""
        self.visitor_name = name
        self.touched()
        if self.screen == "visitor":
            self.on_change()

    def visitor_choose_day(self, day: str) -> None:
        self.visitor_day = day
        if self.visitor_hour not in open_slots(day, self.wall_clock(), self.tz):
            self.visitor_hour = 0
        self.on_change()

    def visitor_choose_time(self, hour: str) -> None:
        self.visitor_hour = int(hour)
        self.on_change()

    def visitor_choose_purpose(self, purpose: str) -> None:
        """A second touch on the chosen purpose takes it back (it is optional)."""
        self.visitor_purpose = "" if purpose == self.visitor_purpose else purpose
        self.on_change()

    def visitor_send(self, name: str | None = None) -> None:
        if name is not None:
            self.visitor_name = name
        now = self.wall_clock()
        if not can_announce(self.visitor_name, self.visitor_day, self.visitor_hour, now,
                            self.tz):
            # The time chosen may have passed while the form was open: choose again.
            self.visitor_choose_day(self.visitor_day)
            return
        api = self.api
        if api is None:
            return
        body = announce_body(self.visitor_name, self.visitor_day, self.visitor_hour,
                             self.visitor_purpose, now, self.tz)

        def announce() -> tuple[Json, list[Json]]:
            visitor = api.announce_visitor(body)
            try:
                return visitor, api.visitors()
            except ApiError:
                # Announced all the same: the confirmation must not say otherwise.
                return visitor, [visitor]

        self._call(announce, self._visitor_announced)

    def _visitor_announced(self, answer: tuple[Json, list[Json]]) -> None:
        self.visitor_announced, self.visitors = answer
        self._show("visitors")
