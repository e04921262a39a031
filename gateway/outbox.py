"""The gateway's durable outbox: alert signals recorded before the broker is acknowledged,
delivered to the control room highest priority first, removed only after it accepted them.

SQLite with synchronous=FULL: a signal `put` has been written to disk when `put` returns, so
a gateway killed at any moment loses nothing (ARCHITECTURE §8). The contract follows
ThingsBoard's offline buffer: `put`, `next_batch`, `ack_batch`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gateway.messages import SignalOut


@dataclass(frozen=True)
class Queued:
    id: int
    priority: int
    body: dict[str, object]


class Outbox:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, key TEXT UNIQUE, "
            "priority INTEGER NOT NULL, body TEXT NOT NULL, created REAL NOT NULL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS outbox_order ON outbox (priority, id)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._lock = threading.Lock()
        self.has_work = threading.Event()
        if self.depth():
            self.has_work.set()

    def put(self, signals: list[SignalOut]) -> None:
        """Record signals durably, in one transaction. A key already queued is kept once."""
        if not signals:
            return
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO outbox (key, priority, body, created) VALUES (?,?,?,?)",
                [(s.key, s.priority, json.dumps(s.as_json()), now) for s in signals])
            self._db.execute("COMMIT")
        self.has_work.set()

    def next_batch(self, limit: int = 100) -> list[Queued]:
        """The most urgent queued signals: priority first, then in arrival order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, priority, body FROM outbox ORDER BY priority, id LIMIT ?",
                (limit,)).fetchall()
        return [Queued(i, p, json.loads(b)) for i, p, b in rows]

    def ack_batch(self, ids: list[int]) -> None:
        with self._lock:
            if ids:
                # One transaction (one fsync), not one per row: a flood's batch of hundreds
                # would otherwise spend longer here than at the control room.
                self._db.execute("BEGIN")
                self._db.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])
                self._db.execute("COMMIT")
            if not self._db.execute("SELECT 1 FROM outbox LIMIT 1").fetchone():
                self.has_work.clear()

    def depth(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def oldest_age(self, now: float | None = None) -> float:
        with self._lock:
            row = self._db.execute("SELECT min(created) FROM outbox").fetchone()
        return 0.0 if row[0] is None else (now or time.time()) - float(row[0])

    # A small key/value store beside the queue, for state that must survive a restart
    # (the supervisor's view of which devices are offline).
    def save(self, key: str, value: object) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                             (key, json.dumps(value)))

    def load(self, key: str, default: object = None) -> object:
        with self._lock:
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
