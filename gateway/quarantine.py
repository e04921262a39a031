"""Bounded keep of rejected input, for inspection, with counts by reason."""

from __future__ import annotations

import base64
import logging
import threading
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

log = logging.getLogger("gateway.quarantine")


@dataclass(frozen=True)
class Rejected:
    at: float
    source: str  # topic, serial port or network peer
    reason: str
    detail: str
    payload: bytes


class Quarantine:
    def __init__(self, limit: int = 1000, unsent_limit: int = 500) -> None:
        self._items: deque[Rejected] = deque(maxlen=limit)
        # Not yet shown to the control room (gateway/service.py posts them); under a flood of
        # bad input the oldest unsent go first: the counts still have them.
        self._unsent: deque[Rejected] = deque(maxlen=unsent_limit)
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, item: Rejected) -> None:
        with self._lock:
            self._items.append(item)
            self._unsent.append(item)
            self.counts[item.reason] += 1

    def take_unsent(self, most: int = 200) -> list[Rejected]:
        with self._lock:
            return [self._unsent.popleft() for _ in range(min(most, len(self._unsent)))]

    def put_back(self, items: list[Rejected]) -> None:
        """Not delivered: first in line again (as room allows)."""
        with self._lock:
            room = (self._unsent.maxlen or 0) - len(self._unsent)
            self._unsent.extendleft(reversed(items[:max(0, room)]))

    def items(self) -> list[Rejected]:
        with self._lock:
            return list(self._items)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def device_of(source: str) -> str | None:
    """The device a topic names (`estate/v1/{site}/{device}/...`), or None."""
    parts = source.split("/")
    if len(parts) >= 4 and parts[0] == "estate" and parts[1] == "v1":
        return parts[3][:64] or None
    return None


def as_json(item: Rejected) -> dict[str, object]:
    """For `POST /api/gateway/quarantine`: the first 1 KiB of the payload, base64."""
    return {"at": datetime.fromtimestamp(item.at, UTC).isoformat(), "reason": item.reason,
            "source": item.source[:300], "device": device_of(item.source),
            "detail": item.detail[:2000],
            "payload_b64": base64.b64encode(item.payload[:1024]).decode("ascii"),
            "size": len(item.payload)}


class _Poster(Protocol):
    def post_quarantine(self, entries: list[dict[str, object]]) -> dict[str, object]: ...


def deliver(quarantine: Quarantine, client: _Poster) -> None:
    """What was rejected since the last round, to the control room for maintenance to inspect
    (the payloads' first 1 KiB). Not delivered: tried again next round."""
    from gateway.controlroom_client import Rejected as Refused
    from gateway.controlroom_client import Unreachable

    items = quarantine.take_unsent()
    if not items:
        return
    try:
        client.post_quarantine([as_json(i) for i in items])
    except Unreachable as exc:
        quarantine.put_back(items)
        log.info("quarantine entries not delivered yet (%s)", exc)
    except Refused as exc:
        log.warning("quarantine entries refused by the control room: %s", exc)
