"""The one guarded loop every background sweep of the control room runs in.

A sweep that raises (a database restart, a lock timeout) is logged with its traceback and runs
again at its next interval: in a safety system a job that dies silently is a missed alarm or a
device that never returns from test.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import Counter

log = logging.getLogger(__name__)
# The process's own (prometheus_client's default registry, served on /metrics).
FAILURES = Counter("butler_job_failures", "Background sweeps that raised, by sweep.", ["job"])


def run_every(interval_s: float, job: Callable[[], Awaitable[object]], name: str,
              *, first_delay_s: float | None = None,
              wake: asyncio.Event | None = None) -> asyncio.Task[None]:
    """Start `job` every `interval_s` seconds (the first run after `first_delay_s`, by default
    one interval) as an asyncio task; cancel the task to stop it. Setting `wake` runs it at
    once (e.g. the notification outbox on a commit that recorded a message)."""

    async def pause(delay: float) -> None:
        if wake is None:
            await asyncio.sleep(delay)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), delay)
        wake.clear()

    async def loop() -> None:
        delay = interval_s if first_delay_s is None else first_delay_s
        while True:
            await pause(delay)
            delay = interval_s
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                FAILURES.labels(name).inc()
                log.exception("%s failed; trying again in %s s", name, interval_s)

    return asyncio.create_task(loop(), name=name)
