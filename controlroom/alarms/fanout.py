"""The live alert stream across control-room replicas sharing one PostgreSQL database.

Every change to an alert writes an `alert_history` row, whose id is the SSE event id. On
PostgreSQL each such row is announced with `NOTIFY` *inside the transaction that writes it*,
and every replica (this one included) runs one listener that re-broadcasts what arrives into
its local `Broadcaster`, which feeds its SSE streams. So an operator on replica A sees an
alert that arrived at replica B, and nothing is announced that was rolled back.

Event ids must rise on every stream, or a browser resuming with `Last-Event-ID` would skip
what it has not seen. PostgreSQL delivers notifications in commit order, but sequence
values are handed out in insert order, and two transactions can commit the other way round.
So a transaction takes one advisory lock (the *stream lock*) before its first write and holds
it to its commit: writers to the control room's tables go one at a time (as on SQLite, where
that is the engine's rule), ids are allocated in commit order, and notifications arrive in id
order. Taking it before the first write, not before the first history row, keeps every other
lock a writer takes inside it, so it cannot deadlock with row locks. Device health, written
in bulk by the gateway and never in the same transaction as an alert, does not take it.

A payload carries the event id and the alert as JSON (what the stream sends), or only the ids
when the JSON would exceed PostgreSQL's 8000-byte limit; the listener then reads the alert.

SQLite keeps the in-process path: one process, and `AlertService` publishes after commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from controlroom.alarms.models import Alert, AlertHistory
from controlroom.alarms.stream import Broadcaster, Message

log = logging.getLogger(__name__)

CHANNEL = "butler_alert_stream"
STREAM_LOCK = 0x42_75_74_6C_65_72  # "Butler": one advisory lock key for the whole stream
MAX_PAYLOAD = 7900  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
RECONNECT_S = 1.0
_PENDING = "fanout.pending"
_LOCKED = "fanout.stream_locked"

# The first statement of a transaction that writes or locks rows, except device health.
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_LOCKING = re.compile(r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b", re.IGNORECASE)
_UNLOCKED = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?devices\"?\s",
                       re.IGNORECASE)


def takes_stream_lock(statement: str) -> bool:
    """Whether a statement makes its transaction a writer that must hold the stream lock."""
    if _UNLOCKED.match(statement):
        return False
    return bool(_WRITE.match(statement) or _LOCKING.search(statement))


def encode(event_id: int, alert_id: int, data: str) -> str:
    """The NOTIFY payload: `<event id> <alert JSON>`, or `<event id> @<alert id>` if large."""
    payload = f"{event_id} {data}"
    if len(payload.encode()) <= MAX_PAYLOAD:
        return payload
    return f"{event_id} @{alert_id}"


def decode(payload: str) -> tuple[int, int | None, str | None]:
    """(event id, alert id to read or None, alert JSON or None)."""
    head, _, rest = payload.partition(" ")
    if rest.startswith("@"):
        return int(head), int(rest[1:]), None
    return int(head), None, rest


class QuietBroadcaster(Broadcaster):
    """What `AlertService` publishes to on PostgreSQL: nothing, the listener does it."""

    def publish(self, msg: Message) -> None:
        return None


def install(engine: Engine, sessions: sessionmaker, alert_json: Callable[[Alert], str]) -> None:
    """Hook the stream lock and the in-transaction NOTIFY into this engine and sessions."""
    _install_stream_lock(engine)
    _install_notify(sessions, alert_json)


def _install_stream_lock(engine: Engine) -> None:
    """A transaction that writes alert history takes the stream lock first (ids in order)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _stream_lock(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                     executemany: bool) -> None:
        if conn.info.get(_LOCKED) or not takes_stream_lock(statement):
            return
        conn.info[_LOCKED] = True
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (STREAM_LOCK,))

    def _unlocked(conn: Any, *_: Any) -> None:
        conn.info.pop(_LOCKED, None)  # the transaction ended, and its advisory lock with it

    event.listen(engine, "commit", _unlocked)
    event.listen(engine, "rollback", _unlocked)

    @event.listens_for(engine.pool, "checkout")
    def _fresh(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        record.info.pop(_LOCKED, None)


def _install_notify(sessions: sessionmaker, alert_json: Callable[[Alert], str]) -> None:
    @event.listens_for(sessions, "after_flush")
    def _collect(session: Session, _ctx: Any) -> None:
        new = [o for o in session.new if isinstance(o, AlertHistory)]
        if new:
            session.info.setdefault(_PENDING, []).extend(new)

    @event.listens_for(sessions, "before_commit")
    def _notify(session: Session) -> None:
        if not session.info.get(_PENDING) and not session.new:
            return
        session.flush()  # the alert as it will be committed
        pending: list[AlertHistory | _Announced] = sorted(session.info.pop(_PENDING, []),
                                             key=lambda h: h.id)
        payloads = []
        for hist in pending:
            alert = session.get(Alert, hist.alert_id)
            if alert is not None:
                payloads.append(encode(hist.id, alert.id, alert_json(alert)))
        if len(payloads) == 1:
            session.execute(select(func.pg_notify(CHANNEL, payloads[0])))
        elif payloads:
            # A batch's changes in one round trip, in id order.
            session.execute(text(
                "SELECT pg_notify(:channel, p) FROM unnest(CAST(:payloads AS text[])) "
                "WITH ORDINALITY AS t(p, n) ORDER BY n"),
                {"channel": CHANNEL, "payloads": payloads})

    def _forget(session: Session, *_: Any) -> None:
        session.info.pop(_PENDING, None)

    event.listen(sessions, "after_commit", _forget)
    event.listen(sessions, "after_soft_rollback", _forget)


class _Announced(Protocol):
    id: int
    alert_id: int


def will_announce(session: Session, rows: list[Any]) -> None:
    """History rows inserted without ORM objects (a batch's): NOTIFY them at commit too,
    like those the session flushed. Each row has `id` and `alert_id`."""
    session.info.setdefault(_PENDING, []).extend(rows)


def _conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """This replica's LISTEN connection, re-broadcasting into the local Broadcaster."""

    def __init__(self, engine: Engine, broadcaster: Broadcaster,
                 read_alert: Callable[[int], str | None],
                 changes_since: Callable[[int], list[Message]]) -> None:
        self.conninfo = _conninfo(engine)
        self.broadcaster = broadcaster
        self.read_alert = read_alert
        self.changes_since = changes_since
        self.last_id = 0
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 30.0) -> None:
        """Start listening; return once LISTEN is in place (no event can fall before it)."""
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.ready.wait(), timeout)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                        self.conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    if self.last_id:
                        # Reconnected: what was committed while we were away, in order.
                        for msg in await asyncio.to_thread(self.changes_since, self.last_id):
                            self._publish(msg)
                    self.ready.set()
                    async for note in conn.notifies():
                        await self._receive(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("alert stream listener lost its connection; again in %s s",
                              RECONNECT_S)
                await asyncio.sleep(RECONNECT_S)

    async def _receive(self, payload: str) -> None:
        try:
            event_id, alert_id, data = decode(payload)
        except ValueError:
            log.warning("ignoring a malformed alert stream payload: %.80s", payload)
            return
        if data is None and alert_id is not None:
            data = await asyncio.to_thread(self.read_alert, alert_id)
            if data is None:
                return
        if data is not None:
            self._publish(Message(event_id, "alert", data))

    def _publish(self, msg: Message) -> None:
        if msg.id <= self.last_id:
            return  # replayed after a reconnect and then notified too
        self.last_id = msg.id
        self.broadcaster.publish(msg)
