"""Response-time key figures for the control room, as pure functions of values.

Every function takes plain `AlertFacts` records and the times it needs; nothing here reads a
clock or a database. Test events (`test=True`) are left out of every figure.

Definitions (the API and the CSV export use the same names):

- *time to acknowledge* of an alert: `acknowledged_at - raised_at`, in seconds: the time to the
  operator's first action. Dispatching or resolving an unacknowledged alert acknowledges it too
  (§6, docs/decisions.md "Resolving acknowledges"), so it has an `acknowledged_at` as well.
- *time to resolve*: `resolved_at - raised_at`, in seconds.
- `count`: alerts of that priority raised in the window.
- `ack_median_s`, `resolve_median_s`: the median of the times of the alerts that have been
  acknowledged (resolved): the middle value, or the mean of the two middle values when their
  number is even. None when there is none.
- `ack_p90_s`, `resolve_p90_s`: the 90th percentile by the *nearest-rank* method: sort the n
  times ascending; the value at 1-based rank ceil(0.9 × n). It is always one of the measured
  times (for n = 10 the 9th, for n = 3 the 3rd). None when there is none.
- `ack_within_30s`, `ack_within_60s`: the share (0..1) of *all* `count` alerts acknowledged
  within 30 s (60 s) of being raised, boundary included. An alert not acknowledged at all —
  still open, or closed by its device's restore before anyone acted — counts against the
  share, as an alarm-receiving centre's EN 50518 figures do (80 % within 30 s, 98.5 % within
  60 s). None when `count` is 0.
- counts by kind: alerts raised in the window; counts by cause: the resolved ones among them,
  by the cause recorded (`unspecified` when none was, e.g. a non-latching alert closed by its
  device's restore).
- false-alarm rate of a device: resolutions with cause `false_alarm` / resolved alerts of that
  device (alerts without a device, such as building incidents, are not listed). Noisiest first:
  highest rate, then most false alarms, then most resolved, then device id.
- shift gauges: the same figures for the alerts raised in the current shift [start, now), plus
  the alerts open and unacknowledged at `now` whenever they were raised (the operator's backlog)
  and how long the oldest of them has waited.
- gauge classes: the EN 50518 norms are about alarms, so the live gauges read priority 1 alone
  against 30 s / 60 s (`alarms`), and priorities 2-4 apart (`others`), for information: a
  battery or tamper alert handled late no longer drags the alarm figure down. Each class's
  `ack_within_30s` / `ack_within_60s` is, as above, acknowledged within the bound / all real
  alerts of the class raised in the window.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

PRIORITIES = (1, 2, 3, 4)
WITHIN = (30.0, 60.0)  # seconds: the EN 50518 thresholds (§6)
TARGET_WITHIN_30S = 0.80  # EN 50518: 80 % of alarms handled within 30 s
TARGET_WITHIN_60S = 0.985  # ... and 98.5 % within 60 s
SHIFT_STARTS = (time(8, 0), time(20, 0))  # local site time: the day and the night shift
FALSE_ALARM = "false_alarm"
NO_CAUSE = "unspecified"


@dataclass(frozen=True)
class AlertFacts:
    """What the key figures need to know of one alert."""

    kind: str
    priority: int
    device: str | None
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    cause: str | None
    test: bool = False

    @property
    def ack_s(self) -> float | None:
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.raised_at).total_seconds()

    @property
    def resolve_s(self) -> float | None:
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.raised_at).total_seconds()


@dataclass(frozen=True)
class PriorityFigures:
    priority: int
    count: int
    ack_median_s: float | None
    ack_p90_s: float | None
    ack_within_30s: float | None
    ack_within_60s: float | None
    resolve_median_s: float | None
    resolve_p90_s: float | None


@dataclass(frozen=True)
class DeviceFalseAlarms:
    device: str
    resolved: int
    false_alarms: int
    rate: float


@dataclass(frozen=True)
class Figures:
    """All the figures of one window [since, until)."""

    since: datetime
    until: datetime
    total: int
    priorities: tuple[PriorityFigures, ...]  # one per priority 1..4, in order
    by_kind: dict[str, int]  # most first, then by name
    by_cause: dict[str, int]
    devices: tuple[DeviceFalseAlarms, ...]  # noisiest first


@dataclass(frozen=True)
class ClassFigures:
    """The within-shares of a class of priorities (the gauges)."""

    name: str
    priorities: tuple[int, ...]
    count: int
    ack_within_30s: float | None
    ack_within_60s: float | None


GAUGE_CLASSES: tuple[tuple[str, tuple[int, ...]], ...] = (("alarms", (1,)),
                                                          ("others", (2, 3, 4)))


@dataclass(frozen=True)
class ShiftGauges:
    figures: Figures  # since = the shift's start, until = now
    shift_end: datetime
    open_unacknowledged: int
    oldest_unacknowledged_s: float | None
    classes: tuple[ClassFigures, ...] = ()  # GAUGE_CLASSES, in order


def median(values: Sequence[float]) -> float | None:
    """The middle value, or the mean of the two middle values; None for no values."""
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0 < p <= 100) by the nearest-rank method: the value at 1-based rank
    ceil(p/100 × n) of the sorted values. None for no values."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p} is not in (0, 100]")
    if not values:
        return None
    ordered = sorted(values)
    # round() first so that e.g. 0.9 × 10 = 9.000000000000002 is rank 9, not 10.
    rank = math.ceil(round(p / 100 * len(ordered), 9))
    return float(ordered[max(rank, 1) - 1])


def real(alerts: Iterable[AlertFacts]) -> list[AlertFacts]:
    """The alerts that are not test events."""
    return [a for a in alerts if not a.test]


def raised_in(alerts: Iterable[AlertFacts], since: datetime, until: datetime
              ) -> list[AlertFacts]:
    """Real alerts raised in [since, until)."""
    return [a for a in real(alerts) if since <= a.raised_at < until]


def _share(hits: int, count: int) -> float | None:
    return hits / count if count else None


def priority_figures(alerts: Iterable[AlertFacts], priority: int) -> PriorityFigures:
    """The response figures of the real alerts of one priority among `alerts`."""
    mine = [a for a in real(alerts) if a.priority == priority]
    acks = [s for a in mine if (s := a.ack_s) is not None]
    resolves = [s for a in mine if (s := a.resolve_s) is not None]
    n = len(mine)
    return PriorityFigures(
        priority=priority, count=n,
        ack_median_s=median(acks), ack_p90_s=percentile(acks, 90),
        ack_within_30s=_share(sum(1 for s in acks if s <= WITHIN[0]), n),
        ack_within_60s=_share(sum(1 for s in acks if s <= WITHIN[1]), n),
        resolve_median_s=median(resolves), resolve_p90_s=percentile(resolves, 90),
    )


def class_figures(alerts: Iterable[AlertFacts], name: str, priorities: tuple[int, ...]
                  ) -> ClassFigures:
    """The within-shares of the real alerts of `priorities` among `alerts`."""
    mine = [a for a in real(alerts) if a.priority in priorities]
    acks = [s for a in mine if (s := a.ack_s) is not None]
    n = len(mine)
    return ClassFigures(name, priorities, n,
                        _share(sum(1 for s in acks if s <= WITHIN[0]), n),
                        _share(sum(1 for s in acks if s <= WITHIN[1]), n))


def _most_first(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def counts_by_kind(alerts: Iterable[AlertFacts]) -> dict[str, int]:
    return _most_first(Counter(a.kind for a in real(alerts)))


def counts_by_cause(alerts: Iterable[AlertFacts]) -> dict[str, int]:
    """Resolved real alerts by the cause recorded (`unspecified` when none was)."""
    return _most_first(Counter(a.cause or NO_CAUSE for a in real(alerts)
                               if a.resolved_at is not None))


def false_alarm_rates(alerts: Iterable[AlertFacts]) -> tuple[DeviceFalseAlarms, ...]:
    """Per device with resolved real alerts: false-alarm resolutions / resolutions, noisiest
    first (rate, then false alarms, then resolutions, descending; then device id)."""
    resolved: Counter[str] = Counter()
    false: Counter[str] = Counter()
    for a in real(alerts):
        if a.device is None or a.resolved_at is None:
            continue
        resolved[a.device] += 1
        if a.cause == FALSE_ALARM:
            false[a.device] += 1
    rows = [DeviceFalseAlarms(d, n, false[d], false[d] / n) for d, n in resolved.items()]
    rows.sort(key=lambda r: (-r.rate, -r.false_alarms, -r.resolved, r.device))
    return tuple(rows)


def figures(alerts: Iterable[AlertFacts], since: datetime, until: datetime) -> Figures:
    """Every figure over the real alerts raised in [since, until)."""
    window = raised_in(alerts, since, until)
    return Figures(
        since=since, until=until, total=len(window),
        priorities=tuple(priority_figures(window, p) for p in PRIORITIES),
        by_kind=counts_by_kind(window), by_cause=counts_by_cause(window),
        devices=false_alarm_rates(window),
    )


def shift_window(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The shift `now` falls in, as (start, end) in `now`'s time zone: shifts change at 08:00
    and 20:00 local site time. `now` must be aware."""
    local = now.astimezone(tz)
    day, night = SHIFT_STARTS
    today = local.date()
    if local.time() < day:
        start = datetime.combine(today - timedelta(days=1), night, tz)
        end = datetime.combine(today, day, tz)
    elif local.time() < night:
        start, end = datetime.combine(today, day, tz), datetime.combine(today, night, tz)
    else:
        start = datetime.combine(today, night, tz)
        end = datetime.combine(today + timedelta(days=1), day, tz)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def open_unacknowledged(alerts: Iterable[AlertFacts], now: datetime) -> list[AlertFacts]:
    """Real alerts raised by `now` that are neither acknowledged nor resolved."""
    return [a for a in real(alerts) if a.raised_at <= now and a.acknowledged_at is None
            and a.resolved_at is None]


def shift_gauges(alerts: Iterable[AlertFacts], start: datetime, end: datetime, now: datetime
                 ) -> ShiftGauges:
    """The figures of the shift [start, end) so far ([start, now)), and the open backlog."""
    alerts = list(alerts)
    backlog = open_unacknowledged(alerts, now)
    oldest = min((a.raised_at for a in backlog), default=None)
    window = raised_in(alerts, start, now)
    return ShiftGauges(
        figures=figures(alerts, start, now), shift_end=end,
        open_unacknowledged=len(backlog),
        oldest_unacknowledged_s=(now - oldest).total_seconds() if oldest is not None else None,
        classes=tuple(class_figures(window, name, ps) for name, ps in GAUGE_CLASSES),
    )
