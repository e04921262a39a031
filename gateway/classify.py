"""What an event means for the control room: alert kind, priority and condition (ARCHITECTURE §6).

Pure: `classify(event, device_kind)` returns the alert signal an event raises or restores, or
None for events that raise nothing (a valve opening, a battery reported ok with no alert).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway.protocol import Event

Condition = Literal["active", "restored"]

# Priority by kind (§6). 1 critical, 2 urgent, 3 attention, 4 maintenance.
PRIORITY: dict[str, int] = {
    "gas_alarm": 1,
    "panic": 1,
    "medical": 1,
    "fire": 1,
    "incident": 1,
    "gas_prealarm": 2,
    "device_offline": 2,
    "panel_offline": 2,
    "tamper": 3,
    "power_loss": 3,
    "fault": 3,  # 2 on a gas detector or valve: see classify()
    "battery_low": 4,
}
# Device kinds whose faults degrade life safety (§6: "fault on a gas detector or valve").
SAFETY_DEVICE_KINDS = frozenset({"gas_detector"})


@dataclass(frozen=True)
class Signal:
    kind: str
    priority: int
    condition: Condition


def _signal(kind: str, condition: Condition, priority: int | None = None) -> Signal:
    return Signal(kind, priority or PRIORITY[kind], condition)


def classify(event: Event, device_kind: str) -> list[Signal]:
    """The alert signals one event carries, in order. Usually one; a gas level falling from
    alarm straight to normal restores both the alarm and the pre-alarm."""
    t, s = event.type, event.state
    if t == "gas":
        if s == "alarm":
            return [_signal("gas_alarm", "active")]
        if s == "prealarm":
            return [_signal("gas_prealarm", "active")]
        return [_signal("gas_alarm", "restored"), _signal("gas_prealarm", "restored")]
    if t == "panic":
        return [_signal("panic", "active" if s == "pressed" else "restored")]
    if t == "tamper":
        return [_signal("tamper", "active" if s == "open" else "restored")]
    if t == "fault":
        priority = 2 if device_kind in SAFETY_DEVICE_KINDS else 3
        return [_signal("fault", "active" if s == "active" else "restored", priority)]
    if t == "battery":
        return [_signal("battery_low", "active" if s == "low" else "restored")]
    if t == "power":
        return [_signal("power_loss", "active" if s == "lost" else "restored")]
    if t == "valve":
        # A stuck valve is a fault on the valve: urgent, since it may not shut off gas.
        return [_signal("fault", "active", 2)] if s == "stuck" else []
    return []
