"""Automatic gas-valve closing on a gas alarm (ARCHITECTURE §6), as pure state: which
command to send, and what to record on the alert when the valve confirms, refuses or stays
silent. Time is passed in.

A detector on test closes no valve (its alarm is a test: issue 17), and a wired panel's gas
zone closes the valve of the flat the zone is wired to, when the flat has a gas detector with
one; the note then goes to the panel's alert. `pending` is plain data (lists), so the gateway
can keep it across a restart (a confirmation that arrives after it is still recorded)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from config import Site
from gateway.messages import SignalOut

log = logging.getLogger("gateway.valves")
CONFIRM_WITHIN_S = 10.0  # a valve that has not answered by then is reported as silent


@dataclass(frozen=True)
class Command:
    device: str
    id: str
    payload: bytes


@dataclass(frozen=True)
class Note:
    device: str
    kind: str
    note: str
    detail: dict[str, object]


def valve_for(site: Site, sig: SignalOut) -> str | None:
    """The device whose valve a gas alarm closes: a detector's own; for a wired panel's zone,
    the gas detector of the flat the zone is wired to (None if the flat has none)."""
    device = site.devices.get(sig.device)
    if device is not None:
        return device.id if device.kind == "gas_detector" else None
    panel = site.panels.get(sig.device)
    if panel is None or sig.zone is None or sig.zone not in panel.zones:
        return None
    unit = panel.zones[sig.zone]
    return min((d.id for d in site.devices.values()
                if d.unit == unit and d.kind == "gas_detector"), default=None)


@dataclass
class Valves:
    enabled: bool
    # id -> [valve device, due, the device whose alert hears the answer]
    pending: dict[str, list[object]] = field(default_factory=dict)

    def on_signal(self, sig: SignalOut, device_kind: str, now: float,
                  on_test: frozenset[str] = frozenset()) -> Command | None:
        """A detector's own gas alarm closes its own valve."""
        valve = sig.device if device_kind == "gas_detector" else None
        return self.close_for(sig, valve, now, on_test)

    def close_for(self, sig: SignalOut, valve: str | None, now: float,
                  on_test: frozenset[str] = frozenset()) -> Command | None:
        """The valve_close command for `valve` on the gas alarm `sig`, if any."""
        if not (self.enabled and valve and sig.kind == "gas_alarm"
                and sig.condition == "active"):
            return None
        if valve in on_test or sig.device in on_test:
            log.warning("test alarm at %s: the valve of %s is left as it is", sig.device, valve)
            return None
        if any(entry[0] == valve for entry in self.pending.values()):
            return None  # already closing it
        cid = f"vc-{valve}-{int(now * 1000)}"
        self.pending[cid] = [valve, now + CONFIRM_WITHIN_S, sig.device]
        body = {"id": cid, "cmd": "valve_close", "ts": int(now * 1000)}
        return Command(valve, cid, json.dumps(body).encode())

    def on_ack(self, device: str, payload: bytes) -> Note | None:
        try:
            body = json.loads(payload)
            cid, ok = str(body["id"]), body["ok"]
        except (ValueError, KeyError, TypeError, RecursionError):  # any device's bytes
            return None
        entry = self.pending.get(cid)
        if entry is None or entry[0] != device:
            return None
        del self.pending[cid]
        alert_device = str(entry[2])
        where = "" if alert_device == device else f" ({device})"
        if ok is True:
            return Note(alert_device, "gas_alarm",
                        f"gas valve closed automatically (confirmed){where}",
                        {"valve": "closed_confirmed"})
        error = str(body.get("error", "no reason given"))
        return Note(alert_device, "gas_alarm", f"gas valve did NOT close{where}: {error}",
                    {"valve": "failed", "valve_error": error})

    def expire(self, now: float) -> list[Note]:
        due = [(cid, str(e[2])) for cid, e in self.pending.items()
               if float(e[1]) <= now]  # type: ignore[arg-type]
        for cid, _ in due:
            del self.pending[cid]
        return [Note(dev, "gas_alarm", "gas valve sent no confirmation: check on site",
                     {"valve": "no_confirmation"}) for _, dev in due]
