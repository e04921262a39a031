"""Which topics a gateway subscribes to, alone or as one of several replicas (pure).

Alone: the urgent link takes events, states and command results (QoS 1, persistent session);
the telemetry process takes heartbeats (QoS 0).

As a replica in an MQTT v5 shared subscription group (docs/decisions.md, "Gateway
replicas"): events arrive on `$share/<group>/...`, so the broker hands each event to exactly
one replica, which records it and acknowledges it. Supervision needs every device's every
sign of life, so each replica's telemetry process also takes states and a QoS 0 copy of the
events (non-shared) — only to note who spoke, never to raise an alert from them. Command
results stay non-shared: the replica that sent the command is the one waiting for its result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.protocol import TOPIC_PREFIX

_GROUP = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # no `/`, `+` or `#`: MQTT v5 §4.8.2


@dataclass(frozen=True)
class Plan:
    urgent: list[tuple[str, int]]  # the persistent, manually acknowledged link
    telemetry: list[tuple[str, int]]  # the telemetry process's QoS 0 link
    client_id: str
    outbox_name: str
    mqtt5: bool


def plan(site: str, replica: str | None = None, group: str | None = None,
         client_id: str | None = None) -> Plan:
    base = f"{TOPIC_PREFIX}/{site}/+"
    name = f"gateway-{site}" + (f"-{replica}" if replica else "")
    if group is None:
        return Plan([(f"{base}/evt", 1), (f"{base}/state", 1), (f"{base}/ack", 1)],
                    [(f"{base}/tel", 0)], client_id or name, f"{name}.db", False)
    if not _GROUP.match(group):
        raise ValueError(f"shared group {group!r}: want [A-Za-z0-9_-]{{1,64}}")
    if not replica:
        raise ValueError("a replica in a shared group needs a --replica-id (its own session "
                         "and outbox)")
    return Plan([(f"$share/{group}/{base}/evt", 1), (f"{base}/ack", 1)],
                [(f"{base}/tel", 0), (f"{base}/state", 0), (f"{base}/evt", 0)],
                client_id or name, f"{name}.db", True)
