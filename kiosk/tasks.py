"""Blocking calls off the UI thread, results back on it.

`TaskRunner.submit(call, done, failed)` runs `call()` on a worker thread and hands
`done(result)` or `failed(error)` to `deliver`, which the app sets to Kivy's
`Clock.schedule_once` (widgets may only be touched from the UI thread). Tests pass
`deliver=lambda fn: fn()` and `inline=True` to run everything synchronously.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from kiosk.api_client import ApiError

__all__ = ["TaskRunner"]

T = TypeVar("T")


class TaskRunner:
    def __init__(self, deliver: Callable[[Callable[[], None]], None], *,
                 inline: bool = False) -> None:
        self._deliver = deliver
        self._inline = inline
        # Two workers: a resident's call is never queued behind a slow one (e.g. a logout
        # against a control room that does not answer).
        self._pool = None if inline else ThreadPoolExecutor(2, thread_name_prefix="kiosk-api")

    def submit(self, call: Callable[[], T], done: Callable[[T], None],
               failed: Callable[[ApiError], None]) -> None:
        def work() -> None:
            try:
                result = call()
            except ApiError as exc:
                self._deliver(lambda e=exc: failed(e))
                return
            except Exception as exc:
                # A bug or a malformed answer: raised again on the UI thread, to be seen,
                # not lost inside the worker's future.
                self._deliver(lambda e=exc: _raise(e))
                return
            self._deliver(lambda: done(result))

        if self._pool is None:
            work()
        else:
            self._pool.submit(work)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)




def _raise(exc: Exception) -> None:
    raise exc
