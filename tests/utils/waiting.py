"""The one wait: poll a condition until it holds, never sleep instead of waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(what: str, check: Callable[[], Any], timeout: float = 30.0,
               every: float = 0.2) -> Any:
    """Poll `check()` until it returns something truthy and return that; after `timeout`
    seconds fail with `what` (and the last value seen)."""
    deadline = time.monotonic() + timeout
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")
        time.sleep(every)
