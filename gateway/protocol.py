"""Device wire protocol v1 (ARCHITECTURE §4): topics and payloads, parsed into typed values.

Pure: bytes and strings in, frozen dataclasses out, `ProtocolError` for anything the contract
does not allow. No MQTT library is imported here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container
from dataclasses import dataclass
from typing import Any, Literal

MAX_PAYLOAD = 1024  # bytes; §4: "at most 1 KiB"
TOPIC_PREFIX = "estate/v1"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
Channel = Literal["evt", "tel", "state", "cmd", "ack"]
CHANNELS: tuple[str, ...] = ("evt", "tel", "state", "cmd", "ack")

EVENT_STATES: dict[str, frozenset[str]] = {
    "gas": frozenset({"alarm", "prealarm", "normal"}),
    "panic": frozenset({"pressed", "reset"}),
    "tamper": frozenset({"open", "closed"}),
    "fault": frozenset({"active", "cleared"}),
    "battery": frozenset({"low", "ok"}),
    "power": frozenset({"lost", "restored"}),
    "valve": frozenset({"closed", "open", "stuck"}),
}
COMMANDS = frozenset({"valve_close", "valve_open", "silence", "self_test", "reboot"})


class ProtocolError(ValueError):
    """A topic or payload that breaks the contract. `reason` is a short machine-readable tag."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True)
class Topic:
    site: str
    device: str
    channel: str


@dataclass(frozen=True)
class Event:
    device: str
    seq: int
    boot: int
    ts: int
    type: str
    state: str
    lel: float | None = None
    code: str | None = None
    pct: int | None = None

    @property
    def key(self) -> str:
        """(device, boot, seq) identifies an event exactly once."""
        return f"{self.device}:{self.boot}:{self.seq}"


@dataclass(frozen=True)
class Telemetry:
    device: str
    seq: int
    boot: int
    ts: int
    lel: float | None = None
    batt: int | None = None
    rssi: int | None = None


def topic(site: str, device: str, channel: str) -> str:
    return f"{TOPIC_PREFIX}/{site}/{device}/{channel}"


def parse_topic(name: str) -> Topic:
    parts = name.split("/")
    if len(parts) != 5 or f"{parts[0]}/{parts[1]}" != TOPIC_PREFIX:
        raise ProtocolError("bad_topic", f"not estate/v1/{{site}}/{{device}}/{{channel}}: {name!r}")
    _, _, site, device, channel = parts
    if not _ID.match(site) or not _ID.match(device):
        raise ProtocolError("bad_topic", f"site or device id not [A-Za-z0-9_-]{{1,64}}: {name!r}")
    if channel not in CHANNELS:
        raise ProtocolError("bad_topic", f"unknown channel {channel!r}")
    return Topic(site, device, channel)


def _object(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError("oversize", f"{len(payload)} bytes > {MAX_PAYLOAD}")
    try:
        obj = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProtocolError("bad_utf8", str(exc)) from None
    except json.JSONDecodeError as exc:
        raise ProtocolError("bad_json", str(exc)) from None
    except RecursionError:
        # 1 KiB of `[` nests deeper than Python's json decoder recurses (found by the
        # property tests): without this, one such message would end the gateway's worker.
        raise ProtocolError("bad_json", "nested too deeply") from None
    if not isinstance(obj, dict):
        raise ProtocolError("not_object", f"payload is {type(obj).__name__}, not an object")
    return obj


def _int(obj: dict[str, Any], name: str, *, required: bool = True, lo: int | None = None,
         hi: int | None = None) -> int | None:
    if name not in obj:
        if required:
            raise ProtocolError("missing_field", name)
        return None
    v = obj[name]
    if isinstance(v, bool) or not isinstance(v, int):
        raise ProtocolError("wrong_type", f"{name} must be an integer, got {v!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ProtocolError("out_of_range", f"{name}={v} outside [{lo}, {hi}]")
    return v


def _num(obj: dict[str, Any], name: str, *, required: bool, lo: float, hi: float) -> float | None:
    if name not in obj:
        if required:
            raise ProtocolError("missing_field", name)
        return None
    v = obj[name]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ProtocolError("wrong_type", f"{name} must be a number, got {v!r}")
    if not lo <= v <= hi:
        raise ProtocolError("out_of_range", f"{name}={v} outside [{lo}, {hi}]")
    return float(v)


def _str(obj: dict[str, Any], name: str) -> str:
    if name not in obj:
        raise ProtocolError("missing_field", name)
    v = obj[name]
    if not isinstance(v, str):
        raise ProtocolError("wrong_type", f"{name} must be a string, got {v!r}")
    return v


_U63 = 2**63 - 1


def parse_event(device: str, payload: bytes) -> Event:
    obj = _object(payload)
    seq = _int(obj, "seq", lo=0, hi=_U63)
    boot = _int(obj, "boot", lo=0, hi=_U63)
    ts = _int(obj, "ts", lo=0, hi=_U63)
    etype = _str(obj, "type")
    state = _str(obj, "state")
    if etype not in EVENT_STATES:
        raise ProtocolError("unknown_type", f"type {etype!r}")
    if state not in EVENT_STATES[etype]:
        raise ProtocolError("unknown_state", f"state {state!r} for type {etype!r}")
    lel = _num(obj, "lel", required=etype == "gas", lo=0.0, hi=100.0)
    pct = _int(obj, "pct", required=etype == "battery", lo=0, hi=100)
    code = _str(obj, "code") if etype == "fault" else None
    assert seq is not None and boot is not None and ts is not None
    return Event(device, seq, boot, ts, etype, state, lel=lel, code=code, pct=pct)


def parse_telemetry(device: str, payload: bytes) -> Telemetry:
    obj = _object(payload)
    seq = _int(obj, "seq", lo=0, hi=_U63)
    boot = _int(obj, "boot", lo=0, hi=_U63)
    ts = _int(obj, "ts", lo=0, hi=_U63)
    assert seq is not None and boot is not None and ts is not None
    return Telemetry(
        device, seq, boot, ts,
        lel=_num(obj, "lel", required=False, lo=0.0, hi=100.0),
        batt=_int(obj, "batt", required=False, lo=0, hi=100),
        rssi=_int(obj, "rssi", required=False, lo=-200, hi=0),
    )


def parse_state(payload: bytes) -> bool:
    """`online` -> True, `offline` -> False."""
    text = payload.decode("utf-8", errors="replace").strip()
    if text == "online":
        return True
    if text == "offline":
        return False
    raise ProtocolError("bad_state", f"state payload {text[:32]!r}")


def device_topic(name: str, site: str, devices: Container[str]) -> Topic:
    """A topic of this site naming a registered device, or ProtocolError saying why not."""
    t = parse_topic(name)
    if t.site != site:
        raise ProtocolError("wrong_site", f"site {t.site!r} is not {site!r}")
    if t.device not in devices:
        raise ProtocolError("unknown_device", f"device {t.device!r} is not registered")
    return t
