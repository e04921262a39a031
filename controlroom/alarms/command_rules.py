"""Which device commands (ARCHITECTURE §4 `cmd`) a console user may send, and when. Pure: the
caller passes the role, the device's kind and the state of its gas alarms.

- `valve_open` (a gas detector's valve): operators, supervisors, admins; only when the
  detector's latest gas alarm is resolved (no gas alarm open: the valve closed for a reason),
  and only with `confirm` set (the console asks first: reopening gas is not undone by a click).
- `silence` (the sounder): operators, supervisors, admins.
- `self_test` and `reboot`: maintenance, supervisors, admins.
- `valve_close` is the gateway's own (the automatic close on a gas alarm), not the console's.
"""

from __future__ import annotations

from dataclasses import dataclass

CONSOLE_COMMANDS: dict[str, tuple[str, ...]] = {
    "valve_open": ("operator", "supervisor", "admin"),
    "silence": ("operator", "supervisor", "admin"),
    "self_test": ("maintenance", "supervisor", "admin"),
    "reboot": ("maintenance", "supervisor", "admin"),
}
VALVE_KINDS = frozenset({"gas_detector"})
DEFAULT_TIMEOUT_S = 30
STATES = ("requested", "sent", "ok", "failed", "no_answer")


@dataclass(frozen=True)
class Refusal:
    status: int  # 403 not this role, 409 not now, 422 not this device
    code: str
    detail: str


@dataclass(frozen=True)
class GasAlarms:
    """The device's gas alarms as far as `valve_open` cares."""

    open: bool  # a gas alarm of the device not resolved
    last_resolved_id: int | None  # its latest resolved one


def check(cmd: str, role: str, device_kind: str, gas: GasAlarms, confirm: bool
          ) -> Refusal | None:
    if cmd not in CONSOLE_COMMANDS:
        return Refusal(422, "unknown_command",
                       f"{cmd!r} is not a console command ({', '.join(CONSOLE_COMMANDS)})")
    if role not in CONSOLE_COMMANDS[cmd]:
        return Refusal(403, "not_your_command",
                       f"{cmd} is for {', '.join(CONSOLE_COMMANDS[cmd])}, not {role}")
    if cmd != "valve_open":
        return None
    if device_kind not in VALVE_KINDS:
        return Refusal(422, "no_valve", f"a {device_kind} has no gas valve")
    if gas.open:
        return Refusal(409, "gas_alarm_open",
                       "the gas alarm is not resolved: resolve it before reopening the valve")
    if gas.last_resolved_id is None:
        return Refusal(409, "no_gas_alarm",
                       "the valve is reopened only after a resolved gas alarm")
    if not confirm:
        return Refusal(409, "confirm_required",
                       "reopening the gas valve needs confirmation (confirm: true)")
    return None


def state_now(state: str, requested_at_s: float, timeout_s: int, now_s: float) -> str:
    """A command not answered within its timeout is `no_answer`."""
    if state in ("requested", "sent") and now_s - requested_at_s >= timeout_s:
        return "no_answer"
    return state
