"""Automatic gas-valve closing on a gas alarm (ARCHITECTURE §6), as pure state: which
command to send, and what to record on the alert when the valve confirms, refuses or stays
silent. Time is passed in."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from gateway.messages import SignalOut

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


@dataclass
class Valves:
    enabled: bool
    pending: dict[str, tuple[str, float]] = field(default_factory=dict)  # id -> (device, due)

    def on_signal(self, sig: SignalOut, device_kind: str, now: float) -> Command | None:
        if not (self.enabled and sig.kind == "gas_alarm" and sig.condition == "active"
                and device_kind == "gas_detector"):
            return None
        if any(dev == sig.device for dev, _ in self.pending.values()):
            return None  # already closing it
        cid = f"vc-{sig.device}-{int(now * 1000)}"
        self.pending[cid] = (sig.device, now + CONFIRM_WITHIN_S)
        body = {"id": cid, "cmd": "valve_close", "ts": int(now * 1000)}
        return Command(sig.device, cid, json.dumps(body).encode())

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
        if ok is True:
            return Note(device, "gas_alarm", "gas valve closed automatically (confirmed)",
                        {"valve": "closed_confirmed"})
        error = str(body.get("error", "no reason given"))
        return Note(device, "gas_alarm", f"gas valve did NOT close: {error}",
                    {"valve": "failed", "valve_error": error})

    def expire(self, now: float) -> list[Note]:
        due = [(cid, dev) for cid, (dev, t) in self.pending.items() if t <= now]
        for cid, _ in due:
            del self.pending[cid]
        return [Note(dev, "gas_alarm", "gas valve sent no confirmation: check on site",
                     {"valve": "no_confirmation"}) for _, dev in due]
