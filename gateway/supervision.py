"""Device supervision (ARCHITECTURE §6), as pure state: a device silent for 3 of its
supervision intervals, or whose last will arrives, is offline; hearing from it again restores.

Time is passed in. After a restart the gateway gives every device a fresh grace period (it
cannot know what it missed while down) but remembers which devices were offline, so a
restart neither marks every device offline nor forgets the ones that were.

Marks make a transition's identity the same on every gateway replica (docs/decisions.md,
"Gateway replicas"): a mark names the last message heard from the device (channel, boot,
seq); every replica hears the same messages, so every replica names a device's going offline
(or coming back) the same, and the control room's idempotency key drops the copies. `flips`
counts transitions since the mark last changed, so a device that drops twice without a new
message is still two distinct transitions.

A last will and a heartbeat sent just before it travel on different connections (the urgent
link and the telemetry process), so the heartbeat can reach the supervisor after the will:
once a device's last will is in, only its `online` state (which a device publishes on
connecting, on the same connection as the will) or a message received clearly after the will
brings it back.

While the gateway cannot hear the devices (its broker links are down, or not up yet after a
start), their silence is not theirs: `deaf` renews their grace, so they are judged only on
the intervals the gateway was listening.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MISSED_INTERVALS = 3  # §6: silent for 3 of its supervision intervals
# How much later than its last will a message from another connection may be stamped and
# still have been sent before it (scheduling of two processes on a loaded machine).
LINK_SKEW_S = 2.0


@dataclass(frozen=True)
class Transition:
    device: str
    offline: bool  # True: went offline; False: back online
    at: float
    why: str  # "silent", "last_will", "heard"
    mark: str | None = None  # replica-independent identity; None: no message heard yet


@dataclass
class Supervisor:
    intervals: dict[str, float]  # device -> supervision interval, seconds
    now: float
    offline: set[str] = field(default_factory=set)
    last_seen: dict[str, float] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)
    flips: dict[str, int] = field(default_factory=dict)
    gone_at: dict[str, float] = field(default_factory=dict)  # device -> its last will's arrival
    grace: dict[str, float] = field(default_factory=dict)  # device -> last heard of as deaf

    def __post_init__(self) -> None:
        for dev in self.intervals:
            self.last_seen.setdefault(dev, self.now)  # grace period from start-up

    def _mark(self, device: str) -> str | None:
        mark = self.marks.get(device)
        if mark is None:
            return None
        self.flips[device] = self.flips.get(device, 0) + 1
        return f"{mark}.{self.flips[device]}"

    def heard(self, device: str, at: float, mark: str | None = None, *,
              said_online: bool = False) -> list[Transition]:
        """`mark`: the message's identity (e.g. `evt:3:4711`), when it carries one;
        `said_online`: the message is the device's `online` state."""
        if device not in self.intervals:
            return []
        # The same message may arrive on two links (a replica's event and its copy); only
        # the newest one names the device's latest word.
        newest = at >= self.last_seen.get(device, at)
        self.last_seen[device] = max(at, self.last_seen.get(device, at))
        if mark is not None and newest and mark != self.marks.get(device):
            self.marks[device] = mark
            self.flips[device] = 0
        if device in self.offline:
            gone = self.gone_at.get(device)
            if gone is not None and not said_online and at < gone + LINK_SKEW_S:
                return []  # sent before its last will, on another connection: still gone
            self.offline.discard(device)
            self.gone_at.pop(device, None)
            return [Transition(device, False, at, "heard", self._mark(device))]
        return []

    def last_will(self, device: str, at: float) -> list[Transition]:
        if device not in self.intervals or device in self.offline:
            return []
        self.offline.add(device)
        self.gone_at[device] = at
        return [Transition(device, True, at, "last_will", self._mark(device))]

    def deaf(self, devices: list[str], now: float) -> None:
        """The gateway cannot hear `devices` at `now` (its link to them is down): their
        silence so far does not count against them."""
        for dev in devices:
            self.grace[dev] = now

    def tick(self, now: float) -> list[Transition]:
        out = []
        for dev, interval in self.intervals.items():
            if dev in self.offline:
                continue
            since = max(self.last_seen.get(dev, now), self.grace.get(dev, -math.inf))
            if now - since > MISSED_INTERVALS * interval:
                self.offline.add(dev)
                out.append(Transition(dev, True, now, "silent", self._mark(dev)))
        return out
