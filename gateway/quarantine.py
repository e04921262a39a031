"""Bounded keep of rejected input, for inspection, with counts by reason."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Rejected:
    at: float
    source: str  # topic or serial port
    reason: str
    detail: str
    payload: bytes


class Quarantine:
    def __init__(self, limit: int = 1000) -> None:
        self._items: deque[Rejected] = deque(maxlen=limit)
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, item: Rejected) -> None:
        with self._lock:
            self._items.append(item)
            self.counts[item.reason] += 1

    def items(self) -> list[Rejected]:
        with self._lock:
            return list(self._items)

    @property
    def total(self) -> int:
        return sum(self.counts.values())
