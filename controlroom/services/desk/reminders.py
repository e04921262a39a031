"""When to remind about uncollected items and lent items (DOMAIN.md "Held items", seed 003).

Pure: times in, what is due out. The defaults: a reminder to the resident at 14 days, a final
notice at least 48 hours before the report to the supervisor, the report at 30 days. Time on
a vacation hold does not count (the resident said they are away; nothing is sent and the
30-day clock stops). Lent items (trolley, toolbox) are followed up after 3 days, then daily.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["ItemSchedule", "Period", "due_notice", "held_time", "lent_follow_up_due",
           "schedule"]

REMINDER_AFTER = timedelta(days=14)
REPORT_AFTER = timedelta(days=30)
FINAL_NOTICE_BEFORE = timedelta(hours=48)
LENT_FOLLOW_UP_AFTER = timedelta(days=3)
LENT_FOLLOW_UP_EVERY = timedelta(days=1)
NOTICES = ("reminder", "final_notice", "supervisor_report")  # in the order they fall due


@dataclass(frozen=True)
class ItemSchedule:
    reminder: timedelta = REMINDER_AFTER
    report: timedelta = REPORT_AFTER
    final_notice_before: timedelta = FINAL_NOTICE_BEFORE

    def __post_init__(self) -> None:
        if not self.reminder < self.report - self.final_notice_before:
            raise ValueError("the reminder must come before the final notice")

    def offsets(self) -> dict[str, timedelta]:
        """Storage age (hold time excluded) at which each notice falls due."""
        return {"reminder": self.reminder,
                "final_notice": self.report - self.final_notice_before,
                "supervisor_report": self.report}


@dataclass(frozen=True)
class Period:
    """A vacation hold: from `start` to `end` (None: still on)."""

    start: datetime
    end: datetime | None


def schedule(received_at: datetime, cfg: ItemSchedule = ItemSchedule()) -> dict[str, datetime]:
    """The notices of an item with no hold, by wall-clock time."""
    return {k: received_at + v for k, v in cfg.offsets().items()}


def held_time(received_at: datetime, now: datetime, holds: Iterable[Period]) -> timedelta:
    """How long the item has been waiting, not counting time on vacation hold."""
    paused = timedelta()
    for h in holds:
        start = max(h.start, received_at)
        end = min(h.end or now, now)
        if end > start:
            paused += end - start
    return (now - received_at) - paused


def due_notice(received_at: datetime, now: datetime, sent: Mapping[str, datetime],
               holds: Iterable[Period] = (), cfg: ItemSchedule = ItemSchedule()) -> str | None:
    """The one notice to send now, if any. `sent` maps the notices already sent to when.

    A reminder not yet sent when the final notice falls due is skipped (the final notice says
    more). The report never comes sooner than `final_notice_before` after the final notice
    actually went out, even if the job was down when it fell due. Nothing is sent while the
    flat is on hold.
    """
    holds = list(holds)
    if "supervisor_report" in sent or any(
            h.start <= now and (h.end is None or now < h.end) for h in holds):
        return None
    age = held_time(received_at, now, holds)
    offsets = cfg.offsets()
    if age >= offsets["final_notice"]:
        final = sent.get("final_notice")
        if final is None:
            return "final_notice"
        if age >= offsets["supervisor_report"] and now - final >= cfg.final_notice_before:
            return "supervisor_report"
        return None
    if age >= offsets["reminder"] and "reminder" not in sent:
        return "reminder"
    return None


def lent_follow_up_due(lent_at: datetime, now: datetime, returned: bool,
                       last_follow_up: datetime | None) -> bool:
    if returned or now - lent_at < LENT_FOLLOW_UP_AFTER:
        return False
    return last_follow_up is None or now - last_follow_up >= LENT_FOLLOW_UP_EVERY
