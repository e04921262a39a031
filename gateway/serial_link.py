"""One wired alarm panel's serial line (ARCHITECTURE §5): read DC-09 frames with pyserial,
answer them, and hand the signals to the gateway.

A thread per panel reads the port (a real RS-232/RS-485 port, a pty from firmware_sim, or any
pyserial URL) and feeds a FrameReader. For each frame:

- bad CRC or length (or not a frame at all): a NAK at once, the frame quarantined; the panel
  retransmits the frame it has in flight.
- a frame from this panel: `Gateway.submit(Submitted(signals, heard=[panel], on_recorded=...))`;
  the worker records the signals durably in the outbox and only then calls back, which writes
  the ACK. A panel is never told "delivered" about an alarm the gateway could still lose.
- a frame the gateway can read but not use (an unknown account, zone or code): ACKed and
  quarantined, never alerted (see gateway/panel_events.py for why not a NAK).

If the port goes away (a USB adapter unplugged, the simulator stopped) the link logs it and
tries to open it again every `reconnect_s` seconds until stopped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

import serial

from config import Panel
from gateway.panel_events import interpret
from gateway.quarantine import Quarantine, Rejected
from gateway.service import Submitted
from gateway.sia import (
    Frame,
    FrameReader,
    SiaError,
    ack_frame,
    duh_frame,
    nak_frame,
    parse_message,
)

log = logging.getLogger("gateway.serial")

BAUDRATE = 9600
READ_TIMEOUT_S = 0.2  # how quickly the reader notices a stop
WRITE_TIMEOUT_S = 1.0  # a stuck line must not hold up the gateway's worker (it writes ACKs)
RECONNECT_S = 3.0


class GatewayLike(Protocol):
    """What the link needs of the gateway (gateway.service.Gateway has both)."""

    quarantine: Quarantine

    def submit(self, item: Submitted) -> None: ...


Opener = Callable[[str], serial.SerialBase]


def open_port(port: str) -> serial.SerialBase:
    """A device path (`/dev/ttyUSB0`, `/dev/pts/5`) or a pyserial URL (`rfc2217://...`)."""
    return serial.serial_for_url(port, baudrate=BAUDRATE, timeout=READ_TIMEOUT_S,
                                 write_timeout=WRITE_TIMEOUT_S)


class SerialLink:
    def __init__(self, gateway: GatewayLike, panel: Panel, port: str | None = None, *,
                 reconnect_s: float = RECONNECT_S, opener: Opener = open_port,
                 clock: Callable[[], float] = time.time) -> None:
        self.gateway = gateway
        self.panel = panel
        self.port = port or panel.port
        self.reconnect_s = reconnect_s
        self._opener = opener
        self._clock = clock
        self._ser: serial.SerialBase | None = None
        self._write_lock = threading.Lock()  # NAKs from the reader, ACKs from the worker
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()
        self.reader = FrameReader()
        self.frames = 0  # frames with a right CRC and length
        self.naks = 0
        self.replies = 0  # ACKs and DUHs written

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> SerialLink:
        if self._thread is not None:
            raise RuntimeError("serial link already started")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"serial-{self.panel.id}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop reading and close the port. An ACK the worker writes after this is dropped;
        the panel retransmits and the idempotency key makes the repeat harmless."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._close()

    # -- the reader thread --------------------------------------------------------------------

    def _run(self) -> None:
        down_since: float | None = None
        while not self._stopping.is_set():
            ser = self._ser
            if ser is None:
                try:
                    ser = self._opener(self.port)
                except (serial.SerialException, OSError, ValueError) as exc:
                    if down_since is None:
                        down_since = time.monotonic()
                        log.warning("%s: cannot open %s (%s); retrying every %.0f s",
                                    self.panel.id, self.port, exc, self.reconnect_s)
                    self._stopping.wait(self.reconnect_s)
                    continue
                with self._write_lock:
                    self._ser = ser
                self.reader = FrameReader()  # a frame cut by the outage is gone
                self.connected.set()
                log.info("%s: reading %s (account %s)%s", self.panel.id, self.port,
                         self.panel.account,
                         f" after {time.monotonic() - down_since:.0f} s" if down_since else "")
                down_since = None
            try:
                # Every concrete port (serial_for_url: posix, loop, pty) has in_waiting; the
                # stubs type the factory as SerialBase, which does not.
                data = ser.read(max(1, ser.in_waiting))  # type: ignore[attr-defined]
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                log.warning("%s: lost %s (%s); reopening it every %.0f s", self.panel.id,
                            self.port, exc, self.reconnect_s)
                self._close()
                down_since = time.monotonic()
                self._stopping.wait(min(self.reconnect_s, 0.5))
                continue
            if data:
                for item in self.reader.feed(data):
                    try:
                        self._handle(item)
                    except Exception:  # a bug here must not end the panel's line
                        log.exception("%s: failed to handle a frame", self.panel.id)
        self._close()

    def _close(self) -> None:
        with self._write_lock:
            ser, self._ser = self._ser, None
        self.connected.clear()
        if ser is not None:
            try:
                ser.close()
            except (serial.SerialException, OSError) as exc:
                log.debug("%s: closing %s: %s", self.panel.id, self.port, exc)

    # -- one frame ----------------------------------------------------------------------------

    def _handle(self, item: Frame | SiaError) -> None:
        now = self._clock()
        if isinstance(item, SiaError):
            self._nak(item, now)
            return
        try:
            msg = parse_message(item.message)
        except SiaError as exc:  # CRC right, header unreadable: nothing to echo in an ACK
            self._nak(SiaError(exc.reason, exc.detail, item.raw), now)
            return
        self.frames += 1
        result = interpret(msg, item.crc, self.panel, now)
        if result.rejection is not None:
            log.warning("%s: %s seq %s quarantined: %s", self.panel.id, result.rejection.reason,
                        msg.seq, result.rejection.detail)
            self._quarantine(now, result.rejection.reason, result.rejection.detail, item.raw)
        reply = ack_frame(msg) if result.reply == "ack" else duh_frame(msg)
        for s in result.signals:
            log.info("%s: %s %s%s, seq %s", self.panel.id, s.kind, s.condition,
                     f" zone {s.zone}" if s.zone else " (panel)", msg.seq)
        if result.from_panel:
            # ACK only once the signals are durable; `heard` is the panel's heartbeat.
            self.gateway.submit(Submitted(result.signals, heard=[self.panel.id],
                                          on_recorded=lambda: self._reply(reply)))
        else:
            self._reply(reply)

    def _nak(self, err: SiaError, now: float) -> None:
        log.warning("%s: %s, NAK: %s", self.panel.id, err.reason, err.detail)
        self._quarantine(now, err.reason, err.detail, err.raw)
        if self._write(nak_frame(datetime.fromtimestamp(now, UTC))):
            self.naks += 1

    def _reply(self, frame: bytes) -> None:
        if self._write(frame):
            self.replies += 1

    def _quarantine(self, now: float, reason: str, detail: str, raw: bytes) -> None:
        self.gateway.quarantine.add(Rejected(now, f"{self.panel.id}@{self.port}", reason,
                                             detail, raw[:2048]))

    def _write(self, frame: bytes) -> bool:
        """Write an answer; never raises (it also runs on the gateway's worker thread). Not
        written means the panel retransmits."""
        with self._write_lock:
            ser = self._ser
            if ser is None:
                log.info("%s: %s is closed; answer dropped, the panel will retransmit",
                         self.panel.id, self.port)
                return False
            try:
                ser.write(frame)
                return True
            except (serial.SerialException, OSError, ValueError) as exc:
                log.warning("%s: cannot write to %s (%s); the panel will retransmit",
                            self.panel.id, self.port, exc)
                return False
