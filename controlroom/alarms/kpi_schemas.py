"""The alarm KPIs' answers (GET /api/kpis and the live gauges): ISA-18.2 and the 30 s / 60 s
figures, per priority class; kept apart from the alerts' own schemas (schemas.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from controlroom.alarms.kpis import DeviceFalseAlarms, Figures, PriorityFigures, ShiftGauges
from controlroom.alarms.schemas import FloodMeterPublic


class PriorityFiguresPublic(BaseModel):
    """Response times of the real alerts of one priority raised in the window."""

    priority: int
    count: int = Field(description="alerts of this priority raised in the window")
    ack_median_s: float | None = Field(description="median time to acknowledge, of those "
                                                   "acknowledged")
    ack_p90_s: float | None = Field(description="90th percentile (nearest rank) time to "
                                                "acknowledge")
    ack_within_30s: float | None = Field(description="share (0..1) of all `count` acknowledged "
                                                     "within 30 s; unacknowledged ones count "
                                                     "against it")
    ack_within_60s: float | None = Field(description="the same within 60 s")
    resolve_median_s: float | None = Field(description="median time to resolve, of those "
                                                       "resolved")
    resolve_p90_s: float | None = Field(description="90th percentile (nearest rank) time to "
                                                    "resolve")

    @classmethod
    def of(cls, p: PriorityFigures) -> PriorityFiguresPublic:
        return cls(priority=p.priority, count=p.count, ack_median_s=p.ack_median_s,
                   ack_p90_s=p.ack_p90_s, ack_within_30s=p.ack_within_30s,
                   ack_within_60s=p.ack_within_60s, resolve_median_s=p.resolve_median_s,
                   resolve_p90_s=p.resolve_p90_s)


class DeviceFalseAlarmsPublic(BaseModel):
    device: str
    resolved: int = Field(description="resolved alerts of this device in the window")
    false_alarms: int = Field(description="of those, resolved with cause `false_alarm`")
    rate: float = Field(description="false_alarms / resolved (0..1)")

    @classmethod
    def of(cls, d: DeviceFalseAlarms) -> DeviceFalseAlarmsPublic:
        return cls(device=d.device, resolved=d.resolved, false_alarms=d.false_alarms,
                   rate=d.rate)


class Targets(BaseModel):
    """The EN 50518 norms the within-shares are read against (§6)."""

    ack_within_30s: float
    ack_within_60s: float


class FiguresPublic(BaseModel):
    """Key figures of the real alerts (test events excluded) raised in [since, until)."""

    since: datetime
    until: datetime
    total: int = Field(description="alerts raised in the window")
    priorities: list[PriorityFiguresPublic] = Field(description="one per priority, 1 to 4")
    by_kind: dict[str, int] = Field(description="alerts raised, by kind, most first")
    by_cause: dict[str, int] = Field(description="resolved alerts by cause (`unspecified` when "
                                                 "none was recorded), most first")
    devices: list[DeviceFalseAlarmsPublic] = Field(description="false-alarm rate per device "
                                                               "with resolved alerts, noisiest "
                                                               "first")

    @classmethod
    def of(cls, f: Figures) -> FiguresPublic:
        return cls(since=f.since, until=f.until, total=f.total,
                   priorities=[PriorityFiguresPublic.of(p) for p in f.priorities],
                   by_kind=f.by_kind, by_cause=f.by_cause,
                   devices=[DeviceFalseAlarmsPublic.of(d) for d in f.devices])


class KpisPublic(FiguresPublic):
    """`GET /api/kpis`: the figures of a window, the norms, and the flood meter now."""

    targets: Targets
    flood: FloodMeterPublic = Field(description="the alarm-flood meter at the time of the call")


class ClassFiguresPublic(BaseModel):
    """A gauge: the within-shares of a class of priorities (`alarms`: priority 1, read against
    the EN 50518 norms; `others`: priorities 2-4, for information)."""

    name: str
    priorities: list[int]
    count: int
    ack_within_30s: float | None
    ack_within_60s: float | None


class ShiftGaugesPublic(BaseModel):
    """`GET /api/kpis/shift`: the current shift so far (shifts change at 08:00 and 20:00 site
    time), and the operator's backlog."""

    shift_start: datetime
    shift_end: datetime
    now: datetime
    timezone: str
    figures: FiguresPublic = Field(description="alerts raised from the shift's start to now")
    open_unacknowledged: int = Field(description="real alerts open and not acknowledged now, "
                                                 "whenever raised")
    oldest_unacknowledged_s: float | None = Field(description="how long the oldest of them has "
                                                              "waited")
    targets: Targets
    gauges: list[ClassFiguresPublic] = Field(
        default_factory=list, description="priority 1 alone (`alarms`), then 2-4 (`others`)")

    @classmethod
    def of(cls, g: ShiftGauges, now: datetime, timezone: str, targets: Targets
           ) -> ShiftGaugesPublic:
        return cls(shift_start=g.figures.since, shift_end=g.shift_end, now=now,
                   timezone=timezone, figures=FiguresPublic.of(g.figures),
                   open_unacknowledged=g.open_unacknowledged,
                   oldest_unacknowledged_s=g.oldest_unacknowledged_s, targets=targets,
                   gauges=[ClassFiguresPublic(name=c.name, priorities=list(c.priorities),
                                              count=c.count, ack_within_30s=c.ack_within_30s,
                                              ack_within_60s=c.ack_within_60s)
                           for c in g.classes])
