"""The lobby kiosk's card reader and barcode scanner on serial ports (pyserial).

Protocol (docs/protocol/kiosk-readers.md): each read is one line of printable ASCII ended by
CR, LF or CR LF; the card reader sends the card's UID in hex, the scanner the barcode's text.
`parse_line` is the pure part; `SerialReader` is the thread that reads a port and hands each
read to `report(kind, value)` (the app forwards it to the UI thread).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Literal

import serial

__all__ = ["BAUD", "MAX_LINE", "ReaderKind", "SerialReader", "parse_line"]

log = logging.getLogger("kiosk.readers")

ReaderKind = Literal["card", "scanner"]
BAUD = 9600
# Longer lines are noise (a reader babbling after a power dip), never a card or a slip.
MAX_LINE = 64
_CARD = re.compile(r"[0-9A-F]{8,20}")
_CODE = re.compile(r"[0-9A-Za-z-]{4,32}")


def parse_line(kind: ReaderKind, raw: bytes) -> str | None:
    """The card UID (upper-case hex) or the scanned code in one line; None for noise."""
    try:
        text = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    if kind == "card":
        text = text.upper().removeprefix("CARD:").replace(" ", "")
        return text if _CARD.fullmatch(text) else None
    return text if _CODE.fullmatch(text) else None


class SerialReader:
    """Reads lines from one serial port on a daemon thread until `stop()`.

    A port that is missing or goes away (reader unplugged) is opened again every
    `retry_s`: the kiosk keeps working by keypad meanwhile."""

    def __init__(self, kind: ReaderKind, port: str, report: Callable[[ReaderKind, str], None],
                 *, retry_s: float = 2.0) -> None:
        self.kind = kind
        self.port = port
        self._report = report
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"kiosk-{kind}", daemon=True)
        self.opened = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with serial.Serial(self.port, BAUD, timeout=0.2) as port:
                    self.opened.set()
                    log.info("%s reader on %s", self.kind, self.port)
                    self._read(port)
            except (serial.SerialException, OSError) as exc:
                self.opened.clear()
                log.warning("%s reader %s: %s (retrying)", self.kind, self.port, exc)
                self._stop.wait(self._retry_s)

    def _read(self, port: serial.Serial) -> None:
        buffer = b""
        while not self._stop.is_set():
            chunk = port.read(64)
            if not chunk:
                continue
            buffer += chunk
            *lines, buffer = re.split(rb"\r\n|\r|\n", buffer)
            if len(buffer) > MAX_LINE:
                buffer = b""
            for line in lines:
                if not line.strip():
                    continue
                value = parse_line(self.kind, line) if len(line) <= MAX_LINE else None
                if value is None:
                    log.warning("%s reader: ignored a malformed line %r", self.kind, line[:80])
                    continue
                self._report(self.kind, value)
