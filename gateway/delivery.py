"""The gateway's drainer: the outbox delivered to the control room, highest priority first.

Whatever is queued goes at once, most urgent first: one signal alone in its own request
(nothing waits to fill a batch), several in one batch request; a control room that refuses the
batch call gets them one at a time. A signal leaves the outbox only once the control room took
it or refused it for good (then it is quarantined); while the control room is unreachable the
drainer retries with a doubling delay, and nothing is dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from gateway.controlroom_client import Rejected, Unreachable
from gateway.metrics import Metrics
from gateway.outbox import Outbox, Queued
from gateway.quarantine import Quarantine
from gateway.quarantine import Rejected as QuarantineItem

log = logging.getLogger("gateway")

RETRY_MAX_S = 10.0
DELIVER_BATCH = 200  # signals per delivery request (the control room takes up to 500)


class Client(Protocol):
    """What delivery needs of the control room (gateway.controlroom_client has it)."""

    def post_signal(self, signal: dict[str, object]) -> dict[str, object]: ...

    def post_signals(self, signals: list[dict[str, object]]) -> list[dict[str, object]]: ...


class Delivery:
    def __init__(self, outbox: Outbox, controlroom: Client, metrics: Metrics,
                 quarantine: Quarantine, stopping: threading.Event) -> None:
        self.outbox = outbox
        self.controlroom = controlroom
        self.metrics = metrics
        self.quarantine = quarantine
        self.stopping = stopping

    def drain(self) -> None:
        """The drainer thread's loop, until `stopping` is set."""
        delay = 0.2
        while not self.stopping.is_set():
            if not self.outbox.has_work.wait(0.5):
                continue
            batch = self.outbox.next_batch(DELIVER_BATCH)
            try:
                done = self.deliver(batch)
            except Unreachable as exc:
                log.warning("control room unreachable (%s); %d queued; retrying in %.1fs",
                            exc, self.outbox.depth(), delay)
                self.stopping.wait(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            self.outbox.ack_batch(done)
            delay = 0.2

    def deliver(self, batch: list[Queued]) -> list[int]:
        """Deliver a batch; the ids the control room took (or refused for good). Raises
        Unreachable when nothing could be delivered; what was taken before is acknowledged."""
        if len(batch) > 1:
            started = time.monotonic()
            try:
                results = self.controlroom.post_signals([q.body for q in batch])
            except Rejected as exc:
                # The batch as a whole refused (e.g. a control room without the batch call):
                # one at a time, so each signal gets its own answer.
                log.warning("batch refused (%s): delivering one at a time", exc)
            else:
                for q, r in zip(batch, results, strict=True):
                    if r.get("status") == 200:
                        self.metrics.delivered += 1
                    else:
                        self._reject(q, f"HTTP {r.get('status')} {r.get('detail')}")
                log.info("delivered a batch of %d signals in %.0f ms", len(batch),
                         (time.monotonic() - started) * 1000)
                return [q.id for q in batch]
        done: list[int] = []
        for q in batch:
            try:
                self.controlroom.post_signal(q.body)
                self.metrics.delivered += 1
            except Rejected as exc:
                self._reject(q, str(exc))
            except Unreachable:
                if done:
                    self.outbox.ack_batch(done)
                raise
            done.append(q.id)
        return done

    def _reject(self, q: Queued, why: str) -> None:
        log.error("control room rejected %s: %s", q.body.get("key"), why)
        self.quarantine.add(QuarantineItem(time.time(), str(q.body.get("device")),
                                           "rejected_by_controlroom", why,
                                           str(q.body).encode()))
