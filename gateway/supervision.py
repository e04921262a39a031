"""Device supervision (ARCHITECTURE §6), as pure state: a device silent for 3 of its
supervision intervals, or whose last will arrives, is offline; hearing from it again restores.

Time is passed in. After a restart the gateway gives every device a fresh grace period (it
cannot know what it missed while down) but remembers which devices were offline, so a
restart neither marks every device offline nor forgets the ones that were.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MISSED_INTERVALS = 3  # §6: silent for 3 of its supervision intervals


@dataclass(frozen=True)
class Transition:
    device: str
    offline: bool  # True: went offline; False: back online
    at: float
    why: str  # "silent", "last_will", "heard"


@dataclass
class Supervisor:
    intervals: dict[str, float]  # device -> supervision interval, seconds
    now: float
    offline: set[str] = field(default_factory=set)
    last_seen: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for dev in self.intervals:
            self.last_seen.setdefault(dev, self.now)  # grace period from start-up

    def heard(self, device: str, at: float) -> list[Transition]:
        if device not in self.intervals:
            return []
        self.last_seen[device] = max(at, self.last_seen.get(device, at))
        if device in self.offline:
            self.offline.discard(device)
            return [Transition(device, False, at, "heard")]
        return []

    def last_will(self, device: str, at: float) -> list[Transition]:
        if device not in self.intervals or device in self.offline:
            return []
        self.offline.add(device)
        return [Transition(device, True, at, "last_will")]

    def tick(self, now: float) -> list[Transition]:
        out = []
        for dev, interval in self.intervals.items():
            if dev in self.offline:
                continue
            if now - self.last_seen.get(dev, now) > MISSED_INTERVALS * interval:
                self.offline.add(dev)
                out.append(Transition(dev, True, now, "silent"))
        return out
