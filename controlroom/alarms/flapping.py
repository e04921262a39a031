"""Flapping (chattering) detection (ARCHITECTURE §6), as a pure function of values.

A non-latching alert (priority 3/4) is resolved by its restore. A device toggling
active→restored more than FLAP_COUNT times within FLAP_WINDOW — a chattering tamper switch —
would otherwise raise a fresh alert each time; instead its alert is kept open, marked
`flapping`, and further toggles only count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

FLAP_COUNT = 3
FLAP_WINDOW = timedelta(minutes=10)


def is_flapping(earlier_toggles: Sequence[datetime], now: datetime, *,
                count: int = FLAP_COUNT, window: timedelta = FLAP_WINDOW) -> bool:
    """Whether the restore happening at `now` makes the device+kind flapping.

    `earlier_toggles` are the times of its earlier active→restored toggles; the one at `now`
    is counted too.
    """
    since = now - window
    recent = sum(1 for at in earlier_toggles if since <= at <= now)
    return recent + 1 > count
