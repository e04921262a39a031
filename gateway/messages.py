"""Typed, frozen messages between the MQTT edge and the rest of the gateway. Only
mqtt_link.py knows paho; everything else sees these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Inbound:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    mid: int
    received_at: float  # the gateway's own clock (time.time()); device clocks drift
