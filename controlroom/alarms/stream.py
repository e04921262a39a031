"""Fan-out of alert changes to the SSE streams of this process.

Publishers run in worker threads (sync SQLAlchemy handlers); subscribers are asyncio
queues on the server's event loop, so publishing hops threads with call_soon_threadsafe.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

# A subscriber this far behind is dropped; its browser reconnects with Last-Event-ID and
# replays from the history table, so nothing is lost, and one slow client can't grow memory.
QUEUE_LIMIT = 1000


@dataclass(frozen=True)
class Message:
    id: int
    event: str
    data: str


class _Subscriber:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue(QUEUE_LIMIT)

    def offer(self, msg: Message | None) -> None:
        try:
            self.queue.put_nowait(msg)
        except asyncio.QueueFull:
            # Tell the stream to end; the None sentinel needs a slot, so clear one.
            self.queue.get_nowait()
            self.queue.put_nowait(None)


class Broadcaster:
    def __init__(self) -> None:
        self._subs: set[_Subscriber] = set()
        self._lock = threading.Lock()

    def subscribe(self) -> _Subscriber:
        sub = _Subscriber(asyncio.get_running_loop())
        with self._lock:
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: _Subscriber) -> None:
        with self._lock:
            self._subs.discard(sub)

    def publish(self, msg: Message) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, msg)
            except RuntimeError:  # the loop closed under us: the stream is gone
                self.unsubscribe(sub)

    @property
    def subscribers(self) -> int:
        return len(self._subs)
