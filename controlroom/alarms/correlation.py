"""Building-incident correlation (ARCHITECTURE §6), as a pure function of values.

Gas alarms in 2 or more distinct units of one building within 2 minutes suggest a leak in the
shared riser rather than in one kitchen: they raise one building-level `incident` whose
decision is evacuation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

INCIDENT_KIND = "incident"
INCIDENT_PRIORITY = 1
INCIDENT_TRIGGER_KIND = "gas_alarm"
INCIDENT_WINDOW = timedelta(minutes=2)
INCIDENT_MIN_UNITS = 2
INCIDENT_REASON = "possible riser leak: evacuation decision"


def in_window(raised_at: datetime, now: datetime) -> bool:
    """Whether a gas alarm raised at `raised_at` is recent enough to correlate at `now`."""
    return now - INCIDENT_WINDOW <= raised_at <= now


def correlated_units(alarms: Sequence[tuple[str | None, datetime]], now: datetime
                     ) -> list[str]:
    """The distinct units, sorted, whose gas alarm was raised within the window before `now`.

    `alarms` are (unit, raised_at) of the building's open, non-test gas alarms.
    """
    return sorted({unit for unit, raised_at in alarms
                   if unit is not None and in_window(raised_at, now)})


def incident_due(alarms: Sequence[tuple[str | None, datetime]], now: datetime) -> bool:
    """Whether these open gas alarms of one building amount to a building incident now."""
    return len(correlated_units(alarms, now)) >= INCIDENT_MIN_UNITS
