"""The estate manager's monthly report (seed 004: a monthly compilation for the supervisor), as
a pure function of plain records: no clock, no database. `service.py` loads the records; the
page, the PDF and the Excel file all show this one `MonthlyReport`.

Definitions (the month is [start, end) in the site's time zone; `now` is when the report is
made, so a month still running judges only what is already due):

- requests: those *created* in the month, by type, by building, and by building and type.
- SLA compliance per promise (respond, on_site, feedback, resolve, work): of the promises of
  those requests, *kept* = met at or before its due time; *broken* = met after it, or not met
  and due before min(end, now); *pending* = not met and not yet due by then. `compliance` =
  kept / (kept + broken), None when nothing was judged.
- overdue: those requests with at least one broken promise (their numbers listed).
- complaints: complaints created in the month: ordinary / serious, judged valid / invalid /
  not judged, closed (with the resident's confirmation) / still open.
- return visits: requests *closed* in the month; `rated` those with all three ratings
  (attitude, quality, punctuality, 1..5); the average of each; `ratio` = rated / closed.
- held items: received in the month by kind; released in the month; still held at the end of
  the month (received before the end, not released before it), of those held 14 days or more
  and 30 days or more by the end (the reminder and the supervisor's report, seed 003).
- keys: taken into custody in the month; movements out in the month (lent to whom); keys in
  custody at the end of the month (taken before the end, not returned to the owner by then).
- alarms: per priority class 1..4, the alerts raised in the month and the shares acknowledged
  within 30 s and 60 s (alarms.kpis: an unacknowledged alert counts against the share); test
  events are left out of every figure and only counted as `test_events_excluded`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from controlroom.alarms.kpis import AlertFacts, figures

PROMISES = ("respond", "on_site", "feedback", "resolve", "work")
RATINGS = ("attitude", "quality", "punctuality")
REMIND_DAYS, REPORT_DAYS = 14, 30


@dataclass(frozen=True)
class RequestFacts:
    number: str
    type: str
    building: str
    severity: str
    valid: bool | None
    state: str
    created_at: datetime
    closed_at: datetime | None
    resident_confirmed: bool
    promises: dict[str, dict[str, str | None]]  # {"respond": {"due": iso, "met": iso|None}}
    ratings: tuple[int | None, int | None, int | None] = (None, None, None)


@dataclass(frozen=True)
class ItemFacts:
    kind: str
    received_at: datetime
    picked_up_at: datetime | None


@dataclass(frozen=True)
class KeyFacts:
    unit: str
    taken_at: datetime
    returned_at: datetime | None  # returned to the owner (custody ended)
    outs_in_month: int  # movements "out" in the month


@dataclass(frozen=True)
class PromiseFigures:
    promise: str
    kept: int
    broken: int
    pending: int
    compliance: float | None


@dataclass(frozen=True)
class AlarmClass:
    priority: int
    count: int
    within_30s: float | None
    within_60s: float | None


@dataclass
class MonthlyReport:
    month: str  # YYYY-MM
    start: datetime
    end: datetime
    requests_total: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_building: dict[str, int] = field(default_factory=dict)
    by_building_type: dict[str, dict[str, int]] = field(default_factory=dict)
    sla: list[PromiseFigures] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    complaints: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    rated: int = 0
    rating_avg: dict[str, float | None] = field(default_factory=dict)
    return_visit_ratio: float | None = None
    items_received: dict[str, int] = field(default_factory=dict)
    items_released: int = 0
    items_held_at_end: int = 0
    items_held_14d: int = 0
    items_held_30d: int = 0
    keys_taken: int = 0
    keys_lent: int = 0
    keys_in_custody: int = 0
    alarms: list[AlarmClass] = field(default_factory=list)
    alarms_total: int = 0
    test_events_excluded: int = 0


def month_window(month: str, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of 'YYYY-MM' in the site's zone, as aware datetimes."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValueError(f"month {month!r} is not YYYY-MM") from None
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    zone = ZoneInfo(tz)
    return (datetime.combine(first, time(0), zone), datetime.combine(nxt, time(0), zone))


def _t(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def _inside(at: datetime | None, start: datetime, end: datetime) -> bool:
    return at is not None and start <= at < end


def _sla(requests: Sequence[RequestFacts], judged_by: datetime
         ) -> tuple[list[PromiseFigures], list[str]]:
    counts = {p: Counter[str]() for p in PROMISES}
    overdue = []
    for r in requests:
        broken_any = False
        for name, p in r.promises.items():
            due, met = _t(p.get("due")), _t(p.get("met"))
            if due is None or name not in counts:
                continue
            if met is not None:
                verdict = "kept" if met <= due else "broken"
            else:
                verdict = "broken" if due < judged_by else "pending"
            counts[name][verdict] += 1
            broken_any = broken_any or verdict == "broken"
        if broken_any:
            overdue.append(r.number)
    out = []
    for name in PROMISES:
        c = counts[name]
        judged = c["kept"] + c["broken"]
        out.append(PromiseFigures(name, c["kept"], c["broken"], c["pending"],
                                  c["kept"] / judged if judged else None))
    return out, sorted(overdue)


def _complaints(requests: Sequence[RequestFacts]) -> dict[str, int]:
    cs = [r for r in requests if r.type == "complaint"]
    return {"total": len(cs),
            "ordinary": sum(r.severity == "ordinary" for r in cs),
            "serious": sum(r.severity == "serious" for r in cs),
            "valid": sum(r.valid is True for r in cs),
            "invalid": sum(r.valid is False for r in cs),
            "not_judged": sum(r.valid is None for r in cs),
            "closed_confirmed": sum(r.state == "closed" and r.resident_confirmed for r in cs),
            "open": sum(r.state not in ("closed", "cancelled") for r in cs)}


def monthly_report(month: str, tz: str, now: datetime, requests: Sequence[RequestFacts],
                   alerts: Sequence[AlertFacts], items: Sequence[ItemFacts],
                   keys: Sequence[KeyFacts]) -> MonthlyReport:
    """The report of `month` from every record the loader found (records outside the month
    are fine: each figure picks its own)."""
    start, end = month_window(month, tz)
    rep = MonthlyReport(month=month, start=start, end=end)
    mine = [r for r in requests if _inside(r.created_at, start, end)]
    rep.requests_total = len(mine)
    rep.by_type = dict(sorted(Counter(r.type for r in mine).items()))
    rep.by_building = dict(sorted(Counter(r.building for r in mine).items()))
    for r in mine:
        row = rep.by_building_type.setdefault(r.building, {})
        row[r.type] = row.get(r.type, 0) + 1
    rep.by_building_type = {b: dict(sorted(v.items())) for b, v in
                            sorted(rep.by_building_type.items())}
    rep.sla, rep.overdue = _sla(mine, min(end, now))
    rep.complaints = _complaints(mine)

    closed = [r for r in requests if _inside(r.closed_at, start, end) and r.state == "closed"]
    rated = [r for r in closed if all(x is not None for x in r.ratings)]
    rep.closed, rep.rated = len(closed), len(rated)
    rep.rating_avg = {name: (round(sum(r.ratings[i] or 0 for r in rated) / len(rated), 2)
                             if rated else None) for i, name in enumerate(RATINGS)}
    rep.return_visit_ratio = len(rated) / len(closed) if closed else None

    rep.items_received = dict(sorted(Counter(i.kind for i in items
                                             if _inside(i.received_at, start, end)).items()))
    rep.items_released = sum(_inside(i.picked_up_at, start, end) for i in items)
    held = [i for i in items if i.received_at < end
            and (i.picked_up_at is None or i.picked_up_at >= end)]
    rep.items_held_at_end = len(held)
    rep.items_held_14d = sum(end - i.received_at >= timedelta(days=REMIND_DAYS) for i in held)
    rep.items_held_30d = sum(end - i.received_at >= timedelta(days=REPORT_DAYS) for i in held)

    rep.keys_taken = sum(_inside(k.taken_at, start, end) for k in keys)
    rep.keys_lent = sum(k.outs_in_month for k in keys)
    rep.keys_in_custody = sum(k.taken_at < end and (k.returned_at is None or k.returned_at >= end)
                              for k in keys)

    in_month = [a for a in alerts if _inside(a.raised_at, start, end)]
    rep.test_events_excluded = sum(a.test for a in in_month)
    figs = figures(in_month, start, end)  # leaves test events out
    rep.alarms_total = figs.total
    rep.alarms = [AlarmClass(p.priority, p.count, p.ack_within_30s, p.ack_within_60s)
                  for p in figs.priorities]
    return rep
