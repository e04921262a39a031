"""The promises to residents as clocks (DOMAIN.md "Promises to residents"): pure functions of
values, the time passed in.

A request carries a few promises, each a deadline counted from when it was received:

    respond   every request answered (acknowledged)          10 min
    on_site   repair 15 min, urgent repair 30 min, complaint 1 h
    feedback  a complaint given feedback                     24 h
    resolve   an ordinary complaint 8 h; a serious one 5 working days
    work      the deadline staff set when assigning the work

A promise is met by the step that keeps it (`MET_BY`); one not met by its deadline is overdue.
Working days come from a `WorkingCalendar`: Monday to Friday in the site's time zone, less the
site's holidays, plus its make-up working days (调休).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from config import SlaSettings

__all__ = [
    "MET_BY",
    "PROMISES",
    "Promise",
    "WorkingCalendar",
    "deadlines",
    "met_by",
    "missed",
    "next_promise",
    "overdue",
    "sla_class",
]

PROMISES = ("respond", "on_site", "feedback", "resolve", "work")

# Which promises each step keeps. Reaching `completed` keeps every promise still open;
# a `feedback` to the resident keeps the feedback promise without closing the work.
MET_BY: dict[str, frozenset[str]] = {
    "assigned": frozenset({"respond"}),
    "in_progress": frozenset({"respond", "on_site"}),
    "waiting_parts": frozenset({"respond", "on_site"}),
    "feedback": frozenset({"respond", "feedback"}),
    "completed": frozenset(PROMISES),
}

# How a menu item's SLA class (config/schema.py SlaClass) maps onto the promises.
_ITEM_CLASSES = {"repair": "repair", "urgent_repair": "urgent_repair", "complaint": "complaint"}


@dataclass(frozen=True)
class Promise:
    name: str
    due: datetime


class WorkingCalendar:
    """Which local dates are working days at the site."""

    def __init__(self, timezone: str = "Asia/Shanghai", holidays: Iterable[date] = (),
                 workdays: Iterable[date] = ()) -> None:
        self.tz = ZoneInfo(timezone)
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)

    @classmethod
    def from_settings(cls, settings: SlaSettings, timezone: str) -> WorkingCalendar:
        return cls(timezone, settings.holidays, settings.workdays)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local clock time on the `days`-th working day after `start`'s local date.
        Received on a weekend or a holiday, the count starts with the next working day."""
        local = start.astimezone(self.tz)
        day = local.date()
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        end = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=self.tz)
        return end.astimezone(start.tzinfo)


def sla_class(request_type: str, item_sla: str | None = None) -> str:
    """The clock class of a request: its type, or for a menu order its item's class."""
    if request_type in ("repair", "urgent_repair", "complaint"):
        return request_type
    if request_type in ("service_order", "assistance") and item_sla:
        return _ITEM_CLASSES.get(item_sla, "request")
    return "request"


def deadlines(request_type: str, severity: str, created_at: datetime, settings: SlaSettings,
              calendar: WorkingCalendar, *, item_sla: str | None = None) -> tuple[Promise, ...]:
    """Every promise a request of this type (and, for complaints, severity `ordinary` or
    `serious`) received at `created_at` carries, earliest first."""
    at = created_at
    out = [Promise("respond", at + timedelta(minutes=settings.respond_min))]
    cls = sla_class(request_type, item_sla)
    if cls == "repair":
        out.append(Promise("on_site", at + timedelta(minutes=settings.repair_on_site_min)))
    elif cls == "urgent_repair":
        out.append(Promise("on_site", at + timedelta(minutes=settings.urgent_repair_on_site_min)))
    elif cls == "complaint":
        out.append(Promise("on_site", at + timedelta(minutes=settings.complaint_on_site_min)))
        out.append(Promise("feedback", at + timedelta(hours=settings.complaint_feedback_h)))
        if severity == "serious":
            out.append(Promise("resolve", calendar.add_working_days(
                at, settings.serious_complaint_resolve_working_days)))
        else:
            out.append(Promise("resolve", at + timedelta(hours=settings.complaint_resolve_h)))
    return tuple(sorted(out, key=lambda p: (p.due, PROMISES.index(p.name))))


def met_by(step: str) -> frozenset[str]:
    """The promises a step (a state reached, or `feedback`) keeps."""
    return MET_BY.get(step, frozenset())


def overdue(promises: Iterable[Promise], met: Mapping[str, datetime], now: datetime
            ) -> list[str]:
    """The promises not kept whose deadline has passed at `now`, earliest first."""
    return [p.name for p in sorted(promises, key=lambda p: p.due)
            if p.name not in met and now > p.due]


def missed(promises: Iterable[Promise], met: Mapping[str, datetime], now: datetime
           ) -> list[str]:
    """The promises broken so far: kept late, or still open past their deadline."""
    return [p.name for p in sorted(promises, key=lambda p: p.due)
            if (met[p.name] > p.due if p.name in met else now > p.due)]


def next_promise(promises: Iterable[Promise], met: Mapping[str, datetime]) -> Promise | None:
    """The next promise on the clock: the earliest one not yet kept (None: all kept)."""
    open_ = [p for p in promises if p.name not in met]
    return min(open_, key=lambda p: p.due) if open_ else None
