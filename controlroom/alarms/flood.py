"""The alarm-flood meter (ISA-18.2), as a pure function of values.

ISA-18.2 calls more than 10 alarms in 10 minutes for one operator an alarm flood: beyond that
rate an operator can no longer assess each alarm. The meter counts alerts raised (test events
excluded) per 10 minutes: the current rolling window and the last hour as 6 buckets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_THRESHOLD = 10  # ISA-18.2: more than 10 alarms per 10 minutes per operator is a flood
FLOOD_BUCKETS = 6  # the last hour


@dataclass(frozen=True)
class Bucket:
    start: datetime  # exclusive
    end: datetime  # inclusive
    count: int


@dataclass(frozen=True)
class FloodMeter:
    current: int
    flood: bool
    buckets: tuple[Bucket, ...]  # oldest first; the last one is the current window


def history_start(now: datetime) -> datetime:
    """The earliest raise time the meter looks at."""
    return now - FLOOD_WINDOW * FLOOD_BUCKETS


def flood_meter(raised: Sequence[datetime], now: datetime) -> FloodMeter:
    """Count raise times into the 6 ten-minute windows ending at `now`."""
    buckets = []
    for i in range(FLOOD_BUCKETS, 0, -1):
        start, end = now - FLOOD_WINDOW * i, now - FLOOD_WINDOW * (i - 1)
        buckets.append(Bucket(start, end, sum(1 for at in raised if start < at <= end)))
    current = buckets[-1].count
    return FloodMeter(current, current > FLOOD_THRESHOLD, tuple(buckets))
