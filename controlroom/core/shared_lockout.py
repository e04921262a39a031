"""The lockout rule (controlroom/core/lockout.py) with its counts in the database, so that two
control-room replicas behind one load balancer count the same wrong guesses: a guesser whose
tries are spread over the replicas gets no more of them than against one.

Each call reads the key's row (locked against a concurrent writer on PostgreSQL), applies the
pure rule in memory and writes the result back in the same transaction. A caller already
inside a transaction (a pickup, whose refusal is recorded with the attempt) passes its session.
Rows nobody has touched for longer than the rule's window and lock are deleted on the next
write; an expired lock is forgotten as the in-memory rule forgets it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from controlroom.core.lockout import Attempt, Lockout
from controlroom.core.models import LockoutCount

__all__ = ["SharedLockout"]

T = TypeVar("T")


def _key_text(key: Hashable) -> str:
    text = "|".join(map(str, key)) if isinstance(key, tuple) else str(key)
    if len(text) <= 255:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


class SharedLockout:
    """`Lockout`'s check / fail / succeed, counted in the table `lockout_counts`."""

    def __init__(self, sessions: sessionmaker, max_failures: int, window_s: float,
                 lock_s: float) -> None:
        self.sessions = sessions
        self.max_failures = max_failures
        self.window_s = window_s
        self.lock_s = lock_s

    def check(self, key: Hashable, now: float, s: Session | None = None) -> Attempt:
        return self._run(key, lambda rule: rule.check(key, now), s, write=False)

    def fail(self, key: Hashable, now: float, s: Session | None = None) -> Attempt:
        return self._run(key, lambda rule: rule.fail(key, now), s, write=True, now=now)

    def succeed(self, key: Hashable, s: Session | None = None) -> None:
        """A right answer forgets the key's wrong ones (no write when there were none)."""
        self._run(key, lambda rule: rule.succeed(key), s, write=True, create=False)

    def _run(self, key: Hashable, step: Callable[[Lockout], T], s: Session | None, *,
             write: bool, now: float | None = None, create: bool = True) -> T:
        if s is not None:
            return self._apply(s, key, step, write, now, create)
        with self.sessions.begin() as own:
            return self._apply(own, key, step, write, now, create)

    def _apply(self, s: Session, key: Hashable, step: Callable[[Lockout], T], write: bool,
               now: float | None, create: bool) -> T:
        text = _key_text(key)
        if write and create:
            self._ensure_row(s, text, now)
        row = s.get(LockoutCount, text, with_for_update=write, populate_existing=True)
        rule = Lockout(self.max_failures, self.window_s, self.lock_s)
        if row is not None:
            rule.load(key, list(row.failures or []), row.locked_until)
        result = step(rule)
        if write and row is not None:
            failures, until = rule.state(key)
            if not failures and until is None:
                s.delete(row)
            else:
                row.failures, row.locked_until = failures, until
                row.updated_at = now if now is not None else row.updated_at
            if now is not None:
                stale = now - max(self.window_s, self.lock_s)
                s.execute(delete(LockoutCount).where(LockoutCount.updated_at < stale,
                                                     LockoutCount.key != text))
        return result

    @staticmethod
    def _ensure_row(s: Session, text: str, now: float | None) -> None:
        """Insert the key's row unless a replica already has: the row lock that follows then
        serialises every writer of this key."""
        # The control room runs on PostgreSQL or SQLite (config/settings.py); both have it.
        insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
        s.execute(insert(LockoutCount).values(
            key=text, failures=[], locked_until=None,
            updated_at=now if now is not None else 0.0).on_conflict_do_nothing(
                index_elements=["key"]))
