"""Typed, frozen messages between the MQTT edge and the rest of the gateway. Only
mqtt_link.py knows paho; everything else sees these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Inbound(NamedTuple):
    # A NamedTuple, not a frozen dataclass: one is built per message on the broker thread,
    # and a frozen dataclass's __init__ costs several times as much at 10,000 messages/s.
    topic: str
    payload: bytes
    qos: int
    retain: bool
    mid: int
    received_at: float  # the gateway's own clock (time.time()); device clocks drift


@dataclass(frozen=True)
class SignalOut:
    """An alert signal for the control room. `key` makes its delivery idempotent.
    `zone` is set for a wired panel's zone (the control room maps it to the flat)."""

    key: str
    device: str
    kind: str
    priority: int
    condition: str
    observed_at: str
    detail: dict[str, object] = field(default_factory=dict)
    zone: str | None = None

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "key": self.key, "device": self.device, "kind": self.kind,
            "priority": self.priority, "condition": self.condition,
            "observed_at": self.observed_at, "detail": self.detail}
        if self.zone is not None:
            body["zone"] = self.zone
        return body
