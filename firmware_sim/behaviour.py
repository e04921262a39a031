"""How the simulated hardware behaves, as pure state machines: what each stimulus makes a
device report. No I/O; `device.py` publishes what these return.

Thresholds follow common domestic gas detectors: pre-alarm at 10 % LEL, alarm at 25 % LEL,
each with hysteresis so a level hovering at a threshold does not chatter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

PREALARM_LEL = 10.0
ALARM_LEL = 25.0
HYSTERESIS_LEL = 2.0  # a level must fall this far below a threshold to clear it
BATTERY_LOW_PCT = 20
NOISE_SIGMA_LEL = 0.15  # sensor noise on reported readings
DRIFT_STEP_LEL = 0.02  # zero drift per reading (a slow random walk)
DRIFT_MAX_LEL = 1.0

Report = tuple[str, str, dict[str, object]]  # (type, state, extra fields)


@dataclass
class Battery:
    pct: int = 100
    reported_low: bool = False

    def drain(self, pct: int) -> list[Report]:
        self.pct = max(0, self.pct - pct)
        if self.pct < BATTERY_LOW_PCT and not self.reported_low:
            self.reported_low = True
            return [("battery", "low", {"pct": self.pct})]
        return []

    def replace(self) -> list[Report]:
        self.pct = 100
        if self.reported_low:
            self.reported_low = False
            return [("battery", "ok", {"pct": 100})]
        return []


@dataclass
class GasDetector:
    level: float = 0.0  # the true gas concentration, % LEL
    drift: float = 0.0
    state: str = "normal"  # normal | prealarm | alarm
    valve: str = "open"  # open | closed
    valve_stuck: bool = False
    battery: Battery = field(default_factory=Battery)
    silenced: bool = False
    rng: random.Random = field(default_factory=random.Random)

    def reading(self) -> float:
        """What the sensor reads now: true level, zero drift and noise, clamped to 0-100."""
        self.drift = max(-DRIFT_MAX_LEL, min(DRIFT_MAX_LEL,
                                             self.drift + self.rng.uniform(-1, 1) * DRIFT_STEP_LEL))
        value = self.level + self.drift + self.rng.gauss(0, NOISE_SIGMA_LEL)
        return round(max(0.0, min(100.0, value)), 1)

    def set_level(self, lel: float) -> list[Report]:
        self.level = max(0.0, min(100.0, lel))
        return self._evaluate(self.level)

    def _evaluate(self, lel: float) -> list[Report]:
        if lel >= ALARM_LEL or (self.state == "alarm" and lel >= ALARM_LEL - HYSTERESIS_LEL):
            new = "alarm"
        elif lel >= PREALARM_LEL or (self.state != "normal"
                                     and lel >= PREALARM_LEL - HYSTERESIS_LEL):
            new = "prealarm"
        else:
            new = "normal"
        if new == self.state:
            return []
        self.state = new
        if new != "normal":
            self.silenced = False
        return [("gas", new, {"lel": round(lel, 1)})]

    def command(self, cmd: str) -> tuple[bool, str | None, list[Report]]:
        """Obey a command: (ok, error, reports)."""
        if cmd in ("valve_close", "valve_open"):
            want = "closed" if cmd == "valve_close" else "open"
            if self.valve_stuck:
                return False, "valve stuck", [("valve", "stuck", {})]
            if self.valve == want:
                return True, None, []
            self.valve = want
            return True, None, [("valve", want, {})]
        if cmd == "silence":
            self.silenced = True
            return True, None, []
        if cmd == "self_test":
            # A short test alarm: the detector reports an alarm and the return to normal.
            return True, None, [("gas", "alarm", {"lel": ALARM_LEL}),
                                ("gas", self.state, {"lel": round(self.level, 1)})]
        if cmd == "reboot":
            return True, None, []
        return False, f"unknown command {cmd!r}", []


@dataclass
class PanicButton:
    pressed: bool = False
    battery: Battery = field(default_factory=Battery)

    def press(self) -> list[Report]:
        """A press latches: a held or repeated press is one event, not many."""
        if self.pressed:
            return []
        self.pressed = True
        return [("panic", "pressed", {})]

    def reset(self) -> list[Report]:
        if not self.pressed:
            return []
        self.pressed = False
        return [("panic", "reset", {})]

    def command(self, cmd: str) -> tuple[bool, str | None, list[Report]]:
        if cmd in ("silence", "reboot", "self_test"):
            return True, None, []
        if cmd in ("valve_close", "valve_open"):
            return False, "no valve on this device", []
        return False, f"unknown command {cmd!r}", []


@dataclass
class Latch:
    """A two-state condition reported once per change: tamper, sensor fault, mains."""

    type: str
    on: str
    off: str
    active: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    def set(self, active: bool, **extra: object) -> list[Report]:
        """Report a change; the clearing report repeats the fields of the active one (a
        cleared fault still names its code)."""
        if active == self.active:
            return []
        self.active = active
        if active:
            self.extra = dict(extra)
        return [(self.type, self.on if active else self.off, dict(extra or self.extra))]
