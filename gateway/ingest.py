"""From an inbound MQTT message to what the control room must hear: alert signals and
device health. No I/O: the caller delivers the result and then acknowledges the message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from config import Site
from gateway.classify import classify
from gateway.messages import Inbound, SignalOut
from gateway.protocol import (
    ProtocolError,
    device_topic,
    parse_event,
    parse_state,
    parse_telemetry,
)
from gateway.quarantine import Quarantine, Rejected

LEL_STEP = 1.0  # % LEL: gas-level changes smaller than this are not reported


@dataclass
class DeviceHealth:
    online: bool | None = None
    last_seen: float | None = None
    battery: int | None = None
    lel: float | None = None


@dataclass(frozen=True)
class Processed:
    signals: list[SignalOut]
    heard: str | None = None  # a registered device that spoke (supervision)
    mark: str | None = None  # what it said, as (channel, boot, seq): see supervision.py
    gone: str | None = None  # a device whose state went `offline` (its last will)


class Ingestor:
    def __init__(self, site: Site, quarantine: Quarantine) -> None:
        self.site = site
        self.quarantine = quarantine
        self.health: dict[str, DeviceHealth] = {}
        self.dirty: set[str] = set()  # devices whose health changed since the last report
        self.seen: set[str] = set()  # devices heard from since the last full report
        self.received = 0

    def _reject(self, msg: Inbound, reason: str, detail: str) -> Processed:
        self.quarantine.add(
            Rejected(msg.received_at, msg.topic, reason, detail, msg.payload[:2048]))
        return Processed([])

    def _touch(self, device: str, when: float, **changes: object) -> None:
        h = self.health.setdefault(device, DeviceHealth())
        before = (h.online, h.battery, h.lel)
        h.last_seen = when
        self.seen.add(device)
        for k, v in changes.items():
            if v is not None:
                setattr(h, k, v)
        # A gas reading is noisy in its last digit: only a move of LEL_STEP or more is a
        # change worth sending; otherwise every heartbeat would be "on change".
        lel_moved = (h.lel is None) != (before[2] is None) or (
            h.lel is not None and before[2] is not None and abs(h.lel - before[2]) >= LEL_STEP)
        if (h.online, h.battery) != before[:2] or lel_moved:
            self.dirty.add(device)
        elif not lel_moved:
            h.lel = before[2]  # keep the last reported level as the reference

    def process(self, msg: Inbound) -> Processed:
        self.received += 1
        try:
            t = device_topic(msg.topic, self.site.id, self.site.devices)
        except ProtocolError as exc:
            return self._reject(msg, exc.reason, exc.detail)
        device = self.site.devices[t.device]
        try:
            if t.channel == "state":
                if msg.payload == b"":  # a cleared retained message
                    return Processed([])
                online = parse_state(msg.payload)
                self._touch(device.id, msg.received_at, online=online)
                return (Processed([], heard=device.id) if online
                        else Processed([], gone=device.id))
            if t.channel == "tel":
                tel = parse_telemetry(device.id, msg.payload)
                self._touch(device.id, msg.received_at, online=True, battery=tel.batt, lel=tel.lel)
                return Processed([], heard=device.id, mark=f"tel:{tel.boot}:{tel.seq}")
            if t.channel == "evt":
                ev = parse_event(device.id, msg.payload)
            else:
                return Processed([], heard=device.id)  # ack: a command's result
        except ProtocolError as exc:
            return self._reject(msg, exc.reason, exc.detail)
        self._touch(device.id, msg.received_at, online=True,
                    battery=ev.pct if ev.type == "battery" else None,
                    lel=ev.lel if ev.type == "gas" else None)
        observed = datetime.fromtimestamp(msg.received_at, UTC).isoformat()
        detail: dict[str, object] = {"event": f"{ev.type}/{ev.state}", "device_ts": ev.ts,
                                     "seq": ev.seq, "boot": ev.boot}
        for name in ("lel", "code", "pct"):
            if getattr(ev, name) is not None:
                detail[name] = getattr(ev, name)
        signals = [
            SignalOut(f"{ev.key}/{s.kind}", device.id, s.kind, s.priority, s.condition,
                      observed, detail)
            for s in classify(ev, device.kind)
        ]
        return Processed(signals, heard=device.id, mark=f"evt:{ev.boot}:{ev.seq}")

    def state(self, device: str, when: float, online: bool) -> None:
        """A state message taken in elsewhere (a replica's telemetry process)."""
        self._touch(device, when, online=online)

    def heartbeats(self, seen: dict[str, tuple[float, int | None, float | None]]) -> None:
        """Telemetry validated elsewhere (the telemetry process): device -> (received at,
        battery, gas level) of its latest heartbeat."""
        for device, (when, batt, lel) in seen.items():
            self._touch(device, when, online=True, battery=batt, lel=lel)

    def take_health_report(self, *, with_last_seen: bool = False) -> list[dict[str, object]]:
        """Health of the devices that changed since the last call (sent on change, not per
        message); with `with_last_seen`, also every device heard from, to refresh last seen."""
        devices = self.dirty | self.seen if with_last_seen else self.dirty
        if with_last_seen:
            self.seen.clear()
        out: list[dict[str, object]] = []
        for dev in sorted(devices):
            h = self.health[dev]
            out.append({
                "id": dev, "online": h.online, "battery": h.battery, "lel": h.lel,
                "last_seen": datetime.fromtimestamp(h.last_seen, UTC).isoformat()
                if h.last_seen else None,
            })
        self.dirty.clear()
        return out
