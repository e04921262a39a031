"""Lockouts after repeated wrong guesses (kiosk PINs, pickup codes): a pure rule, time passed in.

`Lockout(max_failures=5, window_s=300, lock_s=300)` counts wrong attempts per key (e.g.
`("pin", kiosk, unit)` or `("pickup", kiosk)`) inside a sliding window; the `max_failures`-th
wrong attempt locks the key for `lock_s`. A right answer clears the count. State is kept in
memory by whoever owns the Lockout; `controlroom/core/shared_lockout.py` keeps it in the
database instead, so that every replica behind one database counts the same guesses
(`load` and `state` carry one key's state in and out).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

__all__ = ["Attempt", "Lockout"]


@dataclass(frozen=True)
class Attempt:
    """The state after a wrong answer (or a check): how many tries are left, and for how long
    the key is locked (0 when it is not)."""

    attempts_left: int
    retry_after_s: float

    @property
    def locked(self) -> bool:
        return self.retry_after_s > 0


@dataclass
class Lockout:
    max_failures: int
    window_s: float
    lock_s: float
    _failures: dict[Hashable, list[float]] = field(default_factory=dict, repr=False)
    _locked_until: dict[Hashable, float] = field(default_factory=dict, repr=False)

    def check(self, key: Hashable, now: float) -> Attempt:
        """Before testing an answer: is the key locked, and how many tries remain?"""
        until = self._locked_until.get(key)
        if until is not None and now < until:
            return Attempt(0, until - now)
        if until is not None:
            del self._locked_until[key]
            self._failures.pop(key, None)
        recent = self._recent(key, now)
        return Attempt(self.max_failures - len(recent), 0.0)

    def fail(self, key: Hashable, now: float) -> Attempt:
        """Record a wrong answer; the max_failures-th inside the window locks the key."""
        state = self.check(key, now)
        if state.locked:
            return state
        recent = self._recent(key, now)
        recent.append(now)
        self._failures[key] = recent
        if len(recent) >= self.max_failures:
            self._locked_until[key] = now + self.lock_s
            return Attempt(0, self.lock_s)
        return Attempt(self.max_failures - len(recent), 0.0)

    def succeed(self, key: Hashable) -> None:
        """A right answer forgets the earlier wrong ones."""
        self._failures.pop(key, None)

    def load(self, key: Hashable, failures: list[float], locked_until: float | None) -> None:
        """Take one key's state as kept elsewhere (see `state`)."""
        self._failures[key] = list(failures)
        if locked_until is None:
            self._locked_until.pop(key, None)
        else:
            self._locked_until[key] = locked_until

    def state(self, key: Hashable) -> tuple[list[float], float | None]:
        """One key's state: the wrong attempts' times, and the end of its lock if any."""
        return list(self._failures.get(key, [])), self._locked_until.get(key)

    def _recent(self, key: Hashable, now: float) -> list[float]:
        return [t for t in self._failures.get(key, []) if now - t < self.window_s]
