"""Is the control room reachable? One explicit rule, and the thread that feeds it.

The kiosk polls `/api/health` every `POLL_S` with a `PROBE_TIMEOUT_S` timeout. It is offline
after `FAILURES_OFFLINE` failed probes in a row (or a failed API call, which counts as one) and
online again after the first good probe. Worst case to show the banner: a hung control room
costs 2 × (1.0 + 1.5) s = 5 s; a stopped one (connection refused at once) about 2 s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FAILURES_OFFLINE", "POLL_S", "PROBE_TIMEOUT_S", "Connectivity", "HealthPoller"]

POLL_S = 1.0
PROBE_TIMEOUT_S = 1.5
# One lost probe is a blip (a busy control room, a dropped packet); two in a row are an outage.
FAILURES_OFFLINE = 2


@dataclass
class Connectivity:
    online: bool = True
    failures: int = 0

    def probe(self, ok: bool) -> bool:
        """Record one probe; returns whether `online` changed."""
        before = self.online
        if ok:
            self.failures = 0
            self.online = True
        else:
            self.failures += 1
            if self.failures >= FAILURES_OFFLINE:
                self.online = False
        return self.online != before

    def call_failed(self) -> bool:
        """A call got no answer at all: offline now, the next good probe brings it back."""
        before = self.online
        self.failures = max(self.failures, FAILURES_OFFLINE)
        self.online = False
        return self.online != before


class HealthPoller:
    """Runs `check()` every `every` seconds on a daemon thread and reports each result with
    `report(ok)` (the app hands it to the UI thread)."""

    def __init__(self, check: Callable[[], bool], report: Callable[[bool], None],
                 every: float = POLL_S) -> None:
        self._check = check
        self._report = report
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-health", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._report(self._check())
            self._stop.wait(self._every)
