"""The inactivity rule of a public screen: after `idle_s` without a touch the resident has
walked away, so their session ends and the attract screen returns. Time is passed in."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_IDLE_S", "IdleTimer"]

# Issue 7: one minute is long enough to read a fee statement, short enough that the next
# person in the lobby does not find someone else's account open.
DEFAULT_IDLE_S = 60.0


@dataclass
class IdleTimer:
    idle_s: float = DEFAULT_IDLE_S
    last_touch: float = 0.0

    def touch(self, now: float) -> None:
        self.last_touch = now

    def expired(self, now: float) -> bool:
        return now - self.last_touch >= self.idle_s

    def remaining(self, now: float) -> float:
        return max(0.0, self.idle_s - (now - self.last_touch))
