"""A simulated wired alarm panel (ARCHITECTURE §5) on a pseudo-terminal.

The panel owns the master side of a pty in raw mode; its slave side (`SimPanel.path`, e.g.
`/dev/pts/5`) is what a receiver opens with pyserial exactly as it would a real RS-232 port.
It speaks SIA DC-09 / Contact ID (firmware_sim.dc09) with stop-and-wait delivery: one frame in
flight, retransmitted after `ack_timeout_s` without an ACK that echoes it, or at once after a
NAK, up to `max_attempts` transmissions; then the event is reported undelivered and the next
one goes. Every `test_report_interval_s` it queues a periodic test report (602, zone 000).

One worker thread does all the I/O: it sleeps in select() on the pty and a wake-up pipe until
a byte arrives, a command is queued or the next deadline (retransmission, test report) is due.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import termios
import threading
import time
import tty
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from config import Panel
from firmware_sim import dc09

log = logging.getLogger("firmware_sim.panel")

# The Contact ID code each event name raises by default (dc09.EVENT_CODES lists all of them).
EVENTS: dict[str, int] = {
    "gas": 151,
    "panic": 120,
    "medical": 100,
    "fire": 110,
    "tamper": 137,
    "trouble": 380,
    "battery": 302,
    "mains": 301,
}
PANEL_ZONE = 0  # zone 000: the panel itself (test report, mains, its own battery)

Status = Literal["queued", "sending", "acked", "rejected", "undelivered", "stopped"]


@dataclass
class Delivery:
    """One Contact ID event on its way to the receiver."""

    qualifier: int
    event: int
    group: int
    zone: int
    unit: str | None = None
    corrupt: dc09.Corruption | None = None  # corrupt its first transmission
    seq: int | None = None
    message: str | None = None
    frame: bytes | None = None
    attempts: int = 0
    status: Status = "queued"
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until it is acknowledged, rejected, given up or the panel stops."""
        return self._done.wait(timeout)


