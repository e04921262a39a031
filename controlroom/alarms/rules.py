"""Alert lifecycle rules (ARCHITECTURE §6), as pure functions of values.

Lifecycle `open → acknowledged → dispatched → resolved`; separately the condition is
`active` or `restored`. Priority 1 and 2 latch: a restore never resolves them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from controlroom.core import errors

LATCHING_PRIORITIES = frozenset({1, 2})


class SignalOutcome(StrEnum):
    CREATE = "create"  # no open alert: raise one
    REPEAT = "repeat"  # open and active: count it, never duplicate
    REACTIVATE = "reactivate"  # open but restored: active again, count it
    RESTORE = "restore"  # latched: condition restored, stays open for the operator
    RESTORE_AND_RESOLVE = "restore_and_resolve"  # non-latching: the restore closes it
    IGNORE = "ignore"  # a restore with nothing open, or a restore repeated


class TransitionError(errors.Conflict):
    """An operator action the alert's current state does not allow."""


def latches(priority: int, test: bool) -> bool:
    """Priority 1 and 2 latch; a test event never does (nobody is sent to a test)."""
    return priority in LATCHING_PRIORITIES and not test


def on_signal(
    open_condition: str | None, condition: Literal["active", "restored"], latching: bool
) -> SignalOutcome:
    """What a device signal does to the one open alert of its device and kind.

    `open_condition` is that alert's condition, or None when there is no open alert.
    """
    if open_condition is None:
        return SignalOutcome.CREATE if condition == "active" else SignalOutcome.IGNORE
    if condition == "active":
        return SignalOutcome.REPEAT if open_condition == "active" else SignalOutcome.REACTIVATE
    if open_condition == "restored":
        return SignalOutcome.IGNORE
    if latching:
        return SignalOutcome.RESTORE
    return SignalOutcome.RESTORE_AND_RESOLVE


def next_state(state: str, action: Literal["ack", "dispatch", "resolve"]) -> str:
    """The state after an operator action, or TransitionError saying why not."""
    if state == "resolved":
        raise TransitionError("the alert is already resolved")
    if action == "ack":
        if state != "open":
            raise TransitionError(f"the alert is already {state}")
        return "acknowledged"
    if action == "dispatch":
        # Dispatching an unacknowledged alert acknowledges it too: the operator has seen it.
        return "dispatched"
    if action == "resolve":
        return "resolved"
    raise TransitionError(f"unknown action {action!r}")


def open_key(site: str, device: str | None, building: str | None, kind: str) -> str:
    """The key that is unique among open alerts: one per device and kind (or per building
    for building-level kinds such as `incident`)."""
    return f"{site}/{device or 'building:' + (building or '-')}/{kind}"
