"""Escalation of unacknowledged critical alerts (ARCHITECTURE §6), as pure functions.

A priority-1 alert that is not a test event and that nobody has acknowledged is escalated
30 s after it was raised, and again at 60 s. The thresholds are the alarm-receiving-centre
norms of EN 50518: 80 % of alarms handled within 30 s and 98.5 % within 60 s. An alert still
waiting at a threshold has already missed the norm; escalating it is how the control room
keeps that share small.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# EN 50518: 80 % of alarms handled within 30 s (level 1), 98.5 % within 60 s (level 2).
ESCALATE_AFTER: tuple[timedelta, ...] = (timedelta(seconds=30), timedelta(seconds=60))
ESCALATING_PRIORITY = 1
# Who is told when an alert escalates ("the supervisor role notified").
ESCALATION_ROLE = "supervisor"
# ARCHITECTURE §10: at 30 s the supervisor role, at 60 s the supervisor and the manager.
ESCALATION_ROLES: dict[int, tuple[str, ...]] = {1: ("supervisor",), 2: ("supervisor", "manager")}
# A building incident (possible riser leak) reaches both at once.
INCIDENT_ROLES: tuple[str, ...] = ("supervisor", "manager")


def escalation_level(raised_at: datetime, now: datetime) -> int:
    """How many escalation thresholds have passed since `raised_at` (0, 1 or 2)."""
    waited = now - raised_at
    return sum(1 for after in ESCALATE_AFTER if waited >= after)


def escalation_due(*, priority: int, test: bool, acknowledged: bool, resolved: bool,
                   raised_at: datetime, escalation: int, now: datetime) -> int | None:
    """The level an alert should be escalated to now, or None if nothing is due.

    Only priority-1, non-test, unacknowledged, unresolved alerts escalate; a level is never
    repeated or lowered, and a late check (after downtime) goes straight to the level due.
    """
    if priority != ESCALATING_PRIORITY or test or acknowledged or resolved:
        return None
    level = escalation_level(raised_at, now)
    return level if level > escalation else None