class SimPanel:
    """A Contact ID panel on a pty. Use as a context manager, or `start()` / `stop()`."""

    def __init__(
        self,
        panel: Panel,
        *,
        receiver: str | None = "0",
        line: str = "0",
        group: int = 1,
        ack_timeout_s: float = 2.0,
        max_attempts: int = 4,
        test_report_interval_s: float | None = None,
        test_reports: bool = True,
        timestamps: bool = True,
        last_seq: int = 0,
        on_result: Callable[[Delivery], None] | None = None,
        link: Path | None = None,
    ) -> None:
        if ack_timeout_s <= 0 or max_attempts < 1:
            raise ValueError("ack_timeout_s must be > 0 and max_attempts >= 1")
        self.panel = panel
        self.receiver = receiver
        self.line = line
        self.group = group
        self.ack_timeout_s = ack_timeout_s
        self.max_attempts = max_attempts
        self.test_report_interval_s = (test_report_interval_s if test_report_interval_s
                                       is not None else float(panel.test_report_interval_s))
        self.test_reports = test_reports and self.test_report_interval_s > 0
        self.timestamps = timestamps
        self.seq = last_seq
        self.on_result = on_result
        self.link = link
        self.path = ""
        self.frames_sent = 0
        self.frames_received = 0
        self.undelivered: list[Delivery] = []
        self._reader = dc09.FrameReader()
        self._lock = threading.Lock()
        self._queue: deque[Delivery] = deque()
        self._corrupt_next: dc09.Corruption | None = None
        self._inflight: Delivery | None = None
        self._deadline = 0.0
        self._next_report = 0.0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._master = self._slave = self._wake_r = self._wake_w = -1

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> SimPanel:
        if self._thread is not None:
            raise RuntimeError("panel already started")
        self._master, self._slave = os.openpty()
        # Raw: no echo, no CR->LF translation, no line editing; the pty is a plain byte pipe.
        # The panel keeps its slave fd open so the master never sees a hang-up (EIO) while no
        # receiver has the port open.
        tty.setraw(self._slave, termios.TCSANOW)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
            self.link.symlink_to(self.path)
        self._next_report = time.monotonic() + self.test_report_interval_s
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"panel-{self.panel.id}",
                                        daemon=True)
        self._thread.start()
        log.info("%s: account %s on %s", self.panel.id, self.panel.account, self.path)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is None:
            return
        with self._lock:
            self._stopping = True
        self._wake()
        self._thread.join(timeout)
        self._thread = None
        for d in [*([self._inflight] if self._inflight else []), *self._queue]:
            self._finish(d, "stopped")
        self._inflight = None
        self._queue.clear()
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = self._wake_r = self._wake_w = -1
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()

    def __enter__(self) -> SimPanel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- commands (any thread) ----------------------------------------------------------------

    def zone_for(self, unit: str) -> int:
        """The panel zone wired to a flat (site configuration)."""
        for zone, zone_unit in self.panel.zones.items():
            if zone_unit == unit:
                return int(zone)
        known = ", ".join(sorted(self.panel.zones.values())) or "none"
        raise ValueError(f"panel {self.panel.id} has no zone for unit {unit!r} (its units: "
                         f"{known})")

    def send(self, event: str | int, *, unit: str | None = None, zone: int | None = None,
             restore: bool = False, qualifier: int | None = None, group: int | None = None,
             corrupt: dc09.Corruption | None = None) -> Delivery:
        """Queue a Contact ID event: `event` is a name of EVENTS or a code of dc09.EVENT_CODES;
        the zone is the one wired to `unit`, or `zone`, or 000 (the panel itself)."""
        code = EVENTS[event] if isinstance(event, str) else event
        if code not in dc09.CONDITION_OF:
            raise ValueError(f"event code {code} is not in the contract's mapping")
        if unit is not None:
            zone = self.zone_for(unit)
        q = qualifier if qualifier is not None else (dc09.RESTORE if restore else dc09.NEW)
        d = Delivery(q, code, self.group if group is None else group,
                     PANEL_ZONE if zone is None else zone, unit, corrupt)
        self._enqueue(d)
        return d

    def send_test_report(self) -> Delivery:
        d = Delivery(dc09.NEW, dc09.TEST_REPORT, 0, PANEL_ZONE)
        self._enqueue(d)
        return d

    def corrupt_next(self, how: dc09.Corruption) -> None:
        """Corrupt the next frame written (first transmission or retransmission alike)."""
        if how not in dc09.CORRUPTIONS:
            raise ValueError(f"unknown corruption {how!r}")
        with self._lock:
            self._corrupt_next = how

    def _enqueue(self, d: Delivery) -> None:
        with self._lock:
            if self._thread is None or self._stopping:
                raise RuntimeError("panel is not running")
            self._queue.append(d)
        self._wake()

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"!")

    # --- the worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._stopping:
                        return
                now = time.monotonic()
                self._due(now)
                timeout = self._next_wakeup() - time.monotonic()
                readable, _, _ = select.select([self._master, self._wake_r], [], [],
                                               max(0.0, timeout))
                if self._wake_r in readable:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake_r, 4096)
                if self._master in readable:
                    self._receive()
        except Exception:  # pragma: no cover - a bug here must not die silently
            log.exception("%s: panel worker failed", self.panel.id)

    def _next_wakeup(self) -> float:
        times = []
        if self._inflight is not None:
            times.append(self._deadline)
        elif self._queue:
            times.append(time.monotonic())
        if self.test_reports:
            times.append(self._next_report)
        return min(times) if times else time.monotonic() + 3600.0

    def _due(self, now: float) -> None:
        if self.test_reports and now >= self._next_report:
            self._next_report = now + self.test_report_interval_s
            with self._lock:
                self._queue.append(Delivery(dc09.NEW, dc09.TEST_REPORT, 0, PANEL_ZONE))
        if self._inflight is not None and now >= self._deadline:
            d = self._inflight
            if d.attempts >= self.max_attempts:
                self._give_up(d)
            else:
                log.info("%s: no ACK for seq %04d, retransmitting", self.panel.id, d.seq or 0)
                self._transmit(d)
        if self._inflight is None:
            with self._lock:
                d = self._queue.popleft() if self._queue else None
            if d is not None:
                self._begin(d)

    def _begin(self, d: Delivery) -> None:
        self.seq = dc09.next_sequence(self.seq)
        d.seq = self.seq
        d.message = dc09.cid_message(
            d.seq, self.receiver, self.line, self.panel.account, d.qualifier, d.event, d.group,
            d.zone, datetime.now(UTC) if self.timestamps else None)
        d.frame = dc09.encode_frame(d.message)
        d.status = "sending"
        self._inflight = d
        self._transmit(d, first=True)

    def _transmit(self, d: Delivery, *, first: bool = False) -> None:
        assert d.frame is not None
        frame = d.frame
        with self._lock:
            how, self._corrupt_next = self._corrupt_next, None
        if first and d.corrupt is not None:
            how = d.corrupt
        if how is not None:
            frame = dc09.corrupt(frame, how)
            log.info("%s: seq %04d sent with a corrupted %s", self.panel.id, d.seq or 0, how)
        d.attempts += 1
        self._deadline = time.monotonic() + self.ack_timeout_s
        self._write(frame)

    def _write(self, frame: bytes) -> None:
        try:
            n = os.write(self._master, frame)
        except BlockingIOError:
            # Nobody has been reading and the pty buffer is full: like a line with no receiver,
            # the frame is lost; the retransmission timer still runs.
            log.warning("%s: line blocked, frame dropped", self.panel.id)
            return
        except OSError as exc:
            log.warning("%s: write failed: %s", self.panel.id, exc)
            return
        self.frames_sent += 1
        if n < len(frame):
            log.warning("%s: only %d of %d bytes written", self.panel.id, n, len(frame))

    def _receive(self) -> None:
        try:
            data = os.read(self._master, 4096)
        except BlockingIOError:
            return
        except OSError as exc:  # the pty is gone: nothing more will come
            log.warning("%s: read failed: %s", self.panel.id, exc)
            with self._lock:
                self._stopping = True
            return
        for frame in self._reader.feed(data):
            self.frames_received += 1
            self._reply(frame)

    def _reply(self, frame: dc09.Frame) -> None:
        d = self._inflight
        if not frame.valid:
            log.info("%s: ignoring a damaged reply %r", self.panel.id, frame.raw)
            return
        if d is None or d.seq is None:
            log.debug("%s: %s with nothing in flight", self.panel.id, frame.kind)
            return
        if frame.kind == dc09.ACK:
            if frame.acknowledges(d.seq, self.receiver, self.line, self.panel.account):
                self._finish(d, "acked")
                self._inflight = None
            else:
                log.info("%s: ACK does not echo seq %04d: %s", self.panel.id, d.seq,
                         frame.message)
        elif frame.kind == dc09.NAK:
            if d.attempts >= self.max_attempts:
                self._give_up(d)
            else:
                log.info("%s: NAK for seq %04d, retransmitting", self.panel.id, d.seq)
                self._transmit(d)
        elif frame.kind == dc09.DUH:
            log.warning("%s: receiver does not understand seq %04d (DUH)", self.panel.id, d.seq)
            self._finish(d, "rejected")
            self._inflight = None
        else:
            log.info("%s: unexpected reply %s", self.panel.id, frame.message)

    def _give_up(self, d: Delivery) -> None:
        log.warning("%s: seq %04d undelivered after %d attempts: %s", self.panel.id,
                    d.seq or 0, d.attempts, d.message)
        self.undelivered.append(d)
        self._finish(d, "undelivered")
        self._inflight = None

    def _finish(self, d: Delivery, status: Status) -> None:
        d.status = status
        d._done.set()
        if self.on_result is not None and status != "stopped":
            try:
                self.on_result(d)
            except Exception:
                log.exception("%s: on_result callback failed", self.panel.id)
